"""The API's further resources: progress updates, evidence metadata, measures with their readings, and survey
summaries (docs/api.md). The same pattern as resources.py: `as_at_of()`, the page's own filter reader, the
plan as at the day (`plan_for`) or a query, one page by cursor, and `answer(...)`. A page is read in a fixed
number of queries whatever its size: the rows of the page, then one query for each kind of thing hanging off
them (selectinload or a grouped query), never one per row."""

from datetime import date

import sqlalchemy as sa
from flask import request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from tracker.api import schemas_more as schemas
from tracker.api.lists import (
    Param,
    answer,
    as_at_of,
    next_link,
    offered,
    operation,
    page_in_sql,
    plan_for,
    whole_number,
)
from tracker.api.problems import bad_parameter
from tracker.api.resources import _values
from tracker.evidence.forms import read_evidence_filters
from tracker.evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, Sensitivity
from tracker.evidence.services import evidence_conditions
from tracker.permissions import visible_evidence_clause
from tracker.plan.models import ProgressUpdate
from tracker.readiness.services import end_of

# Progress updates ----------------------------------------------------------------------------------------

UPDATE_FILTERS = [
    Param(
        "action",
        {"type": "integer", "minimum": 1},
        "Only this action's updates (its id), as the action's page lists them.",
    ),
]


@operation("/progress-updates", "Progress updates on the actions", schemas.ProgressUpdateList, UPDATE_FILTERS)
def progress_updates():
    """Each progress update written by the end of `as_at` (dated that day or earlier, and entered by then) on
    an action the actions list holds as at that day, by id. Updates are never changed once written."""
    day = as_at_of()
    action = whole_number("action")
    plan = plan_for(day)
    action_ids = [action] if action else sorted(plan.actions)
    query = (
        sa.select(ProgressUpdate)
        .where(
            ProgressUpdate.action_id.in_([found for found in action_ids if found in plan.actions]),
            ProgressUpdate.written_on <= day,
            ProgressUpdate.created_at <= end_of(day),
        )
        .options(selectinload(ProgressUpdate.author))
    )
    page = page_in_sql(query, ProgressUpdate.id)
    return answer(
        schemas.ProgressUpdateList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                schemas.ProgressUpdate(
                    id=update.id,
                    action_id=update.action_id,
                    action_reference=plan.actions[update.action_id].reference,
                    written_on=update.written_on,
                    author=update.author.name,
                    body=update.body,
                    percent_complete=update.percent_complete,
                    status=update.status,
                    status_label=update.status.label,
                    rag_note=update.rag_note,
                )
                for update in page.items
            ],
        )
    )


# Evidence metadata ---------------------------------------------------------------------------------------

EVIDENCE_FILTERS = [
    Param(
        "include_restricted",
        {"type": "boolean"},
        "true: include restricted evidence the token's maker may see (leaders: all; anyone else: what they "
        "added). Left out or false: no restricted item, even to a leader.",
    ),
    Param("status", _values(EvidenceStatus), "Only evidence with this status."),
    Param("kind", _values(EvidenceKind), "Only documents, links or notes."),
    Param("sensitivity", _values(Sensitivity), "Only evidence of this sensitivity."),
    Param(
        "finding",
        {"type": "integer", "minimum": 1},
        "Only evidence supporting this finding (its id) or its live actions, as the evidence list filters.",
    ),
    Param(
        "action", {"type": "string", "maxLength": 40}, "Only evidence supporting this action (its reference)."
    ),
    Param(
        "added_by", {"type": "string", "maxLength": 254}, "Part of the name or email address of who added it."
    ),
    Param("about_from", {"type": "string", "format": "date"}, "Only evidence about this day or later."),
    Param("about_to", {"type": "string", "format": "date"}, "Only evidence about this day or earlier."),
    Param("text", {"type": "string", "maxLength": 200}, "Words in the title or description."),
    Param(
        "expired",
        {"type": "string", "enum": ["1"]},
        "1: only evidence whose review-by date has passed, as the evidence list's filter.",
    ),
]
BOOLEAN = {"true": True, "false": False}


def _evidence_args() -> MultiDict:
    """The request's filters as the evidence list's address carries them, for its one reader
    (`read_evidence_filters`): the API takes a day as YYYY-MM-DD, the page as day, month and year. A value the
    page would ignore is a 400 here, since a report should know its filter did nothing."""
    args = MultiDict(request.args)
    for name in ("about_from", "about_to"):
        raw = request.args.get(name)
        if raw:
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise bad_parameter(name, f"{name} must be a date: YYYY-MM-DD.") from None
            if day.year < 1900:
                raise bad_parameter(name, f"{name} must be 1900 or later.")
            args.setlist(name, [str(day.day), str(day.month), str(day.year)])
    for name, kind in (("status", EvidenceStatus), ("kind", EvidenceKind), ("sensitivity", Sensitivity)):
        offered(name, [member.value for member in kind])
    whole_number("finding")
    offered("expired", ["1"])
    if request.args.get("include_restricted", "") not in ("", *BOOLEAN):
        raise bad_parameter("include_restricted", "include_restricted must be true or false.")
    return args


@operation(
    "/evidence", "Evidence: its metadata, never a file's content", schemas.EvidenceList, EVIDENCE_FILTERS
)
def evidence():
    """Each live item of evidence the token's maker may see that was added by the end of `as_at`, filtered as
    the evidence list filters (the same reader and conditions), by id. Titles, status and links are as they
    are now. Restricted evidence only with include_restricted=true, and then only what the maker may see. No
    file's content, description, note or address: a file's name, size and type at most."""
    day = as_at_of()
    _, filters = read_evidence_filters(_evidence_args())
    include_restricted = BOOLEAN.get(request.args.get("include_restricted", ""), False)
    if filters.sensitivity is Sensitivity.RESTRICTED and not include_restricted:
        raise bad_parameter(
            "sensitivity", "Restricted evidence is listed only with include_restricted=true: add it."
        )
    cutoff = end_of(day)
    conditions = [*evidence_conditions(current_user, filters), EvidenceItem.created_at <= cutoff]
    if not include_restricted:
        conditions.append(EvidenceItem.sensitivity != Sensitivity.RESTRICTED)
    # visible_evidence_clause is in evidence_conditions already; said again here, where the API's one rule on
    # restricted evidence is read (docs/api.md): leaders all, anyone else only what they added
    conditions.append(visible_evidence_clause(current_user, EvidenceItem))
    query = (
        sa.select(EvidenceItem)
        .where(*conditions)
        .options(
            selectinload(EvidenceItem.uploaded_by),
            selectinload(EvidenceItem.findings),
            selectinload(EvidenceItem.actions),
            selectinload(EvidenceItem.files),
        )
    )
    page = page_in_sql(query, EvidenceItem.id)
    data = []
    for item in page.items:
        files = [found for found in item.files if found.uploaded_at <= cutoff]
        latest = files[-1] if files else None
        data.append(
            schemas.EvidenceMetadata(
                id=item.id,
                title=item.title,
                kind=item.kind,
                kind_label=item.kind.label,
                status=item.status,
                status_label=item.status.label,
                sensitivity=item.sensitivity,
                sensitivity_label=item.sensitivity.label,
                about_date=item.about_date,
                review_by=item.review_by,
                expired=item.review_by is not None and item.review_by < day,
                uploaded_by=item.uploaded_by.name,
                added_on=item.created_at.date(),
                finding_ids=sorted(finding.id for finding in item.findings),
                action_ids=sorted(action.id for action in item.actions),
                file=schemas.EvidenceFileMetadata(
                    name=latest.filename,
                    size_bytes=latest.size_bytes,
                    content_type=latest.content_type,
                    version=latest.version,
                )
                if latest
                else None,
                page=url_for("evidence.detail", evidence_id=item.id, _external=True),
            )
        )
    return answer(schemas.EvidenceList(as_at=day, next=next_link(page.next_after, day), data=data))
