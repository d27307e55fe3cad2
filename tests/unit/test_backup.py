"""`flask backup` and `flask restore`: a backup of a populated installation, even one taken while people
write, restores into a second, empty installation with the same rows, the same files and an audit chain that
verifies; anything that does not match its manifest, or a target that is not empty, is refused in one line."""

import errno
import io
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from config import TestConfig
from tests import factories
from tracker import audit, create_app, storage
from tracker.auth.models import User
from tracker.backup import services as backup
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidenceFile, EvidenceKind, Sensitivity
from tracker.extensions import db
from tracker.models import Role
from tracker.plan import services as plan
from tracker.plan.models import Action, ActionStatus

POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


# ------------------------------------------------------------------------------------------- installations


@dataclass
class Installation:
    app: Flask
    storage: Path
    database: str | None  # PostgreSQL: the database made for it, dropped afterwards

    def run(self, *args: str):
        """A command on this installation (a command runs in the app context it finds, so push this one's)."""
        with self.app.app_context():
            return self.app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def new_installation(app, tmp_path):
    """new_installation(migrated=...): a second installation with an empty database (bare, or migrated with
    `flask db upgrade` and nothing else) and an empty evidence folder, as a restore would start from."""
    made: list[Installation] = []

    def make(migrated: bool) -> Installation:
        name = None
        if is_postgres():
            name = f"{db.engine.url.database}_restore"
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = db.engine.url.set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp_path / 'restored.db'}"

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            TRACKER_STORAGE_DIR = str(tmp_path / "restored-evidence")

        installation = Installation(create_app(Config), tmp_path / "restored-evidence", name)
        if migrated:
            with installation.app.app_context():
                upgrade()
        made.append(installation)
        return installation

    yield make
    for installation in made:
        with installation.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if installation.database:
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{installation.database}" WITH (FORCE)'))


# ---------------------------------------------------------------------------------------------- the data


PDF = factories.PDF_BYTES


def populate() -> dict:
    """A small partnership written through the services, so it has audit events, and real stored files."""
    leader = factories.UserFactory(role=Role.LEADER, email="leader@council.example")
    officer = factories.UserFactory(role=Role.OFFICER, email="officer@council.example")
    finding = factories.FindingFactory()
    action = factories.ActionFactory(owner=officer)
    plan.add_progress_update(
        officer, action, plan.today(), "Waiting list cut to 18 weeks.", 40, ActionStatus.IN_PROGRESS
    )
    minutes = evidence.create_evidence(
        officer,
        evidence.EvidenceData(
            kind=EvidenceKind.DOCUMENT,
            title="Board minutes",
            description="",
            about_date=plan.today(),
            sensitivity=Sensitivity.RESTRICTED,
            finding_ids=[finding.id],
            action_ids=[action.id],
        ),
        evidence.Upload(io.BytesIO(PDF), "minutes.pdf"),
    )
    evidence.add_version(
        officer, minutes, evidence.Upload(io.BytesIO(b"Minutes, corrected version\n"), "minutes.txt")
    )
    evidence.review_evidence(leader, minutes, True, "")
    evidence.create_evidence(
        officer,
        evidence.EvidenceData(
            kind=EvidenceKind.NOTE,
            title="Phone call",
            description="",
            about_date=plan.today(),
            sensitivity=Sensitivity.INTERNAL,
            note="Parents said the new page helps.",
            action_ids=[action.id],
        ),
    )
    factories.ReadingFactory(value=18.25)
    factories.SurveyCommentFactory()
    factories.YouSaidWeDidFactory()
    return {"leader": leader.id, "officer": officer.id, "action": action.id}


def all_rows() -> dict[str, list[tuple]]:
    """Every row of every table, in key order, as the application's types read them."""
    return {
        table.name: [
            tuple(row)
            for row in db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        ]
        for table in db.metadata.sorted_tables
    }


def stored_files(folder: Path) -> dict[str, str]:
    """Every file under files/, as key: SHA-256 of its content."""
    files = folder / "files"
    return {
        path.relative_to(files).as_posix(): storage.hash_file(path)
        for path in files.rglob("*")
        if path.is_file()
    }


def source_storage(app) -> Path:
    return Path(app.config["TRACKER_STORAGE_DIR"])


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest))


def assert_refused(result, *phrases: str) -> str:
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in errors[0]
    return errors[0]


# ------------------------------------------------------------------------------------------- round trips


@dataclass(frozen=True)
class Case:
    method: str
    target: str  # "bare": a database just created; "migrated": `flask db upgrade` run on it
    pg_dump: str = "real"  # PostgreSQL: "real" /usr/bin/pg_dump, "missing" from PATH, or "old" (9.6)

    def __str__(self) -> str:
        return (
            f"{self.method}-{self.pg_dump}-into-{self.target}"
            if POSTGRES
            else f"{self.method}-into-{self.target}"
        )


CASES = (
    [
        Case("pg_dump", "bare"),
        Case("pg_dump", "migrated"),
        Case("logical", "bare", pg_dump="missing"),
        Case("logical", "migrated", pg_dump="old"),
    ]
    if POSTGRES
    else [Case("sqlite-backup-api", "bare"), Case("sqlite-backup-api", "migrated")]
)


def arrange_pg_dump(case: Case, patch: pytest.MonkeyPatch, tools: Path) -> None:
    """PATH as the case wants it while the backup runs: pg_dump missing, or one too old for the server."""
    if case.pg_dump == "real":
        return
    tools.mkdir()
    if case.pg_dump == "old":
        fake = tools / "pg_dump"
        fake.write_text('#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n')
        fake.chmod(0o755)
    patch.setenv("PATH", str(tools))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_backup_restores_into_an_empty_installation_with_every_row_and_file(
    app, runner, tmp_path, new_installation, monkeypatch, case
):
    populate()
    before = all_rows()
    files_before = stored_files(source_storage(app))
    head_before = audit.verify_chain().head_hash
    folder = tmp_path / "backup"

    with monkeypatch.context() as patch:
        arrange_pg_dump(case, patch, tmp_path / "bin")
        result = runner.invoke(args=["backup", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    manifest = manifest_of(folder)
    assert f"Backed up to {folder}" in result.output
    assert f"The audit chain has {len(before['audit_event'])} events" in result.output

    # the manifest describes the database as it was, and says how it was copied
    assert manifest["database"]["method"] == case.method
    assert {name: manifest["tables"][name] for name in before} == {
        name: len(rows) for name, rows in before.items()
    }
    assert manifest["audit_chain"] == {"length": len(before["audit_event"]), "head_hash": head_before}
    assert {e["path"]: e["sha256"] for e in manifest["files"]} == {
        f"files/{k}": h for k, h in files_before.items()
    }
    assert len(manifest["files"]) == 2
    if case.pg_dump == "missing":
        assert manifest["database"]["why"] == "pg_dump is not on PATH"
    if case.pg_dump == "old":
        assert manifest["database"]["why"].startswith("pg_dump (PostgreSQL) 9.6.24 cannot dump a PostgreSQL")
    made = db.session.scalars(sa.select(audit.AuditEvent).where(audit.AuditEvent.verb == "backup.made")).one()
    assert made.after["manifest_sha256"] in result.output  # the live database records that a backup was taken

    target = new_installation(migrated=case.target == "migrated")
    restored = target.run("restore", str(folder))
    assert restored.exit_code == 0, restored.output
    assert "Checked against its manifest" in restored.output
    assert f"{len(manifest['files'])} evidence files" in restored.output

    with target.app.app_context():
        after = all_rows()
        after["audit_event"].pop()
        last = db.session.scalars(sa.select(audit.AuditEvent).order_by(audit.AuditEvent.id.desc())).first()
        restore_event = (last.verb, last.after["chain_head"])
        chain = audit.verify_chain()
        restored_files = {row.storage_key: row.sha256 for row in db.session.scalars(sa.select(EvidenceFile))}
        # ids go on from the largest restored one (PostgreSQL's sequences were moved past them)
        later = factories.UserFactory().id
    assert restore_event == ("backup.restored", head_before)
    del after["audit_chain_head"], before["audit_chain_head"]
    assert after == before
    assert stored_files(target.storage) == files_before == restored_files
    assert chain.whole and chain.checked == len(before["audit_event"]) + 1
    assert later == len(before["user"]) + 1


def test_a_backup_taken_during_writes_restores_to_what_its_manifest_records(
    app, runner, tmp_path, new_installation, monkeypatch
):
    ids = populate()
    written: list[int] = []
    stop, failed = threading.Event(), []

    def write() -> None:
        """An officer adding progress updates and documents as fast as the services let them."""
        with app.app_context():
            officer, action = db.session.get(User, ids["officer"]), db.session.get(Action, ids["action"])
            number = 0
            try:
                while not stop.is_set():
                    number += 1
                    plan.add_progress_update(
                        officer, action, plan.today(), f"Update {number}", 50, ActionStatus.IN_PROGRESS
                    )
                    evidence.create_evidence(
                        officer,
                        evidence.EvidenceData(
                            kind=EvidenceKind.DOCUMENT,
                            title=f"Notes {number}",
                            description="",
                            about_date=plan.today(),
                            sensitivity=Sensitivity.INTERNAL,
                            action_ids=[action.id],
                        ),
                        evidence.Upload(
                            io.BytesIO(f"Notes of visit {number}\n".encode()), f"notes-{number}.txt"
                        ),
                    )
                    written.append(number)
            except Exception as error:  # reported by the test below
                failed.append(error)
            finally:
                db.session.remove()

    def wait_for(count: int) -> None:
        for _ in range(3000):
            if len(written) >= count or failed:
                return
            threading.Event().wait(0.01)

    describe = backup._describe

    def describe_while_writes_go_on(connection):
        """The copy (or the snapshot) is taken: let the officer store more before it is read."""
        wait_for(len(written) + 3)
        return describe(connection)

    monkeypatch.setattr(backup, "_describe", describe_while_writes_go_on)
    writer = threading.Thread(target=write)
    writer.start()
    try:
        wait_for(2)
        folder = tmp_path / "backup"
        started = len(written)
        result = runner.invoke(args=["backup", "--out", str(folder)])
        during = len(written) - started
    finally:
        stop.set()
        writer.join()
    assert not failed, failed
    assert result.exit_code == 0, result.output
    assert during >= 3  # the officer went on storing evidence while the backup ran

    manifest = manifest_of(folder)
    in_backup = manifest["tables"]["progress_update"] - 1  # populate() wrote one
    assert started <= in_backup < started + during
    # the files are exactly those the copy refers to, not the ones stored since
    assert (
        len(manifest["files"]) == manifest["tables"]["evidence_file"] == manifest["tables"]["evidence_item"]
    )
    assert len(stored_files(source_storage(app))) > len(manifest["files"])

    target = new_installation(migrated=False)
    restored = target.run("restore", str(folder))
    assert restored.exit_code == 0, restored.output
    with target.app.app_context():
        counts = {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        chain = audit.verify_chain()
        rows = db.session.scalars(sa.select(EvidenceFile)).all()
    expected = dict(
        manifest["tables"], audit_event=manifest["tables"]["audit_event"] + 1
    )  # and the restore's event
    assert {name: counts[name] for name in counts if name != "audit_chain_head"} == {
        name: expected[name] for name in counts if name != "audit_chain_head"
    }
    assert chain.whole and chain.checked == manifest["audit_chain"]["length"] + 1
    assert {row.storage_key: row.sha256 for row in rows} == stored_files(target.storage)
    assert {f"files/{row.storage_key}" for row in rows} == {entry["path"] for entry in manifest["files"]}


# ------------------------------------------------------------------------------------- backup refusals


def test_refuses_a_folder_that_is_not_empty(runner, tmp_path):
    populate()
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "last-week.txt").write_text("an older backup")
    result = runner.invoke(args=["backup", "--out", str(folder)])
    assert_refused(result, f"{folder} is not empty: give a new or empty folder for the backup")
    assert [path.name for path in folder.iterdir()] == ["last-week.txt"]


def test_refuses_when_storage_is_missing_a_file_the_database_refers_to(app, runner, tmp_path):
    populate()
    missing = db.session.scalars(sa.select(EvidenceFile).order_by(EvidenceFile.id)).first()
    storage.path_of(missing.storage_key).unlink()
    folder = tmp_path / "backup"
    result = runner.invoke(args=["backup", "--out", str(folder)])
    assert_refused(
        result,
        f"Storage is missing {missing.storage_key}, the file of evidence file {missing.id} "
        '"minutes.pdf": nothing was backed up.',
    )
    assert not folder.exists()


def test_refuses_when_a_stored_file_has_changed_since_upload(runner, tmp_path):
    populate()
    changed = db.session.scalars(sa.select(EvidenceFile).order_by(EvidenceFile.id)).first()
    storage.path_of(changed.storage_key).write_bytes(PDF + b"% changed on disk\n")
    folder = tmp_path / "backup"
    result = runner.invoke(args=["backup", "--out", str(folder)])
    assert_refused(
        result,
        f"{changed.storage_key} in storage has changed: it no longer matches the SHA-256 recorded "
        f'for evidence file {changed.id} "minutes.pdf". Nothing was backed up',
    )
    assert not folder.exists()


def test_a_disk_that_fills_up_leaves_no_partial_backup(runner, tmp_path, monkeypatch):
    populate()

    def full(source, out):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "_copy_hashed", full)
    folder = tmp_path / "backup"
    assert_refused(
        runner.invoke(args=["backup", "--out", str(folder)]),
        f"Could not write the backup into {folder}: No space left on device. Nothing was backed up.",
    )
    assert not folder.exists()


def test_refuses_when_the_audit_chain_of_the_copy_is_broken(runner, tmp_path):
    populate()
    event = db.session.scalars(
        sa.select(audit.AuditEvent).where(audit.AuditEvent.verb == "progress_update.created")
    ).one()
    db.session.execute(
        sa.update(audit.AuditEvent)
        .where(audit.AuditEvent.id == event.id)
        .values(after={"body": "Waiting list cut to 8 weeks."})
    )
    db.session.commit()
    folder = tmp_path / "backup"
    folder.mkdir()
    result = runner.invoke(args=["backup", "--out", str(folder)])
    assert_refused(
        result,
        "The audit chain in the copy of the database is broken: "
        f"event {event.id} (number {event.chain_seq} in the chain, progress_update.created) "
        "was changed after it was written. Nothing was backed up.",
    )
    assert list(folder.iterdir()) == []  # the empty folder given is left empty


# ------------------------------------------------------------------------------------ restore refusals


@pytest.fixture
def backed_up(runner, tmp_path) -> Path:
    populate()
    folder = tmp_path / "backup"
    result = runner.invoke(args=["backup", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def assert_still_empty(target: Installation) -> None:
    with target.app.app_context():
        names = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version", "audit_chain_head"}
        assert {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) for name in names
        } == dict.fromkeys(names, 0)
    assert stored_files(target.storage) == {}


def test_restore_refuses_a_database_that_is_not_empty(backed_up, new_installation):
    target = new_installation(migrated=True)
    with target.app.app_context():
        factories.UserFactory(email="someone@council.example")
    assert_refused(
        target.run("restore", str(backed_up)),
        "The database to restore into is not empty (user has rows): restore only into a new installation",
    )
    with target.app.app_context():
        assert db.session.scalars(sa.select(User.email)).all() == ["someone@council.example"]


def test_restore_refuses_an_evidence_folder_that_is_not_empty(backed_up, new_installation):
    target = new_installation(migrated=False)
    (target.storage / "files").mkdir(parents=True)
    (target.storage / "files" / "stray.pdf").write_bytes(PDF)
    assert_refused(
        target.run("restore", str(backed_up)),
        f"The evidence folder {target.storage} is not empty (it holds files/stray.pdf)",
    )
    assert stored_files(target.storage) == {
        "stray.pdf": storage.hash_file(target.storage / "files" / "stray.pdf")
    }
    with target.app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_restore_refuses_twice_into_the_same_installation(backed_up, new_installation):
    target = new_installation(migrated=False)
    assert target.run("restore", str(backed_up)).exit_code == 0
    assert_refused(target.run("restore", str(backed_up)), "The database to restore into is not empty (")


def test_restore_refuses_a_backup_with_a_changed_file(backed_up, new_installation):
    entry = manifest_of(backed_up)["files"][0]
    with (backed_up / entry["path"]).open("ab") as file:
        file.write(b"tampered")
    target = new_installation(migrated=False)
    assert_refused(
        target.run("restore", str(backed_up)),
        f"The backup in {backed_up} does not match its manifest: {entry['path']} has changed since the "
        "backup was made (its SHA-256 is not the one recorded). Nothing was restored.",
    )
    assert_still_empty(target)


def test_restore_refuses_a_backup_with_a_missing_file(backed_up, new_installation):
    entries = manifest_of(backed_up)["files"]
    for entry in entries:
        (backed_up / entry["path"]).unlink()
    target = new_installation(migrated=False)
    assert_refused(
        target.run("restore", str(backed_up)),
        f"does not match its manifest: {entries[0]['path']} is missing (and 1 more problem). Nothing "
        "was restored.",
    )
    assert_still_empty(target)


def test_restore_refuses_a_changed_database_copy(backed_up, new_installation):
    copy = backed_up / manifest_of(backed_up)["database"]["file"]
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one byte flipped, the size unchanged
    copy.write_bytes(bytes(content))
    target = new_installation(migrated=False)
    assert_refused(
        target.run("restore", str(backed_up)),
        f"does not match its manifest: {copy.name} has changed since the backup was made",
    )
    assert_still_empty(target)


def test_restore_refuses_a_folder_without_a_manifest(backed_up, new_installation):
    (backed_up / "manifest.json").unlink()
    target = new_installation(migrated=False)
    assert_refused(
        target.run("restore", str(backed_up)),
        f"{backed_up} has no manifest.json: it is not a complete backup (an interrupted backup has none).",
    )
    assert_refused(
        target.run("restore", str(backed_up / "nowhere")),
        "is not a folder: give the folder that flask backup wrote.",
    )
    assert_still_empty(target)


def test_restore_refuses_a_manifest_it_cannot_read(backed_up, new_installation):
    target = new_installation(migrated=False)
    (backed_up / "manifest.json").write_text("{not json")
    assert_refused(
        target.run("restore", str(backed_up)), "manifest.json is not a backup manifest: it is not valid JSON."
    )
    write_manifest(backed_up, {"format": backup.FORMAT, "format_version": 2})
    assert_refused(
        target.run("restore", str(backed_up)),
        "is not a backup manifest this version can read: it is of format 2, and this version reads format 1.",
    )
    assert_still_empty(target)


def test_restore_refuses_a_backup_of_the_other_kind_of_database(backed_up, new_installation):
    manifest = manifest_of(backed_up)
    other = "sqlite-backup-api" if is_postgres() else "pg_dump"
    kind, file = backup.METHODS[other]
    (backed_up / manifest["database"]["file"]).rename(backed_up / file)
    manifest["database"] |= {"method": other, "kind": kind, "file": file}
    write_manifest(backed_up, manifest)
    target = new_installation(migrated=False)
    here, there = ("PostgreSQL", "SQLite") if is_postgres() else ("SQLite", "PostgreSQL")
    assert_refused(
        target.run("restore", str(backed_up)),
        f"The backup is of a {there} database but this installation uses {here}: "
        f"restore it into a {there} database.",
    )
    assert_still_empty(target)


def test_restore_refuses_a_migration_this_version_does_not_know(backed_up, new_installation):
    manifest = manifest_of(backed_up)
    write_manifest(backed_up, manifest | {"migration": "f00dfeedbeef", "app_version": "9.0.0"})
    target = new_installation(migrated=False)
    assert_refused(
        target.run("restore", str(backed_up)),
        "The backup's database is at migration f00dfeedbeef, which this version of the tracker does not "
        "know: restore it with version 9.0.0 or later.",
    )


def test_a_restore_that_does_not_match_the_manifest_says_so(backed_up, new_installation):
    """The manifest's counts are checked after the restore, not only the hashes of the files."""
    manifest = manifest_of(backed_up)
    manifest["tables"]["user"] += 1
    write_manifest(backed_up, manifest)
    target = new_installation(migrated=False)
    assert_refused(
        target.run("restore", str(backed_up)),
        f"The restored installation does not match the manifest: table user has "
        f"{manifest['tables']['user'] - 1} rows where the manifest records {manifest['tables']['user']}. "
        "The database and the evidence folder hold the restored copy: empty them before trying again.",
    )
