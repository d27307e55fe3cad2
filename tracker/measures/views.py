"""Measure pages."""

from flask import render_template

from tracker.measures import bp
from tracker.measures.services import list_measures


@bp.route("")
def index():
    """Every measure with its baseline, target and readings; for anyone on the plan."""
    return render_template("measures/index.html", measures=list_measures())
