"""The evidence pack: a ZIP streamed chunk by chunk, never held whole in memory.

Inside: index.html (findings, then their actions, then the evidence, linking to the files in the
pack; it loads nothing from outside and its policy forbids scripts), summary.pdf, one folder per
finding under findings/, and manifest.csv with every file's path, SHA-256 and size. A file that
supports several findings is copied into the folder of each, so each folder is complete on its own;
the manifest lists every copy. Only allowed document types go in (`storage.is_allowed_document`,
by extension and content together); a pack for inspectors holds accepted evidence only.
"""

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import render_template

from tracker import storage
from tracker.dates import LONDON
from tracker.exports import gather
from tracker.exports.csvs import neutralise
from tracker.readiness.state import EvidenceAt, PlanAt

CHUNK = 64 * 1024
MANIFEST_COLUMNS = ("path", "sha256", "size_bytes", "finding", "evidence", "note")
MISSING = "missing from storage: not packed"
NOT_ALLOWED = "not an allowed document type: not packed"


@dataclass(frozen=True)
class PackFile:
    path: str  # inside the pack
    finding_id: int
    finding: str  # the finding's reference
    evidence: EvidenceAt
    filename: str
    sha256: str  # as recorded when it was uploaded
    size: int
    storage_key: str
    left_out: str = (
        ""  # why the file is listed in the manifest but not packed (MISSING, NOT_ALLOWED); "" when packed
    )


class Sink:
    """A write-only file with no seek or tell, which zipfile writes into; what it holds is taken as the
    next chunk to send, and everything taken is hashed and counted: the fingerprint of the whole pack."""

    def __init__(self):
        self._parts: list[bytes] = []
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:  # zipfile never closes a file it was given: here to be one it can take
        pass

    def take(self) -> Iterator[bytes]:
        data = b"".join(self._parts)
        self._parts.clear()
        if data:
            self.digest.update(data)
            self.size += len(data)
            yield data


def _folder(reference: str, finding_id: int, used: set[str]) -> str:
    name = storage.clean_filename(reference)
    if name.lower() in used:  # two inspections may use the same reference
        name = f"{name} ({finding_id})"
    used.add(name.lower())
    return name


def layout(plan: PlanAt) -> list[PackFile]:
    """Where each document goes in the pack: findings/<reference>/<evidence id>-<file name>,
    and why any cannot."""
    files: list[PackFile] = []
    used: set[str] = set()
    checked: dict[tuple[str, str], str] = {}  # (storage key, name) -> why it is left out
    for section in gather.sections(plan):
        folder = _folder(section.finding.reference, section.finding.id, used)
        for item in section.evidence:
            latest = gather.latest_file(item)
            if latest is None:
                continue
            _, name, sha256, size, key = latest
            packed_name = storage.clean_filename(name)
            if (key, packed_name) not in checked:  # a document under several findings is read once here
                checked[key, packed_name] = left_out_because(key, packed_name)
            files.append(
                PackFile(
                    f"findings/{folder}/{item.id}-{packed_name}",
                    section.finding.id,
                    section.finding.reference,
                    item,
                    name,
                    sha256,
                    size,
                    key,
                    checked[key, packed_name],
                )
            )
    return files


def left_out_because(key: str, name: str) -> str:
    """Why a stored file cannot be packed, judged from its first bytes as stored; "" when it can."""
    try:
        with storage.open_stored(key) as source:
            head = source.read(storage.SNIFF_BYTES)
        return "" if storage.is_allowed_document(name, head, storage.path_of(key)) else NOT_ALLOWED
    except (storage.StorageError, OSError):
        return MISSING


def web_link(url: str | None) -> bool:
    """Whether a link evidence's address is shown as a link: web addresses only,
    never javascript: or file:."""
    return url is not None and url.strip().lower().startswith(("https://", "http://"))


def index_html(plan: PlanAt, files: list[PackFile], accepted_only: bool = False, left_out: int = 0) -> str:
    by_item = {(file.finding_id, file.evidence.id): file for file in files}

    def for_action(section: gather.FindingSection, action_id: int) -> list[EvidenceAt]:
        return [item for item in section.evidence if action_id in item.action_ids]

    return render_template(
        "exports/pack_index.html",
        plan=plan,
        sections=gather.sections(plan),
        files=by_item,
        for_action=for_action,
        accepted_only=accepted_only,
        not_accepted=left_out,
        web_link=web_link,
        missing=MISSING,
        title=f"Evidence pack: {plan.partnership}",
        as_at_line=gather.as_at_line(plan),
        cover=gather.cover_lines(plan),
        readiness_labels=gather.READINESS_LABELS,
        evidence_status=gather.EVIDENCE_STATUS,
        kinds=gather.EVIDENCE_KINDS,
        due=gather.due_text,
    )


def stream_pack(
    plan: PlanAt, summary_pdf: bytes, on_finish: Callable[[str, int], None], accepted_only: bool = False
) -> Iterator[bytes]:
    """Yield the ZIP in chunks; when the last one is out, call on_finish(sha256 of the whole ZIP, its size).
    With accepted_only, evidence not accepted at the as-at date is left out of the files,
    index and manifest."""
    packed = gather.accepted_only(plan) if accepted_only else plan
    files = layout(packed)
    sink = Sink()
    manifest: list[tuple] = []
    when = _local(plan.produced_at).timetuple()[:6]
    index = index_html(packed, files, accepted_only, len(plan.evidence) - len(packed.evidence))
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("index.html", index.encode("utf-8")), ("summary.pdf", summary_pdf)):
            archive.writestr(zipfile.ZipInfo(name, when), content, compress_type=zipfile.ZIP_DEFLATED)
            manifest.append((name, hashlib.sha256(content).hexdigest(), len(content), "", "", ""))
            yield from sink.take()
        for file in files:
            if file.left_out:  # judged once, by layout, from the stored file's own bytes
                manifest.append(
                    (file.path, file.sha256, file.size, file.finding, file.evidence.title, file.left_out)
                )
                continue
            entry_hash, size = yield from copy_into(archive, file, when, sink)
            note = (
                ""
                if entry_hash == file.sha256
                else f"differs from the SHA-256 recorded at upload ({file.sha256})"
            )
            manifest.append((file.path, entry_hash, size, file.finding, file.evidence.title, note))
        archive.writestr(
            zipfile.ZipInfo("manifest.csv", when), _manifest(manifest), compress_type=zipfile.ZIP_DEFLATED
        )
    yield from sink.take()
    on_finish(sink.digest.hexdigest(), sink.size)


class Packable(Protocol):
    """What copy_into reads of a stored file: where it goes in the ZIP, its size and where it is stored."""

    @property
    def path(self) -> str: ...

    @property
    def size(self) -> int: ...

    @property
    def storage_key(self) -> str: ...


def copy_into(
    archive: zipfile.ZipFile, file: Packable, when, sink: Sink
) -> Generator[bytes, None, tuple[str, int]]:
    """Copy one stored file into the archive a chunk at a time;
    returns the SHA-256 and size of what was read."""
    info = zipfile.ZipInfo(file.path, when)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = file.size  # lets zipfile choose ZIP64 up front for a file over 2 GiB
    content_hash, size = hashlib.sha256(), 0
    with storage.open_stored(file.storage_key) as source, archive.open(info, "w") as target:
        while chunk := source.read(CHUNK):
            content_hash.update(chunk)
            size += len(chunk)
            target.write(chunk)
            yield from sink.take()
    yield from sink.take()
    return content_hash.hexdigest(), size


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON) if moment.tzinfo else moment


def _manifest(rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8")
