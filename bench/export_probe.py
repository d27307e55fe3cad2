"""One export in a process of its own: `python -m bench.export_probe pdf|docx|xlsx|pack OUT` prints JSON.

It builds the app from the environment (DATABASE_URL, TRACKER_STORAGE_DIR, SECRET_KEY), notes its
resident memory, then makes the export through the same service function `flask export` calls,
as the command line does (SYSTEM as the actor, today as the as-at date, restricted evidence left
out), writing it to OUT. Memory is read from /proc/self/status: VmRSS after setting up, VmHWM
(the peak) at the end; the PDF renderer's peak from getrusage of the children.
"""

import csv
import io
import json
import resource
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker import create_app
from tracker.dates import today
from tracker.evidence.models import EvidenceFile, EvidenceItem, Sensitivity
from tracker.exports.sef import export_sef
from tracker.exports.services import SYSTEM, ExportRequest, export_pack, export_summary
from tracker.extensions import db

KINDS = ("pdf", "docx", "xlsx", "pack", "sef_docx", "sef_pdf")


def memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak so far) of this process, in MB (MiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def write_export(kind: str, out: Path) -> None:
    wanted = ExportRequest(today())
    if kind.startswith("sef_"):  # the self-evaluation, as `flask export sef` makes it
        out.write_bytes(export_sef(SYSTEM, wanted.as_at, kind.removeprefix("sef_")).content)
    elif kind == "pack":
        chunks, _ = export_pack(SYSTEM, wanted)
        with out.open("wb") as file:
            for chunk in chunks:
                file.write(chunk)
    else:
        out.write_bytes(export_summary(SYSTEM, wanted, kind).content)


def pack_contents(out: Path) -> dict[str, Any]:
    """What went into the pack, read back from the ZIP and its manifest, beside what the database holds."""
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
    documents = [row for row in manifest if row["path"].startswith("findings/")]
    packed = [row for row in documents if not row["note"].startswith("missing")]
    with_files = sa.select(EvidenceFile.evidence_id).distinct()
    items = sa.select(sa.func.count()).select_from(EvidenceItem).where(EvidenceItem.id.in_(with_files))
    return {
        "zip_entries": len(names),
        "document_copies": len(packed),  # a file supporting several findings is copied into each one's folder
        "distinct_documents": len({row["sha256"] for row in packed}),
        "missing_from_storage": len(documents) - len(packed),
        "stored_files": db.session.scalar(sa.select(sa.func.count(sa.distinct(EvidenceFile.storage_key)))),
        "items_with_files": db.session.scalar(items),
        "restricted_items_with_files_left_out": db.session.scalar(
            items.where(EvidenceItem.sensitivity == Sensitivity.RESTRICTED)
        ),
    }


def report_progress(every_s: float = 5) -> None:
    """Every few seconds, the memory so far on stderr: should the export be stopped, its peak is still
    known."""
    started = time.perf_counter()

    def loop() -> None:
        while True:
            time.sleep(every_s)
            print(
                f"progress seconds={time.perf_counter() - started:.0f} rss_mb={memory_mb('VmRSS'):.1f} "
                f"peak_mb={memory_mb('VmHWM'):.1f}",
                file=sys.stderr,
                flush=True,
            )

    threading.Thread(target=loop, daemon=True).start()


def probe(kind: str, out: Path) -> dict[str, Any]:
    app = create_app()
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connected, so the baseline holds the driver too
        baseline = memory_mb("VmRSS")
        report_progress()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        started = time.perf_counter()
        write_export(kind, out)
        seconds = time.perf_counter() - started
        peak = memory_mb("VmHWM")
        # the PDF is laid out by a child process (tracker/exports/pdf_process.py): the largest child's peak,
        # when the export raised it (starting the app already ran `ldconfig -p`, forked at the app's size,
        # for libmagic)
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        renderer = children if children > children_before else None
        result = {
            "kind": kind,
            "seconds": seconds,
            "baseline_mb": baseline,
            "peak_mb": peak,
            "growth_mb": peak - baseline,
            "renderer_peak_mb": renderer,
            "children_peak_before_mb": children_before,
            "size_bytes": out.stat().st_size,
        }
        if kind == "pack":
            result["pack"] = pack_contents(out)
    return result


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        raise SystemExit(f"usage: python -m bench.export_probe {'|'.join(KINDS)} OUT")
    print(json.dumps(probe(sys.argv[1], Path(sys.argv[2]))))


if __name__ == "__main__":
    main()
