"""The improvement plan's rules: inspections, findings, themes, actions and progress updates."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.auth.models import User
from tracker.dates import format_date, today
from tracker.errors import UserError
from tracker.extensions import db
from tracker.models import utcnow
from tracker.plan.models import (
    Action,
    ActionStatus,
    DueDateRevision,
    Finding,
    FindingKind,
    Inspection,
    InspectionOutcome,
    InspectionType,
    Partner,
    Priority,
    ProgressUpdate,
    Theme,
    action_finding,
    reference_key,
)
from tracker.plan.rag import Rag, RagFacts, RagResult, compute_rag, is_stale, with_override


class PlanError(UserError):
    """A rule of the improvement plan was broken; the message is shown to the user."""


class EditConflict(PlanError):
    """Someone else saved the record after this person opened it."""

    def __init__(self, record: object):
        event = audit.last_change(record)
        who = event.actor_label if event else "someone else"
        if event and event.actor_id:
            person = db.session.get(User, event.actor_id)
            who = person.name if person else who
        when = event.occurred_at if event else utcnow()
        super().__init__(
            f"This was changed by {who} at {format_date(when)} since you opened it. "
            "Your changes are below and have not been saved: check the current values and save again."
        )
        self.changed_by, self.changed_at = who, when


def stale_after_days() -> int:
    return current_app.config["TRACKER_STALE_AFTER_DAYS"]


def seen_version(raw: object) -> int:
    """The version a form was opened at, as its hidden field sent it; anything else counts as out of date (0),
    never an error. A form sent without the field holds the record's own version (WTForms fills it from the
    object), which must not pass for having seen it."""
    return int(raw) if isinstance(raw, str) and raw.isdecimal() and len(raw) < 10 else 0


def _check_version(record, seen: int | None) -> None:
    if seen is not None and seen != record.version:
        raise EditConflict(record)


def _not_blank(value: str, message: str, field: str) -> str:
    if not (value or "").strip():
        raise PlanError(message, field)
    return value.strip()


def _apply(actor: User | None, record, verb: str, values: dict) -> bool:
    """Set the changed fields, record them in the audit log; False when nothing changed."""
    before, after = audit.diff({name: getattr(record, name) for name in values}, values)
    if not after:
        return False
    for name, value in after.items():
        setattr(record, name, value)
    audit.record(actor, verb, record, before=before, after=after)
    return True


def _commit() -> None:
    try:
        db.session.commit()
    except sa.orm.exc.StaleDataError:
        db.session.rollback()
        raise PlanError("Someone else saved this record at the same moment. Reload the page and try again.")


# Themes ------------------------------------------------------------------------------------


def create_theme(actor: User, name: str, description: str) -> Theme:
    name = _not_blank(name, "Enter the theme's name.", "name")
    # the database lowers both sides of every such check: SQLite's lower() leaves "É" as it is while Python's
    # makes it "é", and a check that missed a name the unique index then refused was a server error
    if db.session.scalar(sa.select(Theme.id).where(sa.func.lower(Theme.name) == sa.func.lower(name))):
        raise PlanError(f"There is already a theme called {name}.", "name")
    position = (db.session.scalar(sa.select(sa.func.max(Theme.position))) or 0) + 1
    theme = Theme(name=name, description=description.strip(), position=position)
    db.session.add(theme)
    db.session.flush()
    audit.record(actor, "theme.created", theme, after={"name": name, "description": theme.description})
    db.session.commit()
    return theme


def update_theme(actor: User, theme: Theme, name: str, description: str) -> None:
    name = _not_blank(name, "Enter the theme's name.", "name")
    clash = db.session.scalar(
        sa.select(Theme.id).where(sa.func.lower(Theme.name) == sa.func.lower(name), Theme.id != theme.id)
    )
    if clash:
        raise PlanError(f"There is already a theme called {name}.", "name")
    _apply(actor, theme, "theme.updated", {"name": name, "description": description.strip()})
    db.session.commit()


def list_themes() -> Sequence[Theme]:
    return db.session.scalars(
        sa.select(Theme).where(Theme.archived_at.is_(None)).order_by(Theme.position, Theme.name)
    ).all()


# Inspections -------------------------------------------------------------------------------


@dataclass
class InspectionData:
    title: str
    local_area: str
    inspectorates: str
    type: InspectionType
    start_date: date | None = None
    end_date: date | None = None
    published_on: date | None = None
    outcome: InspectionOutcome | None = None
    report_summary: str = ""
    plan_due_on: date | None = (
        None  # the leader's own date for the plan, replacing the one the outcome's rule gives
    )
    report_reference: str = ""


def _check_inspection(data: InspectionData) -> None:
    data.title = _not_blank(data.title, "Enter a title for the inspection.", "title")
    data.local_area = _not_blank(data.local_area, "Enter the local area.", "local_area")
    data.inspectorates = _not_blank(data.inspectorates, "Enter who inspected.", "inspectorates")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise PlanError("The last day of the inspection must be on or after its first day.", "end_date")
    if data.outcome and data.type is InspectionType.SELF_EVALUATION:
        raise PlanError(
            "A self-evaluation has no inspection outcome: choose \u201cNot reported yet\u201d, or "
            "change the type.",
            "outcome",
        )
    if data.plan_due_on and data.published_on and data.plan_due_on < data.published_on:
        raise PlanError(
            "The plan's due date must be on or after the day the report was published.", "plan_due_on"
        )


def create_inspection(actor: User, data: InspectionData) -> Inspection:
    _check_inspection(data)
    inspection = Inspection(**asdict(data))
    db.session.add(inspection)
    db.session.flush()
    audit.record(actor, "inspection.created", inspection, after=asdict(data))
    db.session.commit()
    return inspection


def update_inspection(actor: User, inspection: Inspection, data: InspectionData) -> None:
    _check_inspection(data)
    _apply(actor, inspection, "inspection.updated", asdict(data))
    db.session.commit()


def set_archived(actor: User, record, archived: bool) -> None:
    """Deleting is archiving: the record is hidden from lists and kept, with its history.

    `archived` is the state asked for, not a toggle: two people archiving at once leave it archived.
    """
    if record.is_archived == archived:
        return
    record.archived_at = utcnow() if archived else None
    audit.record(
        actor,
        f"{record.__tablename__}.{'archived' if archived else 'restored'}",
        record,
        before={"archived": not archived},
        after={"archived": archived},
    )
    _commit()


def list_inspections(include_archived: bool = False) -> Sequence[Inspection]:
    query = sa.select(Inspection).order_by(Inspection.start_date.desc().nulls_last(), Inspection.title)
    if not include_archived:
        query = query.where(Inspection.archived_at.is_(None))
    return db.session.scalars(query).all()


# Findings ----------------------------------------------------------------------------------


@dataclass
class FindingData:
    inspection_id: int
    theme_id: int
    kind: FindingKind
    reference: str
    title: str
    wording: str
    accountable_partner: Partner
    lead_id: int | None = None


def _check_finding(data: FindingData, finding_id: int | None = None) -> None:
    data.reference = _not_blank(data.reference, "Enter a reference for the finding.", "reference")
    data.title = _not_blank(data.title, "Enter a short title.", "title")
    data.wording = _not_blank(data.wording, "Enter the report's wording.", "wording")
    clash = db.session.scalar(
        sa.select(Finding.id).where(
            Finding.inspection_id == data.inspection_id,
            sa.func.lower(Finding.reference) == sa.func.lower(data.reference.strip()),
            Finding.id != (finding_id or 0),
        )
    )
    if clash:
        raise PlanError(
            f"This inspection already has a finding with the reference {data.reference}.", "reference"
        )


def create_finding(actor: User | None, data: FindingData, commit: bool = True) -> Finding:
    """Add a finding; `commit=False` lets an import add it in the same transaction as
    the actions that answer it."""
    data.reference = data.reference.strip()
    _check_finding(data)
    finding = Finding(**asdict(data))
    db.session.add(finding)
    db.session.flush()
    audit.record(actor, "finding.created", finding, after=asdict(data))
    if commit:
        db.session.commit()
    return finding


def update_finding(actor: User, finding: Finding, data: FindingData, seen_version: int | None) -> None:
    _check_version(finding, seen_version)
    data.reference = data.reference.strip()
    _check_finding(data, finding.id)
    if _apply(actor, finding, "finding.updated", asdict(data)):
        _commit()


def load_finding(finding_id: int) -> Finding:
    return db.first_or_404(
        sa.select(Finding)
        .where(Finding.id == finding_id)
        .options(
            selectinload(Finding.inspection),
            selectinload(Finding.theme),
            selectinload(Finding.lead),
            selectinload(Finding.actions).selectinload(Action.owner),
        )
    )


def last_updates(actions: list[Action]) -> dict[int, date]:
    """The day of each action's latest progress update, in one query."""
    return dict(
        db.session.execute(
            sa.select(ProgressUpdate.action_id, sa.func.max(ProgressUpdate.written_on))
            .where(ProgressUpdate.action_id.in_([action.id for action in actions]))
            .group_by(ProgressUpdate.action_id)
        )
        .tuples()
        .all()
    )


@dataclass
class ThemeGroup:
    theme: Theme
    findings: list[Finding]


@dataclass
class FindingCounts:
    actions: int = 0
    overdue: int = 0


def findings_by_theme(include_archived: bool = False) -> list[ThemeGroup]:
    """Findings grouped under their themes in theme order, then by kind and reference."""
    query = (
        sa.select(Finding)
        .join(Finding.theme)
        .options(selectinload(Finding.theme), selectinload(Finding.inspection), selectinload(Finding.lead))
        .order_by(Theme.position, Theme.name, Finding.kind, Finding.reference)
    )
    if not include_archived:
        query = query.where(Finding.archived_at.is_(None))
    groups: list[ThemeGroup] = []
    for finding in db.session.scalars(query):
        if not groups or groups[-1].theme.id != finding.theme_id:
            groups.append(ThemeGroup(finding.theme, []))
        groups[-1].findings.append(finding)
    return groups


def finding_counts(finding_ids: list[int] | None = None) -> dict[int, FindingCounts]:
    """Live actions and overdue actions per finding (all, or those given), in one aggregate query."""
    due = sa.func.coalesce(Action.revised_due_date, Action.due_date)
    overdue = sa.case((sa.and_(due < today(), Action.status.in_(open_statuses())), 1), else_=0)
    rows = db.session.execute(
        sa.select(action_finding.c.finding_id, sa.func.count(), sa.func.sum(overdue))
        .join(Action, Action.id == action_finding.c.action_id)
        .where(
            Action.archived_at.is_(None),
            sa.true() if finding_ids is None else action_finding.c.finding_id.in_(finding_ids),
        )
        .group_by(action_finding.c.finding_id)
    )
    return {finding_id: FindingCounts(actions, int(late or 0)) for finding_id, actions, late in rows}


def open_statuses() -> list[ActionStatus]:
    return [status for status in ActionStatus if not status.is_closed]


# Actions -----------------------------------------------------------------------------------


@dataclass
class ActionData:
    reference: str
    title: str
    description: str
    intended_outcome: str
    owner_id: int
    partner: Partner
    priority: Priority
    start_date: date | None
    due_date: date
    status: ActionStatus
    percent_complete: int
    finding_ids: list[int] = field(default_factory=list)
    measure_ids: list[int] = field(default_factory=list)
    contributor_ids: list[int] = field(default_factory=list)


def measure_model():
    """The Measure class, reached through the link the plan declares, since measures sit above it."""
    return Action.measures.property.mapper.class_


def _resolve(model, ids: list[int], what: str) -> list:
    wanted = sorted(set(ids))
    found = db.session.scalars(sa.select(model).where(model.id.in_(wanted))).all() if wanted else []
    if len(found) != len(wanted):
        raise PlanError(f"One of the chosen {what} no longer exists. Reload the page and choose again.", what)
    return sorted(found, key=lambda row: row.id)


def _check_action(data: ActionData, action_id: int | None = None) -> None:
    data.reference = _not_blank(data.reference, "Enter a reference for the action.", "reference")
    data.title = _not_blank(data.title, "Enter a title for the action.", "title")
    data.intended_outcome = _not_blank(
        data.intended_outcome, "Say what will be different and how you will know.", "intended_outcome"
    )
    if not data.finding_ids:
        raise PlanError("Choose at least one finding that this action answers.", "finding_ids")
    if data.start_date and data.due_date < data.start_date:
        raise PlanError("The due date must be on or after the start date.", "due_date")
    clash = db.session.scalar(
        sa.select(Action.id).where(
            sa.func.lower(Action.reference) == sa.func.lower(data.reference.strip()),
            Action.id != (action_id or 0),
        )
    )
    if clash:
        raise PlanError(f"There is already an action with the reference {data.reference}.", "reference")
    owner = db.session.get(User, data.owner_id)
    if owner is None or not owner.active:
        raise PlanError("Choose an owner from the list of active users.", "owner_id")
    if data.status is ActionStatus.COMPLETE and data.percent_complete != 100:
        raise PlanError(
            "A complete action is 100% complete: change the percentage or the status.", "percent_complete"
        )


def _links(data: ActionData) -> dict:
    return {
        "findings": _resolve(Finding, data.finding_ids, "findings"),
        "measures": _resolve(measure_model(), data.measure_ids, "measures"),
        "contributors": [
            user for user in _resolve(User, data.contributor_ids, "contributors") if user.id != data.owner_id
        ],
    }


def _scalars(data: ActionData) -> dict:
    values = asdict(data)
    for name in ("finding_ids", "measure_ids", "contributor_ids"):
        values.pop(name)
    values["reference"] = data.reference.strip()
    return values


def _link_ids(action: Action) -> dict:
    return {
        "findings": [finding.reference for finding in action.findings],
        "measures": [measure.name for measure in action.measures],
        "contributors": [user.email for user in action.contributors],
    }


def create_action(actor: User | None, data: ActionData, commit: bool = True) -> Action:
    """Add an action; `commit=False` lets an import write every row in one transaction."""
    _check_action(data)
    action = Action(**_scalars(data), **_links(data))
    db.session.add(action)
    db.session.flush()
    audit.record(actor, "action.created", action, after={**_scalars(data), **_link_ids(action)})
    if commit:
        db.session.commit()
    return action


def update_action(
    actor: User | None,
    action: Action,
    data: ActionData,
    seen_version: int | None,
    due_date_reason: str = "",
    commit: bool = True,
) -> bool:
    """Save a leader's edit; a new due date needs a reason and keeps the original on record."""
    _check_version(action, seen_version)
    _check_action(data, action.id)
    values = _scalars(data)
    new_due = values.pop("due_date")
    links = _links(data)
    revised = new_due != action.current_due_date
    if revised:
        _revise_due_date(actor, action, new_due, due_date_reason)
    before_links = _link_ids(action)
    for name, linked in links.items():
        setattr(action, name, linked)
    changed = _apply(actor, action, "action.updated", values)
    after_links = _link_ids(action)
    if after_links != before_links:
        link_before, link_after = audit.diff(before_links, after_links)
        audit.record(actor, "action.links_updated", action, before=link_before, after=link_after)
        action.updated_at = utcnow()  # touches the row, so its version moves and a stale form is refused
        changed = True
    changed = changed or revised
    if changed and commit:
        _commit()
    return changed


def _revise_due_date(actor: User | None, action: Action, new_due: date, reason: str) -> None:
    if not reason.strip():
        raise PlanError("Give a reason for changing the due date.", "due_date_reason")
    previous = action.current_due_date
    action.due_date_revisions.append(
        DueDateRevision(
            previous_due_date=previous,
            new_due_date=new_due,
            reason=reason.strip(),
            changed_by_id=actor.id if actor else None,
        )
    )
    action.revised_due_date = new_due
    audit.record(
        actor,
        "action.due_date_revised",
        action,
        before={"due_date": previous},
        after={"due_date": new_due, "reason": reason.strip()},
    )


def add_progress_update(
    actor: User | None,
    action: Action,
    written_on: date,
    body: str,
    percent_complete: int,
    status: ActionStatus,
    rag_note: str = "",
    *,
    author: User | None = None,
    commit: bool = True,
) -> ProgressUpdate:
    """Append a dated update; it also moves the action's percent and status. Never edited afterwards.

    The author is the actor, unless an import run from the command line (no
    actor) names the action's owner."""
    if written_on > today():
        raise PlanError("The date of the update cannot be in the future.", "written_on")
    if not body.strip():
        raise PlanError("Say what happened since the last update.", "body")
    if status is ActionStatus.COMPLETE and percent_complete != 100:
        raise PlanError(
            "A complete action is 100% complete: change the percentage or the status.", "percent_complete"
        )
    update = ProgressUpdate(
        action=action,
        author=author or actor,
        written_on=written_on,
        body=body.strip(),
        percent_complete=percent_complete,
        status=status,
        rag_note=rag_note.strip() or None,
    )
    db.session.add(update)
    db.session.flush()
    audit.record(
        actor,
        "progress_update.created",
        update,
        after={
            "action": action.reference,
            "written_on": written_on,
            "percent_complete": percent_complete,
            "status": status,
            "body": update.body,
        },
    )
    _apply(
        actor, action, "action.progress_reported", {"percent_complete": percent_complete, "status": status}
    )
    if commit:
        _commit()
    return update


def set_rag_override(
    actor: User | None, action: Action, rag: Rag | None, reason: str, commit: bool = True
) -> None:
    """A leader overrides the computed RAG, only with a written reason; None clears the override."""
    if rag is not None and not reason.strip():
        raise PlanError("Give a reason for overriding the RAG status.", "reason")
    _apply(
        actor,
        action,
        "action.rag_overridden",
        {
            "rag_override": rag.value if rag else None,
            "rag_override_reason": reason.strip() if rag else None,
        },
    )
    if commit:
        _commit()


def rag_of(action: Action, last_update_on: date | None, on: date | None = None) -> RagResult:
    facts = RagFacts(
        status=action.status,
        start_date=action.start_date,
        due_date=action.current_due_date,
        percent_complete=action.percent_complete,
        last_update_on=last_update_on,
        created_on=action.created_at.date(),
    )
    computed = compute_rag(facts, on or today(), stale_after_days())
    override = Rag(action.rag_override) if action.rag_override else None
    return with_override(computed, override, action.rag_override_reason)


def stale_of(action: Action, last_update_on: date | None, on: date | None = None) -> bool:
    facts = RagFacts(
        status=action.status,
        start_date=action.start_date,
        due_date=action.current_due_date,
        percent_complete=action.percent_complete,
        last_update_on=last_update_on,
        created_on=action.created_at.date(),
    )
    return is_stale(facts, on or today(), stale_after_days())


def load_action(action_id: int) -> Action:
    return db.first_or_404(
        sa.select(Action)
        .where(Action.id == action_id)
        .options(
            selectinload(Action.owner),
            selectinload(Action.contributors),
            selectinload(Action.findings).selectinload(Finding.inspection),
            selectinload(Action.measures),
            selectinload(Action.updates).selectinload(ProgressUpdate.author),
            selectinload(Action.due_date_revisions).selectinload(DueDateRevision.changed_by),
        )
    )


def last_update_on(action: Action) -> date | None:
    return action.updates[0].written_on if action.updates else None


def active_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name)))


def live_actions() -> list[Action]:
    """Every live action by reference, for choosing from: one query, no RAG."""
    return sorted(
        db.session.scalars(sa.select(Action).where(Action.archived_at.is_(None))).all(),
        key=lambda action: reference_key(action.reference),
    )


def action_form_choices(action: Action | None = None) -> dict:
    """What the action form offers: live findings, measures and active users, plus whatever the action
    already links to, so saving the form never silently drops a link to an archived or deactivated record."""
    findings = [f for group in findings_by_theme() for f in group.findings]
    model = measure_model()
    measures = list(
        db.session.scalars(sa.select(model).where(model.archived_at.is_(None)).order_by(model.name))
    )
    users = active_users()
    if action is not None:
        findings += [f for f in action.findings if f not in findings]
        measures += [m for m in action.measures if m not in measures]
        users += [u for u in action.contributors if u not in users]
    return {"findings": findings, "measures": measures, "users": users}
