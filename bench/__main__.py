"""`python -m bench` (`make bench`): generate the data, measure everything, write bench/results.{md,json}.

Exits 0 when the report was written, even if targets were missed; exits 1 with one line saying
what broke otherwise (generation failed, the server would not start), or, once the report is
written, which page failed (it did not answer 200, or crashed its process).
"""

import os
import re
import shutil
import signal
import sys
import time
import traceback
from typing import Any

from bench import (
    LOGS,
    PEOPLE,
    REPEAT,
    ROOT,
    SCALES,
    SEED,
    WARMUP,
    WORK,
    BenchError,
    BenchTimeout,
    app_env,
    report,
    run_json,
)
from bench.data import (
    Database,
    drop_scratch,
    postgres_version,
    prepare_postgres,
    prepare_sqlite,
    scratch_copy,
)
from bench.load import measure_throughput
from bench.upload import measure_upload

EXPORTS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "pack": "zip", "sef_docx": "docx", "sef_pdf": "pdf"}
EXPORT_TIMEOUT_S = int(
    os.environ.get("BENCH_EXPORT_TIMEOUT", "300")
)  # 30× the PDF's target: enough to call it missed


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


def measure_pages(database: Database) -> dict[str, Any]:
    """Every page, each in its own process; a page that fails is recorded as failed and the rest still
    timed."""
    from bench.pages import PAGES  # noqa: PLC0415 (imports the app; a broken app fails here, with one line)

    say(f"{database.label}: timing the pages")
    objects, results = None, []
    for index, page in enumerate(PAGES):
        try:
            out = run_json(
                "bench.pages",
                [str(index)],
                app_env(database.url, database.storage),
                f"pages-{database.label}-{index:02d}",
                f"{page.name} on {database.label}",
            )
        except BenchError as error:
            results.append({"name": page.name, "endpoint": page.endpoint, "failed": str(error)})
            continue
        objects = objects or out["objects"]
        results.append(out["page"])
    return {"objects": objects, "pages": results}


def measure_exports(
    database: Database, label: str, kinds: tuple[str, ...] = tuple(EXPORTS)
) -> dict[str, Any]:
    results = {}
    for kind in kinds:
        extension = EXPORTS[kind]
        say(f"{label}: export {kind}")
        out = WORK / f"export-{label}.{extension}"
        try:
            results[kind] = run_json(
                "bench.export_probe",
                [kind, str(out)],
                app_env(database.url, database.storage),
                f"export-{kind}-{label}",
                f"the {kind} export on {label}",
                EXPORT_TIMEOUT_S,
            )
        except BenchTimeout as stopped:  # far too slow is a measurement, not a breakage
            progress = re.findall(r"peak_mb=([0-9.]+)", stopped.stderr)
            results[kind] = {
                "kind": kind,
                "stopped_after_s": EXPORT_TIMEOUT_S,
                "peak_mb_so_far": float(progress[-1]) if progress else None,
            }
        finally:
            out.unlink(missing_ok=True)
    return results


def measure_survey_import(database: Database, label: str) -> dict[str, Any]:
    """A 20,000-reply survey export through the import pages, then its comments page, each in a process of its
    own."""
    env = app_env(database.url, database.storage)
    try:
        imported = run_json(
            "bench.survey_import",
            ["import"],
            env,
            f"survey-import-{label}",
            f"the 20,000-reply survey import on {label}",
            900,
        )
        page = run_json(
            "bench.survey_import",
            ["page", str(imported["survey_id"])],
            env,
            f"survey-comments-{label}",
            f"the comments page of the 20,000-reply survey on {label}",
            900,
        )
    except BenchError as error:  # a failure is recorded and reported, and the other measurements still run
        return {"failed": str(error)}
    return {**imported, "comments_page": page}


def measure_reminders(databases: dict[str, Database], server_url: str | None) -> dict[str, Any]:
    """The reminder send job at each scale, on a scratch copy of the data as generated (the job writes what it
    sent), against a real SMTP server, in a process of its own; a failure is recorded and reported, and the
    other measurements still run."""
    results: dict[str, Any] = {}
    for scale, database in databases.items():
        say(f"{database.label}: the reminder send job" + (" (minutes)" if scale == "region" else ""))
        scratch = scratch_copy(database, server_url)
        try:
            results[scale] = run_json(
                "bench.reminders",
                [],
                app_env(scratch.url, scratch.storage),
                f"reminders-{database.label}",
                f"the reminder send job on {database.label}",
                3600,  # the region's run takes minutes; far longer is a breakage
            )
        except BenchError as error:
            results[scale] = {"failed": str(error)}
        finally:
            drop_scratch(scratch, server_url)
    return results


def measure_backend(backend: str, server_url: str | None) -> dict[str, Any]:
    """Every measurement on one kind of database: pages at each scale, the rest on a scratch copy of the
    county."""
    load = {"data": os.getloadavg()[0]}
    databases = {}
    for scale in SCALES:
        say(f"{backend}-{scale}: preparing the data (generating the region takes minutes)")
        databases[scale] = (
            prepare_sqlite(scale) if backend == "sqlite" else prepare_postgres(server_url, scale)
        )
    load["pages"] = os.getloadavg()[0]
    pages = {scale: measure_pages(database) for scale, database in databases.items()}
    # the region's summary PDF (issue 14: 15 s); it records one export event in the region's data, as a
    # leader's would
    region_pdf = (
        measure_exports(databases["region"], f"{backend}-region", ("pdf",)) if "region" in databases else {}
    )
    label = f"{backend}-county"
    scratch = scratch_copy(databases["county"], server_url)
    try:
        load["exports"] = os.getloadavg()[0]
        exports = measure_exports(scratch, label)
        if region_pdf:
            exports["pdf_region"] = region_pdf["pdf"]
        say(f"{label}: throughput")
        load["throughput"] = os.getloadavg()[0]
        urls = {page["name"]: page.get("url") for page in pages["county"]["pages"]}
        paths = {
            "healthz": "/healthz",
            "dashboard": urls["Dashboard"] or "/",
            "actions": urls["Actions list"] or "/actions",
            "api_actions": urls["API: actions"] or "/api/v1/actions",
        }
        throughput = measure_throughput(
            scratch.url,
            scratch.storage,
            paths,
            label,
            PEOPLE.leader,
            PEOPLE.password,
            pages["county"]["objects"]["action"]["id"],
        )
        say(f"{label}: 200 MB upload")
        load["upload"] = os.getloadavg()[0]
        upload = measure_upload(scratch.url, label)
        say(f"{label}: a 20,000-reply survey import and its comments page")
        load["survey_import"] = os.getloadavg()[0]
        survey_import = measure_survey_import(scratch, label)
    finally:
        drop_scratch(scratch, server_url)
    load["reminders"] = os.getloadavg()[0]
    reminders = measure_reminders(databases, server_url)
    run = {
        "generated_s": {scale: database.seconds_to_generate for scale, database in databases.items()},
        "pages": pages,
        "exports": exports,
        "throughput": throughput,
        "upload": upload,
        "survey_import": survey_import,
        "reminders": reminders,
        # other work on the machine slows every figure: the 1-minute load average before each step says how
        # busy it was
        "load_average_before": load,
    }
    run["targets"] = report.targets(run)
    return run


def measure_all() -> dict[str, Any]:
    """SQLite, then PostgreSQL when BENCH_DATABASE_URL is set; the report is rewritten after each."""
    server_url = os.environ.get("BENCH_DATABASE_URL") or None
    data = (
        f"flask demo generate --scale SCALE --seed {SEED}"
        if PEOPLE.generate
        else "flask demo load (the small demo)"
    )
    results: dict[str, Any] = {
        "date": report.stamp(),
        "machine": report.machine(),
        "versions": report.versions(
            postgres_version(server_url) if server_url else None
        ),  # an unreachable server fails now
        "settings": {"data": data, "seed": SEED, "scales": list(SCALES), "warmup": WARMUP, "repeat": REPEAT},
        "backends": {},
    }
    for backend in ("sqlite", "postgresql") if server_url else ("sqlite",):
        results["backends"][backend] = measure_backend(backend, server_url)
        results["versions"]["git_commit_at_end"] = report.commit()  # others may commit while it runs
        report.write(results, ROOT / "bench")
    return results


def main() -> int:
    started = time.perf_counter()
    signal.signal(
        signal.SIGTERM, lambda *_: sys.exit(143)
    )  # stopped: still stop gunicorn and drop the scratch copy
    shutil.rmtree(LOGS, ignore_errors=True)  # only this run's logs, so none can be mistaken for it
    try:
        results = measure_all()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # anything else is a bug in the benchmark: one line here, the rest in the log
        LOGS.mkdir(parents=True, exist_ok=True)
        (LOGS / "bench-error.log").write_text(traceback.format_exc())
        print(
            f"bench: unexpected {type(error).__name__}: {error} "
            "[traceback in bench/work/logs/bench-error.log]",
            file=sys.stderr,
        )
        return 1
    minutes = (time.perf_counter() - started) / 60
    say(f"wrote bench/results.md and bench/results.json in {minutes:.1f} min")
    for backend, run in results["backends"].items():
        met = sum(t["result"] == "MET" for t in run["targets"])
        missed = [t["target"] for t in run["targets"] if t["result"] == "MISSED"]
        say(
            f"{backend}: {met} of {len(run['targets'])} targets met"
            + (f"; missed: {'; '.join(missed)}" if missed else "")
        )
    failed = [
        page["failed"]
        for run in results["backends"].values()
        for scale in run["pages"].values()
        for page in scale["pages"]
        if "failed" in page
    ]
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        print(f"bench: {failed[0]}{more}; bench/results.md marks the failed pages", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
