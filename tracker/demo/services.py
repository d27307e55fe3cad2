"""Building the demo partnership from tracker.demo.data, once, with the history data.py gives it.

Every row is dated on the day data.py says it was written, and every audit event is written with that
moment, in the order the days came, so that `plan_as_at` shows any past day as it was (what existed,
what had been done) and the readiness trend has a snapshot for every day since the findings.
"""

import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker import audit, storage
from tracker.auth.models import User
from tracker.auth.services import AuthError, create_user, parse_role
from tracker.dates import today
from tracker.demo import data, documents
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceKind, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.frameworks.loader import SHIPPED, FrameworkFileError, load_framework
from tracker.frameworks.models import CriterionLink, Framework, LinkKind
from tracker.measures.models import Direction, Frequency, Measure, MeasureReading
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
)
from tracker.readiness.models import ReadinessSnapshot
from tracker.readiness.services import take_snapshot
from tracker.sef.models import CitedKind, SefCitation, SefSignOff, SefVersion
from tracker.surveys.importer import SurveyFileError, import_replies
from tracker.surveys.models import PublicationStatus, Survey, SurveyComment, YouSaidWeDid
from tracker.surveys.services import group_counts, question_summaries
from tracker.text import with_article

FILES = Path(__file__).parent / "files"


class DemoError(Exception):
    """The demo could not be loaded; the message says why."""


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def load_demo(password: str) -> bool:
    """Load the demo partnership; returns False, changing nothing, when it is already all there.

    The people are added first, through the same service as an administrator's. The plan, measures,
    survey and evidence then go in one transaction, with their history. Last, a readiness snapshot is
    taken for every day from the findings' day to today, newest first and each committed on its own
    (as `flask readiness snapshot --date` would): a load stopped part-way is completed by the next run,
    which takes only the days still missing.
    """
    exists = db.session.scalar(sa.select(Inspection.id).where(Inspection.title == data.INSPECTION["title"]))
    _framework()
    if exists is None:
        _history(_users(password))
    taken = _snapshots()
    return exists is None or taken > 0


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def _users(password: str) -> dict[str, User]:
    users = {}
    for email, name, role in data.USERS:
        existing = db.session.scalar(sa.select(User).where(User.email == email))
        if existing is None:
            try:
                existing = create_user(None, email, name, parse_role(role), password)
            except AuthError as error:
                raise DemoError(f"Could not create the demo user {email}: {error}")
        users[email] = existing
    return users


class _History:
    """The audit events of the demo's past. Rows are added in whatever order they need; their events are
    written once every row has its id, in the order of the moments they happened (the order data.py lists
    them within one moment), so the chain's order is the order of time."""

    def __init__(self):
        self.events: list[tuple[datetime, Any, str, Any, dict | None, dict | None]] = []

    def add(
        self, at: datetime, actor, verb: str, entity, before: dict | None = None, after: dict | None = None
    ) -> None:
        self.events.append((at, actor, verb, entity, before, after))

    def created(self, at: datetime, entity, label: str, actor=None, **facts) -> None:
        self.add(
            at,
            actor,
            f"{entity.__tablename__}.created",
            entity,
            after={"source": "demo", "label": label, **facts},
        )

    def write(self) -> None:
        db.session.flush()
        for at, actor, verb, entity, before, after in sorted(self.events, key=lambda event: event[0]):
            audit.record(actor, verb, entity, before=before, after=after, at=at)


def _history(users: dict[str, User]) -> None:
    """The plan, measures, survey and evidence, every row dated and every change recorded when it happened, in
    one transaction: if anything fails nothing is kept, and a document stored on the way is removed again."""
    history = _History()
    stored: list[str] = []  # the documents stored on the way, removed again if the load fails
    try:
        recorded = _at(data.INSPECTION["published_on"], 9)
        themes = {}
        for position, (name, text) in enumerate(data.THEMES):
            themes[name] = Theme(name=name, description=text, position=position)
            db.session.add(themes[name])
            history.created(recorded, themes[name], name)
        findings = _findings(data.INSPECTION, data.FINDINGS, recorded, themes, users, history)
        findings |= _findings(
            data.SELF_EVALUATION,
            data.SELF_FINDINGS,
            _at(data.SELF_EVALUATION["start_date"], 9),
            themes,
            users,
            history,
        )
        actions = _actions(findings, users, history)
        _measures(findings, actions, users, history)
        _survey(findings, actions, themes, users, history)
        _evidence(findings, actions, users, history, stored)
        _criterion_links(findings, actions, users, history)
        _self_evaluation(users, history)
        history.write()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in stored:
            if (
                db.session.scalar(sa.select(EvidenceFile.id).where(EvidenceFile.storage_key == key).limit(1))
                is None
            ):
                storage.remove_stored(key)
        raise


def _findings(
    source: dict, rows: list, at: datetime, themes: dict, users: dict, history: _History
) -> dict[str, Finding]:
    inspection = Inspection(
        **{
            **source,
            "type": InspectionType(source["type"]),
            "outcome": InspectionOutcome(source["outcome"]) if source["outcome"] else None,
        },
        created_at=at,
        updated_at=at,
    )
    db.session.add(inspection)
    history.created(at, inspection, source["title"])
    findings = {}
    for reference, kind, theme, title, wording, partner, lead in rows:
        findings[reference] = Finding(
            inspection=inspection,
            reference=reference,
            kind=FindingKind(kind),
            theme=themes[theme],
            title=title,
            wording=wording,
            accountable_partner=Partner(partner),
            lead=users[lead],
            created_at=at,
            updated_at=at,
        )
        db.session.add(findings[reference])
        history.created(at, findings[reference], reference)
    return findings


def _actions(findings: dict, users: dict, history: _History) -> dict[str, Action]:
    """Each action as it stands now, created on its start date; its progress updates move it there from
    not started, each on the day it was written, and its due date is revised on the day given."""
    updates: dict[str, list[tuple]] = {}
    for row in data.PROGRESS_UPDATES:
        updates.setdefault(row[0], []).append(row)
    actions = {}
    for (
        reference,
        title,
        description,
        outcome,
        owner,
        contributors,
        partner,
        priority,
        start,
        due,
        status,
        percent,
        answers,
    ) in data.ACTIONS:
        created = _at(start)
        action = actions[reference] = Action(
            reference=reference,
            title=title,
            description=description,
            intended_outcome=outcome,
            owner=users[owner],
            contributors=[users[c] for c in contributors],
            partner=Partner(partner),
            priority=Priority(priority),
            start_date=start,
            due_date=due,
            status=ActionStatus(status),
            percent_complete=percent,
            findings=[findings[f] for f in answers],
            created_at=created,
            updated_at=created,
        )
        db.session.add(action)
        history.created(created, action, reference)
        if reference in updates:  # not started until its first update
            now = {"percent_complete": 0, "status": ActionStatus.NOT_STARTED.value}
            for _, written_on, author, update_percent, update_status, body in updates[reference]:
                at = _at(written_on)
                update = ProgressUpdate(
                    action=action,
                    author=users[author],
                    written_on=written_on,
                    body=body,
                    percent_complete=update_percent,
                    status=ActionStatus(update_status),
                    created_at=at,
                )
                db.session.add(update)
                history.add(
                    at,
                    users[author],
                    "progress_update.created",
                    update,
                    after={
                        "action": reference,
                        "written_on": written_on,
                        "percent_complete": update_percent,
                        "status": update_status,
                        "body": body,
                    },
                )
                before, after = audit.diff(now, {"percent_complete": update_percent, "status": update_status})
                if after:
                    history.add(
                        at, users[author], "action.progress_reported", action, before=before, after=after
                    )
                now |= after
                action.updated_at = at
            if now != {"percent_complete": percent, "status": status}:
                raise DemoError(
                    f"The demo's progress updates leave {reference} at {now}, "
                    f"not at {status}, {percent}% as its row says."
                )
    for reference, previous, new, reason, by, changed_on in data.DUE_DATE_REVISIONS:
        action, at = actions[reference], _at(changed_on)
        action.due_date_revisions.append(
            DueDateRevision(
                previous_due_date=previous,
                new_due_date=new,
                reason=reason,
                changed_by=users[by],
                changed_at=at,
            )
        )
        action.revised_due_date = new
        history.add(
            at,
            users[by],
            "action.due_date_revised",
            action,
            before={"due_date": previous},
            after={"due_date": new, "reason": reason},
        )
    return actions


def _measures(findings: dict, actions: dict, users: dict, history: _History) -> None:
    for name, description, unit, direction, (baseline, baseline_on), (
        target,
        target_on,
    ), frequency, source, owner, evidences, for_actions, readings, defined_on in data.MEASURES:
        created = _at(defined_on)
        measure = Measure(
            name=name,
            description=description,
            unit=unit,
            direction=Direction(direction),
            baseline_value=baseline,
            baseline_date=baseline_on,
            target_value=target,
            target_date=target_on,
            frequency=Frequency(frequency),
            source=source,
            owner=users[owner],
            findings=[findings[f] for f in evidences],
            actions=[actions[a] for a in for_actions],
            created_at=created,
            updated_at=created,
        )
        db.session.add(measure)
        history.created(created, measure, name)
        for period_end, value, note in readings:
            entered = max(_at(period_end + data.READINGS_ENTERED_AFTER), created)
            reading = MeasureReading(
                measure=measure,
                period_end=period_end,
                value=value,
                note=note,
                entered_by=users[owner],
                entered_at=entered,
            )
            db.session.add(reading)
            history.add(
                entered,
                users[owner],
                "measure_reading.created",
                reading,
                after={"measure": name, "period_end": period_end, "value": value, "note": note},
            )


def _survey(findings: dict, actions: dict, themes: dict, users: dict, history: _History) -> None:
    """The SPOT survey, its replies imported from the demo's Microsoft Forms export as a leader would."""
    spec, leader = data.SURVEY, users["leader@demo.example"]
    opened, imported, published = (
        _at(spec["opened_on"], 9),
        _at(spec["imported_on"]),
        _at(spec["published_on"]),
    )
    survey = Survey(
        title=spec["title"],
        service=spec["service"],
        teams=spec["teams"],
        description=spec["description"],
        opened_on=spec["opened_on"],
        closed_on=spec["closed_on"],
        findings=[findings[f] for f in spec["findings"]],
        created_at=opened,
        updated_at=opened,
    )
    db.session.add(survey)
    db.session.flush()
    history.created(opened, survey, spec["title"])
    path = FILES / data.SURVEY_FILE
    try:
        # the importer's own event is dated now, when the loader imported the file; its record,
        # the day in data.py
        record = import_replies(None, survey, path.name, path.read_bytes(), data.SURVEY_MAPPING, commit=False)
    except SurveyFileError as error:
        raise DemoError(f"The demo survey file {path.name} could not be imported: {error}")
    record.imported_at = imported
    _check_published_figures(survey)
    comments = {
        comment.text: comment
        for comment in db.session.scalars(
            sa.select(SurveyComment).where(SurveyComment.survey_id == survey.id)
        )
    }
    for comment in comments.values():
        comment.created_at = imported
    for audience, theme, finding, text in data.SURVEY_COMMENTS:
        tagged = comments.get(text)
        if tagged is None or tagged.group.audience.value != audience:
            raise DemoError(f"The demo survey file has no comment from {audience} reading '{text[:40]}...'.")
        tagged.themes, tagged.findings = [themes[theme]], [findings[finding]]
        history.add(
            imported,
            leader,
            "survey_comment.tagged",
            tagged,
            after={"source": "demo", "themes": [theme], "findings": [finding]},
        )
    for position, (you_said, we_did, linked) in enumerate(data.YOU_SAID_WE_DID):
        entry = YouSaidWeDid(
            survey_id=survey.id,
            position=position,
            you_said=you_said,
            we_did=we_did,
            status=PublicationStatus.PUBLISHED,
            actions=[actions[a] for a in linked],
        )
        db.session.add(entry)
        history.created(published, entry, you_said[:40], leader)


def _check_published_figures(survey: Survey) -> None:
    """The demo file must say exactly what the SPOT service published; say so loudly if it does not."""
    db.session.flush()
    db.session.expire(survey, ["groups", "questions"])
    counts = {
        count.group.audience.value: (count.replies, count.respondents) for count in group_counts(survey)
    }
    expected = {
        "sencos": (sum(data.SENCO_REPLIES_PER_RESPONDENT), len(data.SENCO_REPLIES_PER_RESPONDENT)),
        "parents_carers": (data.PARENT_REPLIES, None),
    }
    tallies = {
        (summary.group.audience.value, summary.question.text): {a.value: a.count for a in summary.answers}
        for summary in question_summaries(survey)
    }
    wrong = [
        text for audience, text, tally in data.SURVEY_QUESTIONS if tallies.get((audience, text)) != tally
    ]
    if counts != expected or wrong:
        raise DemoError(
            f"The demo survey file does not give the published figures: replies {counts}, "
            f"questions that differ: {wrong}."
        )


def _evidence(findings: dict, actions: dict, users: dict, history: _History, stored: list[str]) -> None:
    """Each item submitted by its uploader and, where data.py says so, accepted or returned by the head of
    SEND, on the days given. Documents are stored as uploads are (`storage.store_stream`)."""
    leader = users["leader@demo.example"]
    for (
        kind,
        title,
        description,
        content,
        about,
        review_by,
        status,
        comment,
        sensitivity,
        uploader,
        supports,
        for_actions,
        submitted_on,
        reviewed_on,
    ) in data.EVIDENCE:
        submitted = _at(submitted_on)
        item = EvidenceItem(
            kind=EvidenceKind(kind),
            title=title,
            description=description,
            about_date=about,
            review_by=review_by,
            sensitivity=Sensitivity(sensitivity),
            source="Demo partnership",
            status=EvidenceStatus(status),
            url=content if kind == "link" else None,
            note=content if kind == "note" else None,
            uploaded_by=users[uploader],
            findings=[findings[f] for f in supports],
            actions=[actions[a] for a in for_actions],
            created_at=submitted,
            updated_at=submitted,
        )
        facts = {}
        if kind == "document":
            make, filename = content
            upload = storage.store_stream(
                io.BytesIO(getattr(documents, make)(about)),
                filename,
                current_app.config["MAX_CONTENT_LENGTH"],
            )
            if upload.created:
                stored.append(upload.key)
            item.files.append(
                EvidenceFile(
                    version=1,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    size_bytes=upload.size_bytes,
                    sha256=upload.sha256,
                    storage_key=upload.key,
                    uploaded_by=users[uploader],
                    uploaded_at=submitted,
                )
            )
            facts = {"file": upload.filename, "sha256": upload.sha256, "size_bytes": upload.size_bytes}
        db.session.add(item)
        history.created(submitted, item, title, users[uploader], **facts)
        if status != "submitted":
            assert reviewed_on is not None  # data.py gives the day of every review
            reviewed = _at(reviewed_on)
            item.reviewed_by, item.reviewed_at, item.review_comment, item.updated_at = (
                leader,
                reviewed,
                comment,
                reviewed,
            )
            history.add(
                reviewed,
                leader,
                f"evidence_item.{status}",
                item,
                before={"status": "submitted", "review_comment": None},
                after={"status": status, "review_comment": comment},
            )


def _framework() -> Framework:
    """The framework the project ships, loaded as `flask frameworks load` loads it
    (nothing changes if it is there)."""
    try:
        return load_framework(SHIPPED.read_bytes()).framework
    except FrameworkFileError as error:
        raise DemoError(f"The shipped framework could not be loaded: {error.line_for(SHIPPED.name)}")


def _criterion_links(findings: dict, actions: dict, users: dict, history: _History) -> None:
    """The demo's records linked to the shipped framework's criteria by the head of
    SEND (data.CRITERION_LINKS)."""
    db.session.flush()
    framework = _framework()
    criteria = {criterion.key: criterion for criterion in framework.criteria}
    named = {
        LinkKind.FINDING: findings,
        LinkKind.ACTION: actions,
        LinkKind.MEASURE: {row.name: row for row in db.session.scalars(sa.select(Measure))},
        LinkKind.EVIDENCE: {row.title: row for row in db.session.scalars(sa.select(EvidenceItem))},
        LinkKind.SURVEY: {row.title: row for row in db.session.scalars(sa.select(Survey))},
    }
    leader, at = users["leader@demo.example"], _at(data.CRITERIA_LINKED_ON)
    for key, kind, name in data.CRITERION_LINKS:
        kind, criterion = LinkKind(kind), criteria[key]
        target = named[kind].get(name)
        if target is None:
            raise DemoError(
                f"The demo links {key} to {with_article(kind.value)} named '{name}', "
                "which the demo does not have."
            )
        link = CriterionLink(
            criterion_id=criterion.id, kind=kind, created_by=leader, created_at=at, **{kind.column: target.id}
        )
        db.session.add(link)
        db.session.flush()
        history.add(
            at,
            leader,
            "criterion.linked",
            criterion,
            after={"link": link.id, "kind": kind.value, "record_id": target.id, "record": name},
        )


def _self_evaluation(users: dict, history: _History) -> None:
    """A few statements of the demo's self-evaluation (data.SEF_STATEMENTS),
    each version and sign-off on its day."""
    criteria = {criterion.key: criterion for criterion in _framework().criteria}
    named: dict[CitedKind, dict[str, Any]] = {
        CitedKind.MEASURE: {row.name: row for row in db.session.scalars(sa.select(Measure))},
        CitedKind.EVIDENCE: {row.title: row for row in db.session.scalars(sa.select(EvidenceItem))},
        CitedKind.SURVEY: {row.title: row for row in db.session.scalars(sa.select(Survey))},
    }
    numbers: dict[str, int] = {}
    for key, author, on, parts, cited, signed in data.SEF_STATEMENTS:
        numbers[key] = numbers.get(key, 0) + 1
        at, writer = _at(on, 10), users[author]
        version = SefVersion(
            criterion_id=criteria[key].id,
            number=numbers[key],
            author=writer,
            created_at=at,
            **dict(zip(("working_well", "to_improve", "being_done"), parts)),
        )
        db.session.add(version)
        db.session.flush()
        for position, (kind, name) in enumerate(cited):
            target = named[CitedKind(kind)].get(name)
            if target is None:
                raise DemoError(
                    f"The demo's statement for {key} cites {with_article(kind)} named '{name}', "
                    "which the demo does not have."
                )
            db.session.add(
                SefCitation(
                    version_id=version.id,
                    kind=CitedKind(kind),
                    position=position,
                    **{CitedKind(kind).column: target.id},
                )
            )
        history.add(
            at,
            writer,
            "sef_version.saved",
            version,
            after={
                "criterion": key,
                "number": version.number,
                "cited": [f"{kind}:{name}" for kind, name in cited],
            },
        )
        if signed:
            leader, day = users[signed[0]], _at(signed[1], 15)
            row = SefSignOff(
                version_id=version.id, criterion_id=version.criterion_id, signed_by=leader, signed_at=day
            )
            db.session.add(row)
            db.session.flush()
            history.add(
                day,
                leader,
                "sef_sign_off.signed_off",
                row,
                after={"criterion": key, "number": version.number},
            )


def _snapshots() -> int:
    """Take the readiness snapshots still missing, from the day the findings were recorded up to the newest
    one taken (today, on the first load), newest first; returns how many days were taken."""
    first, last = data.INSPECTION["published_on"], today()
    taken = set(
        db.session.scalars(
            sa.select(ReadinessSnapshot.taken_on).distinct().where(ReadinessSnapshot.taken_on >= first)
        )
    )
    newest = max(taken, default=last)
    missing = [newest - timedelta(days=back) for back in range((newest - first).days + 1)]
    missing = [day for day in missing if day not in taken]
    for day in missing:
        take_snapshot(None, on=day)
    return len(missing)
