"""Survey pages."""

from flask import render_template

from tracker.surveys import bp
from tracker.surveys.services import group_counts, list_surveys, load_survey, question_summaries


@bp.route("")
def index():
    """Every survey with its dates; for anyone on the plan."""
    return render_template("surveys/index.html", surveys=list_surveys())


@bp.route("/<int:survey_id>")
def detail(survey_id: int):
    """One survey's replies per group, answers with their bases, and "you said, we did"."""
    survey = load_survey(survey_id)
    return render_template(
        "surveys/detail.html",
        survey=survey,
        groups=group_counts(survey),
        summaries=question_summaries(survey),
    )
