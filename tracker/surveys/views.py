"""Survey pages: surveys and their summaries, comments and their tags, and "you said, we did"."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker.forms import id_arg, once, row_choices, show_error
from tracker.permissions import can_view_comment, require
from tracker.surveys import bp
from tracker.surveys.exports import export_responses_docx, family_status, published_entries, who_replied
from tracker.surveys.forms import (
    CommentFilterForm,
    ResponseForm,
    RestrictCommentForm,
    SummaryFilterForm,
    SurveyForm,
    TagCommentForm,
)
from tracker.surveys.models import Audience, PublicationStatus, Survey, YouSaidWeDid
from tracker.surveys.services import (
    CommentFilters,
    ResponseData,
    SummaryFilters,
    SurveyData,
    SurveyError,
    action_choices,
    comment_page_number,
    comments_page,
    create_response,
    create_survey,
    finding_choices,
    group_counts,
    list_comments,
    list_surveys,
    load_comment,
    load_response,
    load_survey,
    question_summaries,
    reply_totals,
    restrict_comment,
    tag_comment,
    tagged_findings,
    teams_of,
    theme_choices,
    update_response,
    update_survey,
    withheld_comments,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _ids(values) -> list[int]:
    return [int(value) for value in values or [] if str(value).isdecimal()]


def _audience(survey, value: str) -> Audience | None:
    return next((group.audience for group in survey.groups if group.audience.value == value), None)


def _finding_label(finding) -> str:
    return f"{finding.reference}: {finding.title}"


# Surveys and their summaries ---------------------------------------------------------------


@bp.route("")
def index():
    """Every survey with its dates and replies; for anyone on the plan."""
    page = list_surveys(page=id_arg("page") or 1)
    return render_template(
        "surveys/index.html", surveys=page.items, page=page, replies=reply_totals(page.items)
    )


@bp.route("/<int:survey_id>")
def detail(survey_id: int):
    """One survey's replies per group and answers with their bases, filtered by group and team,
    and "you said, we did"."""
    survey = load_survey(survey_id)
    teams = teams_of(survey)
    form = SummaryFilterForm(request.args)
    form.group.choices = [SelectChoice("", "Every group")] + [
        SelectChoice(g.audience.value, g.audience.label) for g in survey.groups
    ]
    form.team.choices = [SelectChoice("", "Every team")] + [SelectChoice(team, team) for team in teams]
    filters = SummaryFilters(
        _audience(survey, request.args.get("group", "")),
        request.args.get("team", "") if request.args.get("team", "") in teams else "",
    )
    return render_template(
        "surveys/detail.html",
        survey=survey,
        filter_form=form,
        filters=filters,
        teams=teams,
        groups=group_counts(survey, filters),
        summaries=question_summaries(survey, filters),
        family_status=family_status,
    )


def _survey_form(form: SurveyForm, survey=None) -> SurveyForm:
    form.finding_ids.choices = row_choices(
        finding_choices(survey.findings if survey else []), label=_finding_label
    )
    return form


def _survey_data(form: SurveyForm) -> SurveyData:
    return SurveyData(
        title=form.title.data,
        service=form.service.data,
        teams=form.teams.data or "",
        description=form.description.data or "",
        opened_on=form.opened_on.data,
        closed_on=form.closed_on.data,
        audiences=[Audience(value) for value in form.audiences.data],
        finding_ids=_ids(form.finding_ids.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@once(Survey, lambda survey: url_for("surveys.detail", survey_id=survey.id))
def create():
    """Record a survey: who it asked, when, and the findings it is evidence for; for leaders."""
    form = _survey_form(SurveyForm())
    if form.validate_on_submit():
        try:
            survey = create_survey(current_user, _survey_data(form))
        except SurveyError as error:
            show_error(form, error)
        else:
            flash(f"{survey.title} recorded.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/survey_form.html", form=form, survey=None)


@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
def edit(survey_id: int):
    """Change a survey; a group that has replies cannot be taken off it; for leaders."""
    survey = load_survey(survey_id)
    form = _survey_form(SurveyForm(obj=survey), survey)
    if not form.is_submitted():
        form.audiences.data = [group.audience.value for group in survey.groups]
        form.finding_ids.data = [str(finding.id) for finding in survey.findings]
    if form.validate_on_submit():
        try:
            update_survey(current_user, survey, _survey_data(form))
        except SurveyError as error:
            show_error(form, error)
        else:
            flash(f"{survey.title} saved.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/survey_form.html", form=form, survey=survey)


# Comments ----------------------------------------------------------------------------------


@bp.route("/<int:survey_id>/comments")
def comments(survey_id: int):
    """The survey's free-text comments with their group, question and tags; never who wrote them."""
    survey = load_survey(survey_id)
    form = CommentFilterForm(request.args)
    form.group.choices = [SelectChoice("", "Every group")] + [
        SelectChoice(g.audience.value, g.audience.label) for g in survey.groups
    ]
    finding_id, theme_id = (
        _ids([request.args.get("finding", "")[:9]]),
        _ids([request.args.get("theme", "")[:9]]),
    )
    form.finding.choices = row_choices(
        tagged_findings(current_user, survey, finding_id[0] if finding_id else None),
        label=_finding_label,
        blank="Any finding",
    )
    form.theme.choices = row_choices(theme_choices(), blank="Any theme")
    filters = CommentFilters(
        _audience(survey, request.args.get("group", "")),
        finding_id[0] if finding_id else None,
        request.args.get("tags") == "untagged",
        theme_id[0] if theme_id else None,
    )
    page = comments_page(current_user, survey, filters, id_arg("page") or 1)
    return render_template(
        "surveys/comments.html",
        survey=survey,
        filter_form=form,
        restrict_form=RestrictCommentForm(),
        comments=page.items,
        page=page,
        withheld=withheld_comments(current_user, survey, filters),
    )


def _back_to(survey, comment) -> str:
    """The comments page that shows this comment, at the comment."""
    page = comment_page_number(current_user, survey, comment)
    return url_for(
        "surveys.comments",
        survey_id=survey.id,
        page=page if page > 1 else None,
        _anchor=f"comment-{comment.id}",
    )


@bp.route("/<int:survey_id>/comments/<int:comment_id>", methods=["GET", "POST"], endpoint="tag_comment")
def tag_comment_page(survey_id: int, comment_id: int):
    """Tag one comment to the themes and findings it speaks to; for leaders."""
    survey = load_survey(survey_id)
    comment = load_comment(survey, comment_id)
    require(can_view_comment(current_user, comment), hide=True)
    form = TagCommentForm()
    form.theme_ids.choices = row_choices(theme_choices(comment.themes))
    form.finding_ids.choices = row_choices(finding_choices(comment.findings), label=_finding_label)
    if not form.is_submitted():
        form.theme_ids.data = [str(theme.id) for theme in comment.themes]
        form.finding_ids.data = [str(finding.id) for finding in comment.findings]
    if form.validate_on_submit():
        try:
            tag_comment(current_user, comment, _ids(form.theme_ids.data), _ids(form.finding_ids.data))
        except SurveyError as error:
            show_error(form, error)
        else:
            flash("Comment tagged.", "success")
            return redirect(_back_to(survey, comment))
    return render_template("surveys/tag_comment.html", form=form, survey=survey, comment=comment)


@bp.route(
    "/<int:survey_id>/comments/<int:comment_id>/restricted", methods=["POST"], endpoint="restrict_comment"
)
def restrict_comment_page(survey_id: int, comment_id: int):
    """Mark a comment restricted (it names a child, a family or a worker), or lift the mark; for leaders."""
    survey = load_survey(survey_id)
    comment = load_comment(survey, comment_id)
    try:
        restrict_comment(current_user, comment, request.form.get("restricted", "1") != "0")
    except SurveyError as error:
        flash(str(error), "error")
    else:
        flash(
            "Comment marked restricted: only leaders read it."
            if comment.restricted
            else "Comment no longer restricted: everyone on the plan reads it.",
            "success",
        )
    return redirect(_back_to(survey, comment))


# You said, we did --------------------------------------------------------------------------


def _response_form(form: ResponseForm, survey, response=None) -> ResponseForm:
    form.comment_ids.choices = [
        SelectChoice(str(c.id), f"{'Restricted. ' if c.restricted else ''}{c.group.audience.label}: {c.text}")
        for c in list_comments(current_user, survey)
    ]
    form.action_ids.choices = row_choices(
        action_choices(response.actions if response else []),
        label=lambda action: f"{action.reference}: {action.title} ({action.status.label.lower()})",
    )
    return form


def _response_data(form: ResponseForm) -> ResponseData:
    return ResponseData(
        you_said=form.you_said.data or "",
        we_did=form.we_did.data or "",
        status=PublicationStatus(form.status.data),
        comment_ids=_ids(form.comment_ids.data),
        action_ids=_ids(form.action_ids.data),
    )


@bp.route("/<int:survey_id>/responses/new", methods=["GET", "POST"], endpoint="create_response")
@once(
    YouSaidWeDid,
    lambda response: url_for("surveys.detail", survey_id=response.survey_id, _anchor="you-said-we-did"),
)
def create_response_page(survey_id: int):
    """Write a "you said, we did" entry, as a draft or published; for leaders."""
    survey = load_survey(survey_id)
    form = _response_form(ResponseForm(status="draft", comment_ids=request.args.getlist("comment")), survey)
    if form.validate_on_submit():
        try:
            create_response(current_user, survey, _response_data(form))
        except SurveyError as error:
            show_error(form, error)
        else:
            flash("Response saved.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="you-said-we-did"))
    return render_template("surveys/response_form.html", form=form, survey=survey, response=None)


@bp.route("/<int:survey_id>/responses/<int:response_id>/edit", methods=["GET", "POST"])
def edit_response(survey_id: int, response_id: int):
    """Change a "you said, we did" entry, publish it or take it back to draft; for leaders."""
    survey = load_survey(survey_id)
    response = load_response(survey, response_id)
    form = _response_form(ResponseForm(obj=response), survey, response)
    if not form.is_submitted():
        form.status.data = response.status.value
        form.comment_ids.data = [str(comment.id) for comment in response.comments]
        form.action_ids.data = [str(action.id) for action in response.actions]
    if form.validate_on_submit():
        try:
            update_response(current_user, survey, response, _response_data(form))
        except SurveyError as error:
            show_error(form, error)
        else:
            flash("Response saved.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="you-said-we-did"))
    return render_template("surveys/response_form.html", form=form, survey=survey, response=response)


@bp.route("/<int:survey_id>/you-said-we-did")
def published(survey_id: int):
    """The published entries, written for families: nothing internal, nothing in draft."""
    survey = load_survey(survey_id)
    return render_template(
        "surveys/published.html",
        survey=survey,
        entries=published_entries(survey),
        who_replied=who_replied(survey),
    )


@bp.route("/<int:survey_id>/you-said-we-did.docx")
def export_responses(survey_id: int):
    """The published entries as a Word document for the local offer website; every export is audited."""
    survey = load_survey(survey_id)
    content, filename = export_responses_docx(current_user, survey)
    return send_file(io.BytesIO(content), mimetype=DOCX, as_attachment=True, download_name=filename)
