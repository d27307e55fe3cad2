"""Building the demo partnership from tracker.demo.data, once."""

import io
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from tracker import audit
from tracker.auth.models import User
from tracker.auth.services import AuthError, create_user, parse_role
from tracker.demo import data, documents
from tracker.evidence.models import EvidenceItem, EvidenceKind, Sensitivity
from tracker.evidence.services import EvidenceData, Upload, create_evidence, review_evidence
from tracker.extensions import db
from tracker.measures.models import Direction, Frequency, Measure, MeasureReading
from tracker.plan.models import (
    Action,
    ActionStatus,
    DueDateRevision,
    Finding,
    FindingKind,
    Inspection,
    InspectionType,
    Partner,
    Priority,
    ProgressUpdate,
    Theme,
)
from tracker.surveys.importer import SurveyFileError, import_replies
from tracker.surveys.models import PublicationStatus, Survey, SurveyComment, YouSaidWeDid
from tracker.surveys.services import group_counts, question_summaries

FILES = Path(__file__).parent / "files"


class DemoError(Exception):
    """The demo could not be loaded; the message says why."""


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def _add(obj, label: str):
    db.session.add(obj)
    db.session.flush()
    audit.record(None, f"{obj.__tablename__}.created", obj, after={"source": "demo", "label": label})
    return obj


def load_demo(password: str) -> bool:
    """Load the demo partnership; returns False, changing nothing, when it is already all there.

    The plan, measures and survey go in one transaction; each evidence item is then added through
    the upload service (which commits per item), and any item missing after an interrupted load
    is added on the next run.
    """
    exists = db.session.scalar(sa.select(Inspection.id).where(Inspection.title == data.INSPECTION["title"]))
    if exists is not None:
        return _evidence() > 0
    try:
        users = _users(password)
        themes = {name: _add(Theme(name=name, description=text, position=i), name)
                  for i, (name, text) in enumerate(data.THEMES)}
        findings = _findings(data.INSPECTION, data.FINDINGS, themes, users)
        findings |= _findings(data.SELF_EVALUATION, data.SELF_FINDINGS, themes, users)
        actions = _actions(findings, users)
        _measures(findings, actions, users)
        _survey(findings, actions, themes)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    _evidence()
    return True


def _noon(day) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


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


def _findings(source: dict, rows: list, themes: dict, users: dict) -> dict[str, Finding]:
    inspection = _add(Inspection(**{**source, "type": InspectionType(source["type"])}), source["title"])
    findings = {}
    for reference, kind, theme, title, wording, partner, lead in rows:
        findings[reference] = _add(
            Finding(inspection=inspection, reference=reference, kind=FindingKind(kind), theme=themes[theme],
                    title=title, wording=wording, accountable_partner=Partner(partner), lead=users[lead]),
            reference,
        )
    return findings


def _actions(findings: dict, users: dict) -> dict[str, Action]:
    actions = {}
    for (reference, title, description, outcome, owner, contributors, partner, priority,
         start, due, status, percent, answers) in data.ACTIONS:
        actions[reference] = _add(
            Action(reference=reference, title=title, description=description, intended_outcome=outcome,
                   owner=users[owner], contributors=[users[c] for c in contributors], partner=Partner(partner),
                   priority=Priority(priority), start_date=start, due_date=due, status=ActionStatus(status),
                   percent_complete=percent, findings=[findings[f] for f in answers],
                   created_at=_noon(start or data.INSPECTION["published_on"])),
            reference,
        )
    for reference, previous, new, reason, by, changed_on in data.DUE_DATE_REVISIONS:
        action = actions[reference]
        _add(DueDateRevision(action_id=action.id, previous_due_date=previous, new_due_date=new, reason=reason,
                             changed_by=users[by], changed_at=_noon(changed_on)), reference)
        action.revised_due_date = new
    for reference, written_on, author, percent, status, body in data.PROGRESS_UPDATES:
        _add(ProgressUpdate(action=actions[reference], author=users[author], written_on=written_on, body=body,
                            percent_complete=percent, status=ActionStatus(status),
                            created_at=_noon(written_on)),
             reference)
    return actions


def _measures(findings: dict, actions: dict, users: dict) -> None:
    for (name, description, unit, direction, (baseline, baseline_on), (target, target_on), frequency,
         source, owner, evidences, for_actions, readings) in data.MEASURES:
        measure = _add(
            Measure(name=name, description=description, unit=unit, direction=Direction(direction),
                    baseline_value=baseline, baseline_date=baseline_on, target_value=target, target_date=target_on,
                    frequency=Frequency(frequency), source=source, owner=users[owner],
                    findings=[findings[f] for f in evidences], actions=[actions[a] for a in for_actions]),
            name,
        )
        for period_end, value, note in readings:
            _add(MeasureReading(measure=measure, period_end=period_end, value=value, note=note,
                                entered_by=users[owner]), name)


def _survey(findings: dict, actions: dict, themes: dict) -> None:
    """The SPOT survey, its replies imported from the demo's Microsoft Forms export as a leader would."""
    spec = data.SURVEY
    survey = _add(Survey(title=spec["title"], service=spec["service"], teams=spec["teams"],
                         description=spec["description"], opened_on=spec["opened_on"], closed_on=spec["closed_on"],
                         findings=[findings[f] for f in spec["findings"]]), spec["title"])
    path = FILES / data.SURVEY_FILE
    try:
        import_replies(None, survey, path.name, path.read_bytes(), data.SURVEY_MAPPING, commit=False)
    except SurveyFileError as error:
        raise DemoError(f"The demo survey file {path.name} could not be imported: {error}")
    _check_published_figures(survey)
    comments = {comment.text: comment for comment in
                db.session.scalars(sa.select(SurveyComment).where(SurveyComment.survey_id == survey.id))}
    for audience, theme, finding, text in data.SURVEY_COMMENTS:
        comment = comments.get(text)
        if comment is None or comment.group.audience.value != audience:
            raise DemoError(f"The demo survey file has no comment from {audience} reading '{text[:40]}...'.")
        comment.themes, comment.findings = [themes[theme]], [findings[finding]]
        audit.record(None, "survey_comment.tagged", comment,
                     after={"source": "demo", "themes": [theme], "findings": [finding]})
    for position, (you_said, we_did, linked) in enumerate(data.YOU_SAID_WE_DID):
        _add(YouSaidWeDid(survey_id=survey.id, position=position, you_said=you_said, we_did=we_did,
                          status=PublicationStatus.PUBLISHED, actions=[actions[a] for a in linked]), you_said[:40])


def _check_published_figures(survey: Survey) -> None:
    """The demo file must say exactly what the SPOT service published; say so loudly if it does not."""
    db.session.flush()
    db.session.expire(survey, ["groups", "questions"])
    counts = {count.group.audience.value: (count.replies, count.respondents) for count in group_counts(survey)}
    expected = {"sencos": (sum(data.SENCO_REPLIES_PER_RESPONDENT), len(data.SENCO_REPLIES_PER_RESPONDENT)),
                "parents_carers": (data.PARENT_REPLIES, None)}
    tallies = {(summary.group.audience.value, summary.question.text): {a.value: a.count for a in summary.answers}
               for summary in question_summaries(survey)}
    wrong = [text for audience, text, tally in data.SURVEY_QUESTIONS if tallies.get((audience, text)) != tally]
    if counts != expected or wrong:
        raise DemoError(f"The demo survey file does not give the published figures: replies {counts}, "
                        f"questions that differ: {wrong}.")


def _evidence() -> int:
    """Through the same services as a person's upload and a leader's review, so the demo is what users make.

    Returns how many items were added; items already there (by title) are left alone.
    """
    demo_inspections = [data.INSPECTION["title"], data.SELF_EVALUATION["title"]]
    findings = {f.reference: f for f in db.session.scalars(
        sa.select(Finding).join(Finding.inspection).where(Inspection.title.in_(demo_inspections)))}
    actions = {a.reference: a for a in db.session.scalars(sa.select(Action).where(Action.reference.in_([row[0] for row in data.ACTIONS])))}
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_([row[0] for row in data.USERS])))}
    present = set(db.session.scalars(sa.select(EvidenceItem.title)))
    leader = users["leader@demo.example"]
    added = 0
    for (kind, title, description, content, about, review_by, status, comment, sensitivity, uploader, supports,
         for_actions) in data.EVIDENCE:
        if title in present:
            continue
        upload = None
        if kind == "document":
            make, filename = content
            upload = Upload(io.BytesIO(getattr(documents, make)()), filename)
        item = create_evidence(users[uploader], EvidenceData(
            kind=EvidenceKind(kind), title=title, description=description, about_date=about, review_by=review_by,
            sensitivity=Sensitivity(sensitivity), source="Demo partnership",
            url=content if kind == "link" else None, note=content if kind == "note" else None,
            finding_ids=[findings[f].id for f in supports], action_ids=[actions[a].id for a in for_actions]), upload)
        if status != "submitted":
            review_evidence(leader, item, accept=status == "accepted", comment=comment or "")
        added += 1
    return added