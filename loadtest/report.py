"""What one run measured, the targets it met or missed, and loadtest/results.md and results.json."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

from bench import report as bench_report
from bench.report import machine, stamp  # noqa: F401  (the load report names the machine as the bench's does)
from loadtest import RECOVERY_TARGET_S

KINDS = ("read", "progress update", "upload", "sign-in")
SERVER_LOG_SIGNS = {
    "database is locked": "database is locked",
    "tracebacks": "Traceback (most recent call last)",
    "503s logged": "The database did not answer",
    "worker timeouts": "WORKER TIMEOUT",
}


def percentile(values: list[float], share: float) -> float | None:
    """Linear interpolation between the closest ranks (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency(times_ms: list[float]) -> dict[str, float | None]:
    return {
        "p50_ms": percentile(times_ms, 0.5),
        "p95_ms": percentile(times_ms, 0.95),
        "p99_ms": percentile(times_ms, 0.99),
        "max_ms": max(times_ms) if times_ms else None,
    }


def most_in_flight(records: list[list]) -> int:
    """The most requests waiting for an answer at one moment: the concurrency the server really saw."""
    edges = sorted(
        [(r[0], 1) for r in records] + [(r[0] + r[1] / 1000, -1) for r in records], key=lambda e: (e[0], e[1])
    )
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


def is_error(status: int) -> bool:
    return status == 0 or status >= 400


def summarise(
    swarm: dict[str, Any], fault: dict[str, Any] | None, check: dict[str, Any], server_log: dict[str, int]
) -> dict[str, Any]:
    started, ended = swarm["started"], swarm["ended"]
    # the clock starts once everyone has signed in: what finished before is the ramp-up, reported apart
    records = [r for r in swarm["records"] if r[0] + r[1] / 1000 >= started]
    ramp = [r for r in swarm["records"] if r[0] + r[1] / 1000 < started]
    seconds = ended - started
    errors = [r for r in records if is_error(r[4])]
    summary = {
        "seconds": seconds,
        "people_signed_in": swarm["signed_in"],
        "people_running_at_end": swarm["users_running_at_end"],
        "requests": len(records),
        "requests_per_s": len(records) / seconds,
        "most_in_flight": most_in_flight(records),
        "by_kind": {
            kind: {
                "requests": sum(1 for r in records if r[2] == kind),
                "errors": sum(1 for r in errors if r[2] == kind),
                **latency([r[1] for r in records if r[2] == kind]),
            }
            for kind in KINDS
        },
        "latency": latency([r[1] for r in records]),
        "errors_by_status": dict(sorted(Counter(str(r[4]) for r in errors).items())),
        "what_people_saw": _seen(errors),
        "database_is_locked": sum(1 for r in swarm["records"] if r[6]),
        "tracebacks": sum(1 for r in swarm["records"] if r[7]),
        "status_500": sum(1 for r in swarm["records"] if r[4] == 500),
        "sign_ins": {
            "attempted": len(swarm["sign_ins"]),
            "accepted": sum(1 for s in swarm["sign_ins"] if s["accepted"]),
        },
        "ramp": {"requests": len(ramp), "failed": sum(1 for r in ramp if is_error(r[4]))},
        "writes": {kind: check[kind] for kind in ("progress", "upload", "sign_in")},
        "refusals": dict(
            Counter(w.get("message", "") for w in swarm["writes"] if w["outcome"] == "refused").most_common(5)
        ),
        "audit_chain": check["audit_chain"],
        "orphan_files": check["orphan_files"],
        "temporary_files": check["temporary_files"],
        "server_log": server_log,
        "client": swarm["client"],
        "fault": fault,
    }
    if fault:
        summary["fault"] = {**fault, **_during(swarm["records"], fault)}
    summary["targets"] = targets(summary)
    return summary


def _seen(errors: list[list]) -> list[dict[str, Any]]:
    seen = Counter(
        (r[4], r[5] or ("the connection was closed or refused" if r[4] == 0 else "")) for r in errors
    )
    return [{"status": status, "page": page, "requests": n} for (status, page), n in seen.most_common()]


def _during(records: list[list], fault: dict[str, Any]) -> dict[str, Any]:
    """Failed requests while the fault lasted (from the fault until /healthz answered again) and after it."""
    start = fault["at"]
    end = start + (fault["recovered_after_s"] if fault["recovered_after_s"] is not None else 60)
    failed = [r for r in records if is_error(r[4])]
    during = [r for r in failed if r[0] <= end and r[0] + r[1] / 1000 >= start]
    after = [r for r in failed if r[0] > end]
    return {
        "failed_during": len(during),
        "failed_during_by_status": dict(Counter(str(r[4]) for r in during)),
        "seen_during": _seen(during),
        "failed_after": len(after),
        "client_error_window_s": [
            min(r[0] + r[1] / 1000 for r in during) - start,
            max(r[0] + r[1] / 1000 for r in during) - start,
        ]
        if during
        else None,
    }


def _target(name: str, measured: str, met: bool) -> dict[str, Any]:
    return {"target": name, "measured": measured, "result": "MET" if met else "MISSED"}


def targets(s: dict[str, Any]) -> list[dict[str, Any]]:
    writes = s["writes"]
    lost = sum(len(writes[k]["lost"]) for k in ("progress", "upload")) + writes["sign_in"]["lost"]
    incomplete = sum(len(writes[k]["incomplete"]) for k in ("progress", "upload"))
    lied = sum(len(writes[k]["said_not_saved_but_saved"]) for k in ("progress", "upload"))
    twice = sum(len(writes[k].get("saved_twice", [])) for k in ("progress", "upload"))
    accepted = sum(writes[k]["accepted"] for k in ("progress", "upload", "sign_in"))
    locked = s["database_is_locked"] + s["server_log"]["database is locked"]
    chain = s["audit_chain"]
    fault = s["fault"]
    rows = [
        _target(
            "Every person signed in with their own account",
            f"{s['people_signed_in']} signed in",
            s["people_signed_in"] >= s["sign_ins"]["accepted"] > 0
            and s["people_running_at_end"] == s["people_signed_in"],
        ),
        _target("No accepted write lost", f"{lost} lost of {accepted} accepted", lost == 0),
        _target(
            "Every accepted write whole (row, file, fingerprint, author, audit event)",
            f"{incomplete} incomplete",
            incomplete == 0,
        ),
        _target("Nothing saved after the person was told it was not", f"{lied}", lied == 0),
        _target("No write saved twice (a retry with the same one-time key)", f"{twice}", twice == 0),
        _target(
            'No "database is locked" shown or logged',
            f"{s['database_is_locked']} shown, {s['server_log']['database is locked']} logged",
            locked == 0,
        ),
        _target(
            "No traceback shown, no 500",
            f"{s['tracebacks']} tracebacks, {s['status_500']} × 500",
            s["tracebacks"] == 0 and s["status_500"] == 0,
        ),
        _target(
            "Audit chain whole after the load",
            "whole" if chain["whole"] else f"broken: {chain['problem']}",
            chain["whole"],
        ),
        _target(
            "No temporary upload file left in storage", f"{s['temporary_files']}", s["temporary_files"] == 0
        ),
    ]
    if fault is None:
        errors = sum(int(n) for n in s["errors_by_status"].values()) + s["ramp"]["failed"]
        rows.append(_target("No failed request", f"{errors}", errors == 0))
    else:
        recovered = fault["recovered_after_s"]
        rows.append(
            _target(
                f"Service answering again within {RECOVERY_TARGET_S} s",
                "never" if recovered is None else f"{recovered:.1f} s",
                recovered is not None and recovered <= RECOVERY_TARGET_S,
            )
        )
        rows.append(
            _target(
                "No failed request once recovered", f"{fault['failed_after']}", fault["failed_after"] == 0
            )
        )
    return rows


def server_log_signs(log: Path) -> dict[str, int]:
    text = log.read_text(errors="replace") if log.exists() else ""
    return {name: text.count(sign) for name, sign in SERVER_LOG_SIGNS.items()}


# --- the machine and the files ------------------------------------------------------------------------------


def versions(postgres: str | None) -> dict[str, Any]:
    return bench_report.versions(postgres, ("Flask", "SQLAlchemy", "gunicorn", "locust", "psycopg"))


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _summary_table(runs: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| database | fault | requests | per s | people (most in flight) | failed requests "
        "| p50 ms | p95 ms | p99 ms | max ms "
        "| writes accepted: progress / uploads / sign-ins | lost | audit chain | recovered after | targets |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|---|",
    ]
    for run in runs:
        if "error" in run:
            rows.append(
                f"| {TITLES[run['backend']]} | {run['scenario']} | FAILED: {run['error']} |" + " |" * 12
            )
            continue
        s, w = run["summary"], run["summary"]["writes"]
        lost = sum(len(w[k]["lost"]) for k in ("progress", "upload")) + w["sign_in"]["lost"]
        failed = sum(int(n) for n in s["errors_by_status"].values())
        missed = [t["target"] for t in s["targets"] if t["result"] != "MET"]
        rows.append(
            f"| {TITLES[run['backend']]} | {run['scenario']} | "
            f"{s['requests']:,} | {s['requests_per_s']:.1f} | "
            f"{s['people_signed_in']} ({s['most_in_flight']}) | {failed} | "
            f"{_ms(s['latency']['p50_ms'])} | {_ms(s['latency']['p95_ms'])} | "
            f"{_ms(s['latency']['p99_ms'])} | {_ms(s['latency']['max_ms'])} | "
            f"{w['progress']['accepted']} / {w['upload']['accepted']} / {w['sign_in']['accepted']} | "
            f"{lost} | "
            f"{'whole' if s['audit_chain']['whole'] else 'BROKEN'} "
            f"({s['audit_chain']['checked']:,} events) | "
            f"{_s(s['fault']['recovered_after_s']) if s['fault'] else '-'} | "
            + (f"**{len(missed)} missed**" if missed else "all met")
            + " |"
        )
    return rows


def _run_section(run: dict[str, Any]) -> list[str]:
    title = f"### {TITLES[run['backend']]}, fault: {run['scenario']}"
    if "error" in run:
        return [title, "", f"**The run broke:** {run['error']}", ""]
    s = run["summary"]
    lines = [title, "", "| target | measured | result |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | **{t['result']}** |" for t in s["targets"]]
    lines += [
        "",
        "| requests | count | failed | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    lines += [
        (
            f"| {kind} | {k['requests']:,} | {k['errors']} | "
            f"{_ms(k['p50_ms'])} | {_ms(k['p95_ms'])} | {_ms(k['p99_ms'])} | {_ms(k['max_ms'])} |"
        )
        for kind, k in s["by_kind"].items()
        if k["requests"]
    ]
    lat = s["latency"]
    lines.append(
        f"| **all** | **{s['requests']:,}** | **{sum(int(n) for n in s['errors_by_status'].values())}** | "
        f"{_ms(lat['p50_ms'])} | {_ms(lat['p95_ms'])} | {_ms(lat['p99_ms'])} | {_ms(lat['max_ms'])} |"
    )
    lines += [
        "",
        f"{s['requests_per_s']:.1f} requests/s over {s['seconds']:.0f} s; {s['people_signed_in']} people "
        f"signed in (before the clock started: {s['sign_ins']['accepted']} of {s['sign_ins']['attempted']} "
        f"sign-ins accepted, {s['ramp']['requests']} requests, {s['ramp']['failed']} failed), "
        f"{s['people_running_at_end']} still running at the end; at most {s['most_in_flight']} requests "
        "waiting at once.",
    ]
    if s["what_people_saw"]:
        lines += [
            "",
            "Failed requests, by what the person saw: "
            + "; ".join(
                f"{seen['status'] or 'no answer'} “{seen['page']}” × {seen['requests']}"
                for seen in s["what_people_saw"]
            )
            + ".",
        ]
    lines += [
        "",
        "| writes | attempted | accepted | refused | failed | no answer | found | lost | incomplete "
        "| told not saved, but saved | saved twice | sent again |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, name in (("progress", "progress updates"), ("upload", "uploads")):
        w = s["writes"][kind]
        lines.append(
            f"| {name} | {w['attempted']} | {w['accepted']} | {w['refused']} | {w['failed']} | "
            f"{w['no answer']} | {w['found']} | {len(w['lost'])} | {len(w['incomplete'])} | "
            f"{len(w['said_not_saved_but_saved'])} | {len(w.get('saved_twice', []))} | "
            f"{w.get('retried', 0)} |"
        )
    si = s["writes"]["sign_in"]
    lines.append(
        f"| sign-ins (audit events) | {si['attempted']} | {si['accepted']} | - | - | - | "
        f"{si['accepted'] - si['lost']} | {si['lost']} | - | - | - | - |"
    )
    told = Counter()
    for kind in ("progress", "upload"):
        told.update(s["writes"][kind].get("told", {}))
    if set(told) - {"saved"}:
        lines += [
            "",
            "What the write answers said (every try): "
            + "; ".join(f"{said} × {n}" for said, n in told.most_common())
            + ".",
        ]
    if s["refusals"]:
        lines += [
            "",
            "Refused (the form came back with this message): "
            + "; ".join(f"“{m}” × {n}" for m, n in s["refusals"].items())
            + ".",
        ]
    nothing = sum(s["writes"][k]["no_answer_but_saved"] for k in ("progress", "upload"))
    if nothing:
        lines += [
            "",
            f"{nothing} write(s) got no answer (the connection was cut) and were saved all the same: the "
            "person would see them on reloading; they were not accepted, so they are not counted as lost.",
        ]
    f = s["fault"]
    if f:
        lines += [
            "",
            (
                f"**Fault:** {f['what']}, {f['at'] - run['started']:.1f} s into the run. /healthz answered "
                f"200 again after {_s(f['answered_after_s'])}"
            )
            + (f"; the restart command took {f['command_s']:.1f} s" if "command_s" in f else "")
            + (
                (
                    "; a new worker had loaded the app, ready to answer, after "
                    f"{_s(f['worker_replaced_after_s'])}"
                )
                if "worker_replaced_after_s" in f
                else ""
            )
            + f". Failed requests while it lasted: {f['failed_during']}"
            + (
                " ("
                + "; ".join(
                    f"{seen['status'] or 'no answer'} “{seen['page']}” × {seen['requests']}"
                    for seen in f["seen_during"]
                )
                + ")"
                if f["seen_during"]
                else ""
            )
            + (
                (
                    f", between {f['client_error_window_s'][0]:.1f} s and "
                    f"{f['client_error_window_s'][1]:.1f} s after the fault"
                )
                if f["client_error_window_s"]
                else ""
            )
            + f"; after it: {f['failed_after']}.",
        ]
    log = s["server_log"]
    lines += [
        "",
        (
            f"Server log: {log['database is locked']} “database is locked”, {log['tracebacks']} "
            f"tracebacks, {log['503s logged']} requests answered 503 because the database did not answer, "
            f"{log['worker timeouts']} worker timeouts. Storage: {s['orphan_files']} file(s) no row refers "
            f"to, {s['temporary_files']} temporary file(s). Load client: Locust {s['client']['locust']}"
        )
        + (
            "; it warned that it used over 90% of a core, so it may have held the load back"
            if s["client"]["cpu_warning"]
            else ""
        )
        + ".",
    ]
    return lines + [""]


def write(results: dict[str, Any], folder: Path) -> None:
    (folder / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    m, v, st = results["machine"], results["versions"], results["settings"]
    lines = [
        "# Load test results",
        "",
        (
            f"{results['date']}, commit "
            f"{v['git_commit']}{' with uncommitted changes' if v['git_uncommitted_changes'] else ''}; "
            f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory; Python {v['python']}, SQLite "
            f"{v['sqlite']}"
        )
        + (f", PostgreSQL {v['postgresql_server']}" if "postgresql_server" in v else "")
        + (
            f", Flask {v['Flask']}, SQLAlchemy {v['SQLAlchemy']}, psycopg {v['psycopg']}, gunicorn "
            f"{v['gunicorn']}, Locust {v['locust']}."
        ),
        "",
        f"Each run: a fresh database with the demo partnership and {st['people']} people ({st['mix']}), "
        f"gunicorn with {st['workers']} sync workers, the load client (Locust) on the same machine. "
        f"Everyone signs in with their own account, then for {st['seconds']} s each waits "
        f"{st['think_s'][0]}–{st['think_s'][1]} s and reads a page, reports progress or uploads a small "
        f"PDF, Word or text file. A fault comes {st['seconds'] * st['fault_at']:.0f} s in. PostgreSQL: "
        f"{st['postgresql']}. How each figure is made: loadtest/README.md.",
        "",
        *_changed_during(v),
        "## Summary",
        "",
        *_summary_table(results["runs"]),
        "",
        "## Each run",
        "",
    ]
    for run in results["runs"]:
        lines += _run_section(run)
    (folder / "results.md").write_text("\n".join(lines))


def _changed_during(v: dict[str, Any]) -> list[str]:
    end = v.get("git_commit_at_end", v["git_commit"])
    if end == v["git_commit"]:
        return []
    return [
        f"**The code changed during the run** ({v['git_commit']} at the start, {end} at the end). Run it "
        "again on a tree nobody is changing.",
        "",
    ]


def missed(results: dict[str, Any]) -> list[str]:
    out = []
    for run in results["runs"]:
        name = f"{TITLES[run['backend']]} {run['scenario']}"
        if "error" in run:
            out.append(f"{name}: {run['error']}")
        else:
            out += [
                f"{name}: {t['target']} ({t['measured']})"
                for t in run["summary"]["targets"]
                if t["result"] != "MET"
            ]
    return out
