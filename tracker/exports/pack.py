"""The evidence pack: a ZIP streamed chunk by chunk, never held whole in memory.

Inside: index.html (findings, then their actions, then the evidence, linking to the files in the
pack; it loads nothing from outside), summary.pdf, one folder per finding under findings/, and
manifest.csv with every file's path, SHA-256 and size. A file that supports several findings is
copied into the folder of each, so each folder is complete on its own; the manifest lists every copy.
"""

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import render_template

from tracker import storage
from tracker.dates import LONDON
from tracker.exports import gather
from tracker.exports.csvs import neutralise
from tracker.readiness.state import EvidenceAt, PlanAt

CHUNK = 64 * 1024
MANIFEST_COLUMNS = ("path", "sha256", "size_bytes", "finding", "evidence", "note")


@dataclass(frozen=True)
class PackFile:
    path: str           # inside the pack
    finding_id: int
    finding: str        # the finding's reference
    evidence: EvidenceAt
    filename: str
    sha256: str         # as recorded when it was uploaded
    size: int
    storage_key: str
    missing: bool       # the file is not in storage: listed, not packed


class _Sink:
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
    """Where each document goes in the pack: findings/<reference>/<evidence id>-<file name>."""
    files, used = [], set()
    for section in gather.sections(plan):
        folder = _folder(section.finding.reference, section.finding.id, used)
        for item in section.evidence:
            latest = gather.latest_file(item)
            if latest is None:
                continue
            _, name, sha256, size, key = latest
            present = _in_storage(key)
            files.append(PackFile(f"findings/{folder}/{item.id}-{storage.clean_filename(name)}", section.finding.id,
                                  section.finding.reference,
                                  item, name, sha256, size, key, missing=not present))
    return files


def _in_storage(key: str) -> bool:
    try:
        return storage.path_of(key).is_file()
    except storage.StorageError:
        return False


def index_html(plan: PlanAt, files: list[PackFile]) -> str:
    by_item = {(file.finding_id, file.evidence.id): file for file in files}

    def for_action(section: gather.FindingSection, action_id: int) -> list[EvidenceAt]:
        return [item for item in section.evidence if action_id in item.action_ids]

    return render_template("exports/pack_index.html", plan=plan, sections=gather.sections(plan), files=by_item,
                           for_action=for_action,
                           title=f"Evidence pack: {plan.partnership}", as_at_line=gather.as_at_line(plan),
                           cover=gather.cover_lines(plan), readiness_labels=gather.READINESS_LABELS,
                           evidence_status=gather.EVIDENCE_STATUS, kinds=gather.EVIDENCE_KINDS, due=gather.due_text)


def stream_pack(plan: PlanAt, summary_pdf: bytes, on_finish: Callable[[str, int], None]) -> Iterator[bytes]:
    """Yield the ZIP in chunks; when the last one is out, call on_finish(sha256 of the whole ZIP, its size)."""
    files = layout(plan)
    sink = _Sink()
    manifest: list[tuple] = []
    when = _local(plan.produced_at).timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("index.html", index_html(plan, files).encode("utf-8")), ("summary.pdf", summary_pdf)):
            archive.writestr(zipfile.ZipInfo(name, when), content, compress_type=zipfile.ZIP_DEFLATED)
            manifest.append((name, hashlib.sha256(content).hexdigest(), len(content), "", "", ""))
            yield from sink.take()
        for file in files:
            if file.missing:
                manifest.append((file.path, file.sha256, file.size, file.finding, file.evidence.title, "missing from storage: not packed"))
                continue
            entry_hash, size = yield from _copy(archive, file, when, sink)
            note = "" if entry_hash == file.sha256 else f"differs from the SHA-256 recorded at upload ({file.sha256})"
            manifest.append((file.path, entry_hash, size, file.finding, file.evidence.title, note))
        archive.writestr(zipfile.ZipInfo("manifest.csv", when), _manifest(manifest), compress_type=zipfile.ZIP_DEFLATED)
    yield from sink.take()
    on_finish(sink.digest.hexdigest(), sink.size)


def _copy(archive: zipfile.ZipFile, file: PackFile, when, sink: _Sink) -> Iterator[bytes]:
    """Copy one stored file into the archive a chunk at a time; returns the SHA-256 and size of what was read."""
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

