"""Criteria pages: the framework's areas and criteria with their links and gaps,
a criterion's page, linking."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.dates import today
from tracker.forms import id_arg, once, row_choices, show_error
from tracker.frameworks import bp
from tracker.frameworks.forms import ChooseKindForm, LinkForm, UnlinkForm
from tracker.frameworks.models import CriterionLink, LinkKind
from tracker.frameworks.services import (
    FrameworkError,
    criteria_overview,
    criterion_page,
    current_framework,
    label_of,
    link,
    link_choices,
    list_frameworks,
    load_criterion,
    load_framework_areas,
    load_link,
    unlink,
)


@bp.route("")
def index():
    """The current framework's areas and criteria (or another loaded version's),
    each with its links and gap."""
    frameworks = list_frameworks()
    chosen = id_arg("framework") or (frameworks[0].id if frameworks else None)
    framework = load_framework_areas(chosen) if chosen else None
    groups = criteria_overview(current_user, framework) if framework else []
    current = frameworks[0] if frameworks else None
    return render_template(
        "frameworks/index.html",
        framework=framework,
        groups=groups,
        frameworks=frameworks,
        current=current,
        kinds=list(LinkKind),
    )


@bp.route("/<int:criterion_id>")
def detail(criterion_id: int):
    """One criterion: its wording, everything linked to it with readiness, RAG and status,
    and its evidence gap."""
    criterion = load_criterion(criterion_id)
    return render_template(
        "frameworks/criterion.html",
        criterion=criterion,
        page=criterion_page(current_user, criterion),
        today=today(),
        choose_form=ChooseKindForm(formdata=None),
        unlink_form=UnlinkForm(),
        is_current=criterion.framework_id == getattr(current_framework(), "id", None),
    )


def _kind(value: str | None) -> LinkKind | None:
    return next((kind for kind in LinkKind if kind.value == value), None)


@bp.route("/<int:criterion_id>/links/new", methods=["GET", "POST"])
@once(CriterionLink, lambda row: url_for("frameworks.detail", criterion_id=row.criterion_id))
def create_link(criterion_id: int):
    """Link a finding, action, measure, evidence item or survey to the criterion; for leaders."""
    criterion = load_criterion(criterion_id)
    kind = _kind(request.args.get("kind"))
    if kind is None:
        form = ChooseKindForm(request.args if "kind" in request.args else None)
        if "kind" in request.args:
            form.validate()  # a kind that is not one: the form again, with its error
        return render_template("frameworks/choose_kind.html", criterion=criterion, form=form)
    form = LinkForm()
    form.target.label.text = f"Which {kind.label.lower()}"
    form.target.validate_choice = (
        False  # an archived or vanished record is the service's clear refusal, not "Not a valid choice"
    )
    form.target.choices = row_choices(
        link_choices(current_user, kind),
        label=lambda row: label_of(kind, row),
        blank=f"Choose the {kind.label.lower()}",
    )
    if form.validate_on_submit():
        target = form.target.data
        try:
            link(
                current_user,
                criterion,
                kind,
                int(target) if target.isdecimal() and len(target) < 10 else None,
            )
        except FrameworkError as error:
            show_error(form, error)
        else:
            flash(f"{kind.label} linked to {criterion.key}.", "success")
            return redirect(url_for("frameworks.detail", criterion_id=criterion.id))
    return render_template("frameworks/link_form.html", criterion=criterion, form=form, kind=kind)


@bp.route("/<int:criterion_id>/links/<int:link_id>/remove", methods=["POST"])
def remove_link(criterion_id: int, link_id: int):
    """Remove one link from the criterion; for leaders."""
    row = load_link(criterion_id, link_id)
    if UnlinkForm().validate_on_submit():
        message = f"{row.kind.label} unlinked from {row.criterion.key}."
        unlink(current_user, row)
        flash(message, "success")
    return redirect(url_for("frameworks.detail", criterion_id=criterion_id))
