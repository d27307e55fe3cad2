"""After a run: is every write the server accepted in the database, whole? `python -m loadtest.check
SWARM.json` in the app's environment (DATABASE_URL, TRACKER_STORAGE_DIR) prints the findings as JSON.

The database is read directly, with SQLAlchemy on the same URL the server used: each progress update by the
token in its text, each upload by the token in its title, with its file's SHA-256, the file itself hashed
again from storage, and the audit event that goes with each; sign-ins by their audit events. A write is *lost*
when the server accepted it (redirected to the saved record) and it is not there; *incomplete* when its row is
there but its file, its fingerprint, its author or its audit event is not. Writes the server refused or
failed, or never answered, were not accepted, so they cannot be lost; but one found in the database after the
person was last shown "not saved" is counted too, and so is one whose retry with the same one-time key was
shown "This was already saved" right after a "not saved". A token found in more than one row is a write saved
twice. Then `tracker.audit.verify_chain()` says whether the audit chain is whole, and storage is searched for
files no row refers to and for temporary files left behind.
"""

import hashlib
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

TOKEN = re.compile(r"loadtest-[0-9a-f]{32}")
SAID_NOT_SAVED = ("refused", "failed")  # the person was shown the form again, or an error page


def token_in(text: str | None) -> str | None:
    found = TOKEN.search(text or "")
    return found.group(0) if found else None


def compare(
    attempts: list[dict[str, Any]],
    stored: dict[str, dict[str, Any]],
    audited: set[str],
    problems_of=lambda attempt, row: [],
) -> dict[str, Any]:
    """Every attempted write of one kind against what the database holds, by token.

    `stored` maps a token to its row's facts; `audited` holds the tokens that have their audit event;
    `problems_of(attempt, row)` names what is wrong with a row that is there (a file missing,
    a hash that differs).
    """
    outcomes = Counter(attempt["outcome"] for attempt in attempts)
    result: dict[str, Any] = {
        "attempted": len(attempts),
        **{name: outcomes.get(name, 0) for name in ("accepted", "refused", "failed", "no answer")},
    }
    lost, incomplete, saved_anyway, unanswered_saved = [], [], [], 0
    saved_twice = sorted(token for token, row in stored.items() if row.get("rows", 1) > 1)
    for attempt in attempts:
        row = stored.get(attempt["token"])
        if attempt.get(
            "told_not_saved_but_saved"
        ):  # a retry with the same key found it saved after "not saved"
            saved_anyway.append(
                {"token": attempt["token"], "outcome": "not saved, then already saved", "status": 503}
            )
        if attempt["outcome"] == "accepted":
            if row is None:
                lost.append(attempt["token"])
                continue
            problems = list(problems_of(attempt, row))
            if row.get("email") != attempt["email"]:
                problems.append(f"saved as {row.get('email')}, sent by {attempt['email']}")
            if attempt["token"] not in audited:
                problems.append("no audit event")
            if problems:
                incomplete.append({"token": attempt["token"], "problems": problems})
        elif (
            row is not None
            and attempt["outcome"] in SAID_NOT_SAVED
            and attempt.get("told", ["not saved"])[-1] != "could not tell"
        ):
            saved_anyway.append(
                {"token": attempt["token"], "outcome": attempt["outcome"], "status": attempt.get("status")}
            )
        elif row is not None:
            unanswered_saved += 1
    result.update(
        found=result["accepted"] - len(lost),
        lost=lost,
        incomplete=incomplete,
        said_not_saved_but_saved=saved_anyway,
        no_answer_but_saved=unanswered_saved,
        saved_twice=saved_twice,
        retried=sum(1 for attempt in attempts if len(attempt.get("told", [])) > 1),
        told=dict(Counter(said for attempt in attempts for said in attempt.get("told", []))),
    )
    return result


def upload_problems(attempt: dict[str, Any], row: dict[str, Any]) -> list[str]:
    problems = []
    if row["sha256"] != attempt["sha256"] or row["size"] != attempt["size"]:
        problems.append("its recorded fingerprint or size is not the file that was sent")
    if row["file_sha256"] is None:
        problems.append("its file is missing from storage")
    elif row["file_sha256"] != attempt["sha256"]:
        problems.append("the stored file is not the file that was sent")
    return problems


def compare_sign_ins(attempts: list[dict[str, Any]], events_by_email: dict[str, int]) -> dict[str, Any]:
    """Each accepted sign-in writes an audit event (and the person's last sign-in time):
    as many events as accepted."""
    accepted = Counter(a["email"] for a in attempts if a["accepted"])
    short = {
        email: n - events_by_email.get(email, 0)
        for email, n in accepted.items()
        if events_by_email.get(email, 0) < n
    }
    return {
        "attempted": len(attempts),
        "accepted": sum(accepted.values()),
        "lost": sum(short.values()),
        "people_short": sorted(short),
    }


def _hash(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def read_database(url: str, storage: Path) -> dict[str, Any]:
    """What the database holds of the load's writes, read with SQLAlchemy on the server's URL."""
    from tracker import models_registry  # noqa: F401, PLC0415 (every model, so the mappers configure; no app is created)
    from tracker.audit import AuditEvent  # noqa: PLC0415
    from tracker.auth.models import User  # noqa: PLC0415
    from tracker.evidence.models import EvidenceFile, EvidenceItem  # noqa: PLC0415
    from tracker.plan.models import ProgressUpdate  # noqa: PLC0415

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        progress = _counted(
            [
                (token_in(body), {"action_id": action_id, "email": email})
                for body, action_id, email in connection.execute(
                    sa.select(ProgressUpdate.body, ProgressUpdate.action_id, User.email)
                    .join(User, User.id == ProgressUpdate.author_id)
                    .where(ProgressUpdate.body.like("loadtest-%"))
                )
            ]
        )
        uploads = _counted(
            [
                (
                    token_in(title),
                    {
                        "sha256": sha,
                        "size": size,
                        "email": email,
                        "key": key,
                        "file_sha256": _hash(storage / "files" / key),
                    },
                )
                for title, sha, size, key, email in connection.execute(
                    sa.select(
                        EvidenceItem.title,
                        EvidenceFile.sha256,
                        EvidenceFile.size_bytes,
                        EvidenceFile.storage_key,
                        User.email,
                    )
                    .join(EvidenceFile, EvidenceFile.evidence_id == EvidenceItem.id)
                    .join(User, User.id == EvidenceItem.uploaded_by_id)
                    .where(EvidenceItem.title.like("loadtest-%"))
                )
            ]
        )
        events = connection.execute(
            sa.select(AuditEvent.verb, AuditEvent.actor_label, AuditEvent.after).where(
                AuditEvent.verb.in_(["progress_update.created", "evidence_item.created", "user.signed_in"])
            )
        ).all()
        keys = set(connection.scalars(sa.select(EvidenceFile.storage_key)))
    engine.dispose()
    audited = {"progress": set(), "upload": set()}
    sign_ins: Counter = Counter()
    for verb, actor, after in events:
        if verb == "user.signed_in":
            sign_ins[actor] += 1
        elif verb == "progress_update.created":
            audited["progress"].add(token_in((after or {}).get("body")))
        else:
            audited["upload"].add(token_in((after or {}).get("title")))
    return {
        "progress": progress,
        "upload": uploads,
        "audited": audited,
        "sign_ins": dict(sign_ins),
        "orphan_files": _orphans(storage, keys),
        "temporary_files": _temporary(storage),
    }


def _counted(rows: list[tuple[str | None, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Rows by their token; a token saved more than once (the same write saved twice) has `rows` above 1."""
    counts = Counter(token for token, _ in rows)
    return {
        token: {**facts, **({"rows": counts[token]} if counts[token] > 1 else {})} for token, facts in rows
    }


def _orphans(storage: Path, keys: set[str]) -> int:
    folder = storage / "files"
    return (
        sum(
            1
            for path in folder.rglob("*")
            if path.is_file() and path.relative_to(folder).as_posix() not in keys
        )
        if folder.is_dir()
        else 0
    )


def _temporary(storage: Path) -> int:
    folder = storage / "tmp"
    return sum(1 for path in folder.iterdir() if path.is_file()) if folder.is_dir() else 0


def audit_chain() -> dict[str, Any]:
    from tracker import create_app  # noqa: PLC0415
    from tracker.audit import verify_chain  # noqa: PLC0415

    with create_app().app_context():
        report = verify_chain()
    return {"whole": report.whole, "problem": report.problem, "checked": report.checked}


def check(swarm: dict[str, Any], url: str, storage: Path) -> dict[str, Any]:
    held = read_database(url, storage)
    by_kind = {kind: [w for w in swarm["writes"] if w["kind"] == kind] for kind in ("progress", "upload")}
    return {
        "progress": compare(by_kind["progress"], held["progress"], held["audited"]["progress"]),
        "upload": compare(by_kind["upload"], held["upload"], held["audited"]["upload"], upload_problems),
        "sign_in": compare_sign_ins(swarm["sign_ins"], held["sign_ins"]),
        "orphan_files": held["orphan_files"],
        "temporary_files": held["temporary_files"],
        "audit_chain": audit_chain(),
    }


def main() -> None:
    from config import database_url  # noqa: PLC0415

    swarm = json.loads(Path(sys.argv[1]).read_text())
    url = database_url(os.environ["DATABASE_URL"], "")
    print(json.dumps(check(swarm, url, Path(os.environ["TRACKER_STORAGE_DIR"]))))


if __name__ == "__main__":
    main()
