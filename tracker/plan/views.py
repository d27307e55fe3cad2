"""Pages of the improvement plan."""

from flask import render_template

from tracker.plan import bp
from tracker.plan.services import findings_by_theme, list_actions, today


@bp.route("/findings")
def findings():
    """Every live finding, grouped by theme, in the report's own words; for anyone on the plan."""
    groups, action_counts = findings_by_theme()
    return render_template("plan/findings.html", groups=groups, action_counts=action_counts)


@bp.route("/actions")
def actions():
    """The action plan, soonest due first; for anyone on the plan."""
    return render_template("plan/actions.html", actions=list_actions(), today=today())
