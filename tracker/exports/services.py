"""Exports: check what was asked, gather the plan as at the date once, render it, and record every export
in the audit log with who asked, the as-at date, the format, whether restricted evidence went in, and
the SHA-256 of what was produced."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from tracker import audit
from tracker.auth.models import User
from tracker.evidence.services import EvidenceFilters, list_evidence
from tracker.exports import csvs, gather
from tracker.exports.docx import summary_docx
from tracker.exports.pack import stream_pack
from tracker.exports.pdf import summary_pdf
from tracker.exports.xlsx import summary_xlsx
from tracker.extensions import db
from tracker.measures.services import list_measures
from tracker.measures.status import status_of
from tracker.models import Role
from tracker.permissions import can_include_restricted
from tracker.plan.models import Inspection
from tracker.plan.queries import ActionFilters, list_actions
from tracker.plan.services import finding_counts, findings_by_theme, today
from tracker.readiness.services import plan_as_at
from tracker.readiness.state import PlanAt
from tracker.storage import DOCX, XLSX

FORMATS = {
    "pdf": ("application/pdf", summary_pdf),
    "docx": (DOCX, summary_docx),
    "xlsx": (XLSX, summary_xlsx),
}
LISTS = ("actions", "evidence", "findings", "measures")
MAX_ROWS = 100_000  # a CSV of a list holds every row that matches, up to this many
SYSTEM = None  # the actor when the command line exports: there is nobody signed in


class ExportError(Exception):
    """What was asked for cannot be exported; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RestrictedRefused(ExportError):
    """Someone other than a leader asked to include restricted evidence."""


@dataclass(frozen=True)
class ExportRequest:
    as_at: date
    inspection_id: int | None = None
    include_restricted: bool = False


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


class _SystemReader:
    """Who the command line reads the plan as: everything on the plan, as a leader would; restricted evidence
    still only when --include-restricted is given."""

    is_authenticated = True
    role = Role.LEADER
    id = None
    name = "system (command line)"
    email = None


class _Exported:
    """What an export's audit event is about: the plan as a whole, which has no row of its own."""

    __tablename__ = "export"
    id = None


def parse_as_at(raw: str | None) -> date:
    """An as-at date from the address (YYYY-MM-DD); today when none is given."""
    if not raw:
        return today()
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ExportError("The as-at date must be a real date written as year-month-day, like 2026-03-31.", "as_at") from None


def check_request(actor: User | None, wanted: ExportRequest) -> None:
    """Refuse a future date, an unknown inspection, and restricted evidence asked for by anyone but a leader."""
    if wanted.as_at > today():
        raise ExportError("The as-at date must be today or in the past.", "as_at")
    if wanted.inspection_id is not None and db.session.get(Inspection, wanted.inspection_id) is None:
        raise ExportError("There is no inspection with that number. Choose one from the list.", "inspection")
    if wanted.include_restricted and actor is not SYSTEM and not can_include_restricted(actor):
        raise RestrictedRefused("Only leaders can include restricted evidence in an export.", "include_restricted")


def gather_plan(actor: User | None, wanted: ExportRequest) -> PlanAt:
    """The one gathering every summary format and the pack read: the plan as at the date, restricted evidence
    left out unless included."""
    check_request(actor, wanted)
    reader = _SystemReader() if actor is SYSTEM else actor
    plan = plan_as_at(wanted.as_at, reader, include_restricted=wanted.include_restricted, inspection_id=wanted.inspection_id)
    return gather.printable(gather.without_restricted(plan))


def export_summary(actor: User | None, wanted: ExportRequest, fmt: str) -> Export:
    """The progress summary in one format, recorded with its fingerprint."""
    mimetype, render = FORMATS[fmt]
    content = render(gather_plan(actor, wanted))
    _record(actor, "export.summary", wanted, fmt, hashlib.sha256(content).hexdigest(), len(content))
    db.session.commit()
    return Export(content, f"readiness-summary-{wanted.as_at.isoformat()}.{fmt}", mimetype)


def export_pack(actor: User | None, wanted: ExportRequest) -> tuple[Iterator[bytes], str]:
    """The evidence pack as a stream of chunks, and its file name.

    The audit event is written when the last chunk has been produced, with the SHA-256 and size of the
    ZIP as streamed. A download abandoned part way is recorded too, as not completed, with no hash.
    """
    plan = gather_plan(actor, wanted)
    pdf = summary_pdf(plan)
    actor_id = getattr(actor, "id", None)

    def finished(sha256: str | None, size: int) -> None:
        who = db.session.get(User, actor_id) if actor_id else SYSTEM
        _record(who, "export.pack", wanted, "zip", sha256, size, completed=sha256 is not None)
        db.session.commit()

    return _recorded_stream(plan, pdf, finished), f"evidence-pack-{wanted.as_at.isoformat()}.zip"


def _recorded_stream(plan: PlanAt, pdf: bytes, finished) -> Iterator[bytes]:
    sent = 0
    done = False

    def on_finish(sha256: str, size: int) -> None:
        nonlocal done
        done = True
        finished(sha256, size)

    try:
        for chunk in stream_pack(plan, pdf, on_finish):
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
    _record(actor, "export.list_csv", wanted, "csv", hashlib.sha256(content).hexdigest(), len(content),
            list=name, filters=filters.query)
    db.session.commit()
    return Export(content, csvs.filename(name, wanted.as_at), "text/csv; charset=utf-8")


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


def _record(actor, verb: str, wanted: ExportRequest, fmt: str, sha256: str | None, size: int, **more) -> None:
    audit.record(actor, verb, _Exported(), after={
        "format": fmt, "as_at": wanted.as_at, "inspection_id": wanted.inspection_id,
        "include_restricted": wanted.include_restricted, "sha256": sha256, "size_bytes": size, **more,
    })

