"""Self-evaluation pages: the overview by area and criterion, a criterion's statement with its versions,
drafting a new version with its citations, and a leader's sign-off."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.forms import once, row_choices, show_error
from tracker.frameworks.services import load_criterion
from tracker.sef import bp
from tracker.sef.forms import SignOffForm, StatementForm
from tracker.sef.models import CitedKind, SefVersion
from tracker.sef.services import (
    PARTS,
    SefConflict,
    SefError,
    StatementText,
    citation_choices,
    current_citations,
    label_of,
    latest_version,
    save_draft,
    sef_at,
    sign_off,
    statement,
    unseen_citations,
)


@bp.route("")
def index():
    """The current framework's areas and criteria, each statement's status and flags;
    for anyone on the plan."""
    return render_template("sef/index.html", sef=sef_at(current_user))


@bp.route("/<int:criterion_id>")
def detail(criterion_id: int):
    """A criterion's statement: its three parts, what it cites,
    its flags and every version with its sign-off."""
    criterion = load_criterion(criterion_id)
    page = statement(current_user, criterion)
    form = SignOffForm(formdata=None, version=page.versions[0].number if page.versions else 0)
    return render_template("sef/detail.html", criterion=criterion, page=page, form=form, parts=PARTS)


@bp.route("/<int:criterion_id>/sign-off", methods=["POST"], endpoint="sign_off")
def sign_off_version(criterion_id: int):
    """Sign off the version the leader was reading; for leaders."""
    criterion = load_criterion(criterion_id)
    form = SignOffForm()
    if form.validate_on_submit():
        try:
            row = sign_off(current_user, criterion, int(form.version.data))
        except SefError as error:
            form.form_errors.append(str(error))
        else:
            flash(
                f"Version {row.version.number} of the statement for {criterion.key} is signed off.", "success"
            )
            return redirect(url_for("sef.detail", criterion_id=criterion.id))
    return render_template(
        "sef/detail.html",
        criterion=criterion,
        page=statement(current_user, criterion),
        form=form,
        parts=PARTS,
    )


@bp.route("/<int:criterion_id>/edit", methods=["GET", "POST"])
@once(SefVersion, lambda row: url_for("sef.detail", criterion_id=row.criterion_id))
def edit(criterion_id: int):
    """Write the statement's next version, and choose what it cites; for officers and leaders."""
    criterion = load_criterion(criterion_id)
    latest = latest_version(criterion)
    form = StatementForm()
    if not form.is_submitted():
        form.version.data = latest.number if latest else 0
        for name, _ in PARTS:
            getattr(form, name).data = getattr(latest, name) if latest else ""
        for kind, ids in current_citations(latest).items():
            getattr(form, f"{kind.value}_ids").data = [str(i) for i in ids]
    _choices(form, latest)
    if form.validate_on_submit():
        text = StatementText(
            form.working_well.data,
            form.to_improve.data,
            form.being_done.data,
            {kind: _ids(getattr(form, f"{kind.value}_ids").data) for kind in CitedKind},
        )
        try:
            version = save_draft(current_user, criterion, int(form.version.data), text)
        except SefConflict as error:
            form.form_errors.append(str(error))
            form.version.data = error.latest.number if error.latest else 0
        except SefError as error:
            show_error(form, error)
        else:
            flash(
                f"Version {version.number} of the statement for {criterion.key} is saved as a draft.",
                "success",
            )
            return redirect(url_for("sef.detail", criterion_id=criterion.id))
    return render_template(
        "sef/edit.html",
        criterion=criterion,
        form=form,
        latest=latest,
        kept=len(unseen_citations(current_user, latest)),
    )


def _choices(form: StatementForm, latest: SefVersion | None) -> None:
    cited = current_citations(latest)
    for kind in CitedKind:
        rows = citation_choices(current_user, kind, keep=cited.get(kind, []))
        getattr(form, f"{kind.value}_ids").choices = row_choices(
            rows, label=lambda row, k=kind: label_of(k, row) + (" (archived)" if row.is_archived else "")
        )


def _ids(values: list[str] | None) -> list[int]:
    return [int(value) if value.isdecimal() and len(value) < 10 else 0 for value in values or []]
