"""The information requests pack: a period's requests with their responses and the evidence sent, as a ZIP
streamed like the evidence pack (tracker/exports/pack.py), never held whole in memory.

Inside: index.html (each request with its status, owner, due time, response and files, linking to the files in
the pack; no script, nothing loaded from outside), index.csv (the same, one row a request), one folder per
request under requests/ holding the latest version of each document attached, and manifest.csv with every
file's path, SHA-256 and size. Requests that name a child and restricted evidence stay out unless a leader
includes them; the reader's own visibility rules apply on top (docs/information-requests.md).
"""

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import joinedload, selectinload

from tracker import audit, storage
from tracker.auth.models import User
from tracker.dates import LONDON, format_date
from tracker.evidence.models import EvidenceItem, Sensitivity
from tracker.exports.csvs import neutralise, to_csv
from tracker.exports.pack import MISSING, Sink, copy_into, left_out_because, web_link
from tracker.exports.services import Exported, ExportError, RestrictedRefused
from tracker.extensions import db
from tracker.information_requests.models import InformationRequest, InspectionPeriod, RequestEvidence
from tracker.models import utcnow
from tracker.permissions import can_include_restricted, can_view_evidence, visible_request_clause

INDEX_COLUMNS = (
    "Reference",
    "Request",
    "Category",
    "Owner",
    "Due",
    "Status",
    "Response",
    "Names a child",
    "Files",
    "Other evidence",
)
MANIFEST_COLUMNS = ("path", "sha256", "size_bytes", "request", "evidence", "note")


@dataclass(frozen=True)
class PackedFile:
    path: str  # inside the ZIP
    request: str  # the request's reference
    evidence: EvidenceItem
    filename: str
    sha256: str  # as recorded at upload
    size: int
    storage_key: str
    left_out: str = ""  # why the file is listed but not packed; "" when packed


@dataclass
class PackedRequest:
    request: InformationRequest
    files: list[PackedFile] = field(default_factory=list)
    others: list[EvidenceItem] = field(
        default_factory=list
    )  # links and notes: named in the index, nothing to copy
    withheld: int = 0  # restricted evidence attached, left out


@dataclass
class RequestsPack:
    period: InspectionPeriod
    requests: list[PackedRequest]
    include_restricted: bool
    withheld_requests: int  # requests naming a child left out (of those this reader may see)
    produced_at: datetime


def check(actor: User, period: InspectionPeriod | None, include_restricted: bool) -> InspectionPeriod:
    """The period to export, if this person may export it as asked; otherwise an ExportError saying why."""
    if period is None:
        raise ExportError(
            "There are no information requests to export: no inspection period has been opened."
        )
    if include_restricted and not can_include_restricted(actor):
        raise RestrictedRefused(
            "Only leaders can include requests that name a child, and restricted evidence, in an export.",
            "include_restricted",
        )
    return period


def gather(actor: User, period: InspectionPeriod, include_restricted: bool) -> RequestsPack:
    """The period's requests this person may see, by due time, with the evidence attached that goes in: two
    queries and one per table of evidence files."""
    rows = db.session.scalars(
        sa.select(InformationRequest)
        .where(InformationRequest.period_id == period.id, visible_request_clause(actor, InformationRequest))
        .order_by(InformationRequest.due_at, InformationRequest.id)
        .options(
            joinedload(InformationRequest.owner),
            selectinload(InformationRequest.attachments)
            .joinedload(RequestEvidence.evidence)
            .selectinload(EvidenceItem.files),
        )
    ).all()
    kept = [row for row in rows if include_restricted or not row.names_child]
    used, packed = set(), []
    for row in kept:
        entry = PackedRequest(row)
        folder = storage.clean_filename(row.reference)
        for link in row.attachments:
            item = link.evidence
            if not can_view_evidence(actor, item) or (
                item.sensitivity is Sensitivity.RESTRICTED and not include_restricted
            ):
                entry.withheld += 1
                continue
            if not item.files:
                entry.others.append(item)
                continue
            latest = item.files[-1]
            name = storage.clean_filename(latest.filename)
            path = f"requests/{folder}/{item.id}-{name}"
            if path in used:
                continue
            used.add(path)
            entry.files.append(
                PackedFile(
                    path,
                    row.reference,
                    item,
                    latest.filename,
                    latest.sha256,
                    latest.size_bytes,
                    latest.storage_key,
                    left_out_because(latest.storage_key, name),
                )
            )
        packed.append(entry)
    return RequestsPack(period, packed, include_restricted, len(rows) - len(kept), utcnow())


def _due(row: InformationRequest) -> str:
    return format_date(row.due_at)


def index_html(pack: RequestsPack) -> str:
    return render_template(
        "exports/requests_index.html",
        pack=pack,
        due=_due,
        web_link=web_link,
        missing=MISSING,
        title=f"Information requests: inspection notified on {format_date(pack.period.notified_on)}",
    )


def index_csv(pack: RequestsPack) -> bytes:
    rows = [
        (
            entry.request.reference,
            entry.request.wording,
            entry.request.category.label,
            entry.request.owner.name,
            _due(entry.request),
            entry.request.status.label,
            entry.request.response,
            entry.request.names_child,
            "; ".join(
                file.path if not file.left_out else f"{file.filename} ({file.left_out})"
                for file in entry.files
            ),
            "; ".join(item.url or item.title for item in entry.others),
        )
        for entry in pack.requests
    ]
    return to_csv(INDEX_COLUMNS, rows)


def stream(pack: RequestsPack, on_finish) -> Iterator[bytes]:
    """Yield the ZIP in chunks; when the last is out, call on_finish(sha256 of the whole ZIP, its size)."""
    sink, manifest = Sink(), []
    when = pack.produced_at.astimezone(LONDON).timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("index.html", index_html(pack).encode("utf-8")),
            ("index.csv", index_csv(pack)),
        ):
            archive.writestr(zipfile.ZipInfo(name, when), content, compress_type=zipfile.ZIP_DEFLATED)
            manifest.append((name, hashlib.sha256(content).hexdigest(), len(content), "", "", ""))
            yield from sink.take()
        for entry in pack.requests:
            for file in entry.files:
                if file.left_out:
                    manifest.append(
                        (file.path, file.sha256, file.size, file.request, file.evidence.title, file.left_out)
                    )
                    continue
                entry_hash, size = yield from copy_into(archive, file, when, sink)
                note = (
                    ""
                    if entry_hash == file.sha256
                    else f"differs from the SHA-256 recorded at upload ({file.sha256})"
                )
                manifest.append((file.path, entry_hash, size, file.request, file.evidence.title, note))
        archive.writestr(
            zipfile.ZipInfo("manifest.csv", when), _manifest(manifest), compress_type=zipfile.ZIP_DEFLATED
        )
    yield from sink.take()
    on_finish(sink.digest.hexdigest(), sink.size)


def _manifest(rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def export_requests(
    actor: User, period: InspectionPeriod | None, include_restricted: bool
) -> tuple[Iterator[bytes], str]:
    """The pack as a stream and its file name. The audit event is written when the last chunk is out, with the
    ZIP's SHA-256 and size; a download abandoned part way is recorded as not completed."""
    period = check(actor, period, include_restricted)
    pack = gather(actor, period, include_restricted)
    actor_id = actor.id
    details = {
        "format": "zip",
        "period": period.id,
        "notified_on": period.notified_on,
        "include_restricted": include_restricted,
        "requests": len(pack.requests),
        "files": sum(len(entry.files) for entry in pack.requests),
    }

    def finished(sha256: str | None, size: int) -> None:
        audit.record(
            db.session.get(User, actor_id),
            "export.requests_pack",
            Exported(),
            after={**details, "sha256": sha256, "size_bytes": size, "completed": sha256 is not None},
        )
        db.session.commit()

    def chunks() -> Iterator[bytes]:
        sent, done = 0, False

        def on_finish(sha256: str, size: int) -> None:
            nonlocal done
            done = True
            finished(sha256, size)

        try:
            for chunk in stream(pack, on_finish):
                sent += len(chunk)
                yield chunk
        finally:
            if not done:
                finished(None, sent)

    return chunks(), f"information-requests-{period.notified_on.isoformat()}.zip"
