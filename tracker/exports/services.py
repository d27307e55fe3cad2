"""Exports: check what was asked, gather the plan as at the date once, render it, and record every export
in the audit log with who asked, the as-at date, the format, whether restricted evidence went in, and
the SHA-256 of what was produced."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from tracker import audit
from tracker.auth.models import User
from tracker.dates import as_at_day, format_date, today
from tracker.errors import UserError
from tracker.evidence.services import EvidenceFilters, list_evidence
from tracker.exports import csvs, gather, summary
from tracker.exports.docx import summary_docx
from tracker.exports.formats import FORMATS
from tracker.exports.pack import stream_pack
from tracker.exports.pdf import summary_pdf, summary_picture
from tracker.exports.summary import Comparison, Summary, SurveyVoice
from tracker.exports.xlsx import summary_xlsx
from tracker.extensions import db
from tracker.measures.services import list_measures
from tracker.measures.status import status_of
from tracker.permissions import can_include_restricted
from tracker.plan.models import Inspection
from tracker.plan.queries import ActionFilters, list_actions
from tracker.plan.services import finding_counts, findings_by_theme
from tracker.readiness.models import ReadinessSnapshot
from tracker.readiness.services import SystemReader, end_of, plan_as_at
from tracker.readiness.state import PlanAt
from tracker.surveys.exports import published_entries
from tracker.surveys.models import Survey
from tracker.surveys.services import group_counts, question_summaries

RENDERERS = {  # the progress summary in each of formats.SUMMARY_COMMAND_FORMATS
    "pdf": summary_pdf,
    "docx": summary_docx,
    "xlsx": summary_xlsx,
    "png": summary_picture,  # the first page as a picture: `flask export summary --format png` only
}
LISTS = ("actions", "evidence", "findings", "measures")
SURVEYS_SHOWN = 6  # surveys in the summary's "what families and professionals said", the newest
HEADLINES_SHOWN = 4  # questions per survey, each with its most chosen answer and base
MAX_ROWS = 100_000  # a CSV of a list holds every row that matches, up to this many
SYSTEM = None  # the actor when the command line exports: there is nobody signed in


class ExportError(UserError):
    """What was asked for cannot be exported; the message is shown to the user."""


class RestrictedRefused(ExportError):
    """Someone other than a leader asked to include restricted evidence."""


DETAILS = ("summary", "everything")


@dataclass(frozen=True)
class ExportRequest:
    as_at: date
    inspection_id: int | None = None
    include_restricted: bool = False
    detail: str = (
        "summary"  # "summary": the story first, green actions one line each; "everything": every row in full
    )
    compare_with: date | None = None  # the change since this date; None: since the last snapshot before as_at
    accepted_only: bool = (
        False  # the evidence pack: accepted evidence only (the choice for packs meant for inspectors)
    )


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    mimetype: str


@dataclass
class ListFilters:
    """What a CSV of a list is filtered by: the same filters as the list's own page."""

    actions: ActionFilters = field(default_factory=ActionFilters)
    evidence: EvidenceFilters = field(default_factory=EvidenceFilters)
    archived: bool = False  # findings and measures: their pages only show archived ones or live ones
    query: dict = field(default_factory=dict)  # the query string as asked, for the audit log


class Exported:
    """What an export's audit event is about: the plan as a whole, which has no row of its own."""

    __tablename__ = "export"
    id = None


def reader_of(actor):
    """Who an export reads the plan as: the person asking, or for the command line
    (SYSTEM) the system as a leader."""
    return SystemReader("system (command line)") if actor is SYSTEM else actor


def parse_as_at(raw: str | None) -> date:
    """An as-at date from the address (YYYY-MM-DD); today when none is given."""
    return _address_day(raw, "The as-at date", "as_at")


def parse_compare_with(raw: str | None) -> date | None:
    """The date to compare with from the address (YYYY-MM-DD); None, the last snapshot, when none is given."""
    return _address_day(raw, "The date to compare with", "compare_with") if raw else None


def _address_day(raw: str | None, what: str, field: str) -> date:
    try:
        return as_at_day(raw, what)
    except ValueError as problem:
        raise ExportError(str(problem), field) from None


def check_request(actor: User | None, wanted: ExportRequest) -> None:
    """Refuse a future date, a comparison date not before it, an unknown inspection or detail, and restricted
    evidence asked for by anyone but a leader."""
    if wanted.as_at > today():
        raise ExportError("The as-at date must be today or in the past.", "as_at")
    if wanted.compare_with is not None and wanted.compare_with > today():
        raise ExportError("The date to compare with must be today or in the past.", "compare_with")
    if wanted.compare_with is not None and wanted.compare_with >= wanted.as_at:
        raise ExportError("The date to compare with must be before the as-at date.", "compare_with")
    if wanted.detail not in DETAILS:
        raise ExportError("Choose how much detail: summary or everything.", "detail")
    if wanted.inspection_id is not None and db.session.get(Inspection, wanted.inspection_id) is None:
        raise ExportError("There is no inspection with that number. Choose one from the list.", "inspection")
    if wanted.include_restricted and actor is not SYSTEM and not can_include_restricted(actor):
        raise RestrictedRefused(
            "Only leaders can include restricted evidence in an export.", "include_restricted"
        )


def describe_request(what: str, wanted: ExportRequest) -> list[tuple[str, str]]:
    """What a summary's or the pack's address asks for, in words,
    for the page that offers it before anything is made."""
    inspection = db.session.get(Inspection, wanted.inspection_id) if wanted.inspection_id else None
    rows = [
        ("As at", format_date(wanted.as_at)),
        ("Inspection", inspection.title if inspection else "All inspections"),
        ("How much detail", "Everything" if wanted.detail == "everything" else "Summary"),
        (
            "Compare with",
            format_date(wanted.compare_with)
            if wanted.compare_with
            else "The last readiness snapshot before the as-at date",
        ),
    ]
    if what == "zip":
        rows.append(
            (
                "Which evidence",
                "Accepted evidence only" if wanted.accepted_only else "All evidence, whatever its status",
            )
        )
    return rows + [_restricted_row(wanted.include_restricted)]


def describe_list(name: str, filters: ListFilters, include_restricted: bool) -> list[tuple[str, str]]:
    """What a list's CSV address asks for, in words, for the page that offers it before anything is made."""
    chosen = "; ".join(
        f"{key} {', '.join(values)}" for key, values in filters.query.items() if key != "restricted"
    )
    rows = [("List", name.capitalize()), ("Filters", chosen or "None: every row")]
    return (rows + [_restricted_row(include_restricted)]) if name == "evidence" else rows


def _restricted_row(included: bool) -> tuple[str, str]:
    return "Restricted evidence", "Included, and recorded in the audit log" if included else "Left out"


def gather_plan(actor: User | None, wanted: ExportRequest) -> PlanAt:
    """The one gathering every summary format and the pack read: the plan as at the date, restricted evidence
    left out unless included."""
    check_request(actor, wanted)
    reader = reader_of(actor)
    plan = plan_as_at(
        wanted.as_at, reader, include_restricted=wanted.include_restricted, inspection_id=wanted.inspection_id
    )
    return gather.printable(gather.without_restricted(plan))


def gather_summary(actor: User | None, wanted: ExportRequest, plan: PlanAt | None = None) -> Summary:
    """The one gathering the three summary formats read: the plan as at the date (accepted evidence only when
    asked, as for the pack's summary), the readiness it is compared with, the inspections' outcomes and what
    the surveys said."""
    plan = plan or gather_plan(actor, wanted)
    shown = gather.accepted_only(plan) if wanted.accepted_only else plan
    reader = reader_of(actor)
    comparison = _comparison(reader, wanted, plan)
    return summary.build(
        shown,
        wanted.detail,
        comparison,
        gather.printable(survey_voices(wanted.as_at)),
        gather.printable(_outcomes(plan, wanted.inspection_id)),
    )


def _comparison(reader, wanted: ExportRequest, plan: PlanAt) -> Comparison | None:
    """Readiness of the plan's findings on an earlier day: the plan as at the chosen date, or else the last
    snapshot taken before the as-at date. Snapshots count no restricted evidence, so a summary that includes
    it is compared with the plan as at that snapshot's day, worked out the same way, instead."""
    chosen = {finding.id for finding in plan.findings}
    on, source = wanted.compare_with, "chosen date"
    if on is None:
        on, source = (
            db.session.scalar(
                sa.select(sa.func.max(ReadinessSnapshot.taken_on)).where(
                    ReadinessSnapshot.taken_on < wanted.as_at
                )
            ),
            "snapshot",
        )
        if on is None:
            return None
        if not wanted.include_restricted:
            rows = (
                db.session.execute(
                    sa.select(ReadinessSnapshot.finding_id, ReadinessSnapshot.readiness).where(
                        ReadinessSnapshot.taken_on == on
                    )
                )
                .tuples()
                .all()
            )
            return Comparison(
                on, source, {finding_id: colour for finding_id, colour in rows if finding_id in chosen}
            )
    then = plan_as_at(
        on,
        reader,
        include_restricted=wanted.include_restricted,
        inspection_id=wanted.inspection_id,
        with_files=False,
    )
    return Comparison(on, source, {f.id: f.readiness for f in then.findings if f.id in chosen})


def _outcomes(plan: PlanAt, inspection_id: int | None) -> str:
    """Each inspection in the summary with its outcome (one of the framework's
    three) and the report's summary."""
    chosen = {inspection_id} if inspection_id else {f.inspection_id for f in plan.findings}
    rows = db.session.scalars(
        sa.select(Inspection).where(Inspection.id.in_(chosen)).order_by(Inspection.start_date)
    )
    return " ".join(_outcome_of(row) for row in rows)


def _outcome_of(row: Inspection) -> str:
    said = " ".join(
        part.rstrip(".") + "." for part in (row.outcome_label, row.report_summary.strip()) if part
    )
    return f"{row.title}: {said}" if said else f"{row.title}."


def survey_voices(as_at: date) -> list[SurveyVoice]:
    """The newest surveys opened by the as-at date: who replied, the most chosen answer to each question, and
    the published "you said, we did" entries. Replies are counted as they stand when the summary is made."""
    surveys = db.session.scalars(
        sa.select(Survey)
        .where(
            Survey.archived_at.is_(None),
            Survey.opened_on.is_not(None),
            Survey.opened_on <= as_at,
            Survey.created_at <= end_of(as_at),
        )
        .order_by(Survey.opened_on.desc(), Survey.id.desc())
        .limit(SURVEYS_SHOWN)
    ).all()
    voices = []
    for survey in surveys:
        period = " to ".join(format_date(day) for day in (survey.opened_on, survey.closed_on) if day)
        headlines = []
        for question in question_summaries(survey)[:HEADLINES_SHOWN]:
            top = max(question.answers, key=lambda answer: answer.count, default=None)
            if top is not None:
                headlines.append(
                    f"{question.question.text} ({question.group.audience.label}): {top.value}, {top.in_words}"
                )
        bases = [count.in_words for count in group_counts(survey) if count.replies] or [
            "No replies counted yet"
        ]
        voices.append(
            SurveyVoice(
                survey.title,
                period,
                bases,
                headlines,
                [(e.you_said, e.we_did, e.status) for e in published_entries(survey)],
            )
        )
    return voices


def export_summary(actor: User | None, wanted: ExportRequest, fmt: str) -> Export:
    """The progress summary in one format, recorded with its fingerprint."""
    mimetype, render = FORMATS[fmt].mimetype, RENDERERS[fmt]
    content = render(gather_summary(actor, wanted))
    record_export(actor, "export.summary", wanted, fmt, hashlib.sha256(content).hexdigest(), len(content))
    db.session.commit()
    return Export(content, f"readiness-summary-{wanted.as_at.isoformat()}.{fmt}", mimetype)


def export_pack(actor: User | None, wanted: ExportRequest) -> tuple[Iterator[bytes], str]:
    """The evidence pack as a stream of chunks, and its file name.

    The audit event is written when the last chunk has been produced, with the SHA-256 and size of the
    ZIP as streamed. A download abandoned part way is recorded too, as not completed, with no hash.
    """
    plan = gather_plan(actor, wanted)
    pdf = summary_pdf(
        gather_summary(actor, wanted, plan)
    )  # accepted evidence only, like the files, when so chosen
    actor_id = getattr(actor, "id", None)

    def finished(sha256: str | None, size: int) -> None:
        who = db.session.get(User, actor_id) if actor_id else SYSTEM
        record_export(who, "export.pack", wanted, "zip", sha256, size, completed=sha256 is not None)
        db.session.commit()

    return _recorded_stream(
        plan, pdf, finished, wanted.accepted_only
    ), f"evidence-pack-{wanted.as_at.isoformat()}.zip"


def _recorded_stream(plan: PlanAt, pdf: bytes, finished, accepted_only: bool) -> Iterator[bytes]:
    sent = 0
    done = False

    def on_finish(sha256: str, size: int) -> None:
        nonlocal done
        done = True
        finished(sha256, size)

    try:
        for chunk in stream_pack(plan, pdf, on_finish, accepted_only=accepted_only):
            sent += len(chunk)
            yield chunk
    finally:
        if not done:
            finished(None, sent)


def export_list(actor: User, name: str, filters: ListFilters, include_restricted: bool = False) -> Export:
    """A list as CSV with the filters its page was showing; evidence keeps the page's visibility rules, and
    restricted evidence is left out unless a leader includes it."""
    wanted = ExportRequest(today(), include_restricted=include_restricted)
    check_request(actor, wanted)
    content = csvs.to_csv(csvs.COLUMNS[name], _list_rows(actor, name, filters, include_restricted))
    record_export(
        actor,
        "export.list_csv",
        wanted,
        "csv",
        hashlib.sha256(content).hexdigest(),
        len(content),
        list=name,
        filters=filters.query,
    )
    db.session.commit()
    return Export(content, csvs.filename(name, wanted.as_at), FORMATS["csv"].mimetype)


def _list_rows(actor: User, name: str, filters: ListFilters, include_restricted: bool) -> list[tuple]:
    if name == "actions":
        return csvs.action_rows(list_actions(filters.actions, per_page=MAX_ROWS).rows)
    if name == "evidence":
        items = list_evidence(actor, filters.evidence, per_page=MAX_ROWS).items
        return csvs.evidence_rows([i for i in items if include_restricted or not i.is_restricted])
    if name == "findings":
        return csvs.finding_rows(findings_by_theme(filters.archived), finding_counts())
    on = today()
    measures = list_measures(filters.archived, per_page=MAX_ROWS).items
    return csvs.measure_rows([(measure, status_of(measure, on)) for measure in measures])


def record_export(
    actor, verb: str, wanted: ExportRequest, fmt: str, sha256: str | None, size: int, **more
) -> None:
    audit.record(
        actor,
        verb,
        Exported(),
        after={
            "format": fmt,
            "as_at": wanted.as_at,
            "inspection_id": wanted.inspection_id,
            "include_restricted": wanted.include_restricted,
            "detail": wanted.detail,
            "compare_with": wanted.compare_with,
            "accepted_only": wanted.accepted_only,
            "sha256": sha256,
            "size_bytes": size,
            **more,
        },
    )
