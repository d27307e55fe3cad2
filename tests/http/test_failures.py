"""When the database stops answering or the disk fills up: a clear page, the right status,
nothing half-saved."""

import errno
import html
import io
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests import factories
from tests.conftest import sign_in
from tracker import forms, storage
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceFile, EvidenceItem
from tracker.extensions import db
from tracker.forms import ALREADY_SAVED
from tracker.models import Role
from tracker.plan.models import ProgressUpdate

OUT_OF_SPACE = "The file could not be stored because the server is out of space. Nothing was saved."
SMALL_DISK = 64 * 1024


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def disconnected(statement: str = "COMMIT") -> sa.exc.OperationalError:
    """What SQLAlchemy raises when PostgreSQL restarts under a request (psycopg's words)."""
    return sa.exc.OperationalError(
        statement, {}, Exception("server closed the connection unexpectedly"), connection_invalidated=True
    )


def progress_form(body: str) -> dict:
    return {
        "written_on": [str(today().day), str(today().month), str(today().year)],
        "body": body,
        "percent_complete": "40",
        "status": "in_progress",
        "rag_note": "",
    }


@pytest.fixture
def owner_and_action(client_as):
    owner = factories.UserFactory(role=Role.OFFICER)
    action = factories.ActionFactory(owner=owner, findings=[factories.FindingFactory()])
    return client_as(owner), action


def test_a_database_that_stops_answering_mid_write_gives_a_503_that_says_nothing_was_saved(
    owner_and_action, monkeypatch
):
    client, action = owner_and_action
    real_commit = db.session.commit

    def restart_under_the_commit():
        raise disconnected()

    monkeypatch.setattr(db.session, "commit", restart_under_the_commit)
    response = client.post(f"/actions/{action.id}/updates/new", data=progress_form("Forum met on Tuesday."))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "Sorry, the service is unavailable for a moment" in page
    assert "If you were saving a change, it has not been saved." in page
    assert "server closed the connection" not in page and "Traceback" not in page
    assert count(ProgressUpdate) == 0

    monkeypatch.setattr(
        db.session, "commit", real_commit
    )  # the database is back: trying again works, still signed in
    again = client.post(f"/actions/{action.id}/updates/new", data=progress_form("Forum met on Tuesday."))
    assert again.status_code == 302 and count(ProgressUpdate) == 1


# One-time keys: when the commit itself fails, the page says what became of the change -----------------------

KEY = "c" * 32


def keyed(body: str) -> dict:
    return {**progress_form(body), "form_key": KEY}


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """What the error page's "Send it again" button posts: the same form, the same key."""
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    ]


def commit_then(fail_after_writing: bool, error: str = "OperationalError"):
    """The database's own COMMIT, then the connection lost before the answer came back (or lost before it)."""
    dialect = db.engine.dialect
    real = dialect.do_commit

    def do_commit(dbapi_connection):
        if fail_after_writing:
            real(dbapi_connection)
        raise getattr(dialect.loaded_dbapi, error)("server closed the connection unexpectedly")

    return do_commit


def test_a_failure_after_the_commit_says_the_update_was_saved_and_sending_it_again_does_not_save_it_twice(
    owner_and_action, monkeypatch
):
    """What `make loadtest` found: the update was committed, then the database
    restarted before the page was drawn."""
    client, action = owner_and_action
    real_commit = db.session.commit

    def commit_then_restart():
        real_commit()
        raise disconnected("SELECT action.reference")

    monkeypatch.setattr(db.session, "commit", commit_then_restart)
    response = client.post(f"/actions/{action.id}/updates/new", data=keyed("Forum met on Tuesday."))
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 200 and "Your change was saved" in page and "has not been saved" not in page
    )
    assert f'href="/actions/{action.id}"' in page and count(ProgressUpdate) == 1

    monkeypatch.setattr(db.session, "commit", real_commit)
    again = client.post(
        f"/actions/{action.id}/updates/new", data=keyed("Forum met on Tuesday."), follow_redirects=True
    )
    assert ALREADY_SAVED in again.get_data(as_text=True) and count(ProgressUpdate) == 1


@pytest.mark.parametrize("error", ["OperationalError", "InterfaceError"])
def test_a_commit_cut_off_after_the_database_wrote_it_is_looked_up_by_its_key_and_said_to_be_saved(
    owner_and_action, monkeypatch, error
):
    client, action = owner_and_action
    with monkeypatch.context() as patch:
        patch.setattr(db.engine.dialect, "do_commit", commit_then(fail_after_writing=True, error=error))
        response = client.post(f"/actions/{action.id}/updates/new", data=keyed("Forum met on Tuesday."))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your change was saved" in page
    assert f'href="/actions/{action.id}"' in page and count(ProgressUpdate) == 1

    again = client.post(
        f"/actions/{action.id}/updates/new", data=dict(hidden_fields(page) or keyed("Forum met on Tuesday."))
    )
    assert again.status_code == 302 and count(ProgressUpdate) == 1


def test_a_commit_that_fails_before_the_database_wrote_it_says_not_saved_and_sending_it_again_saves_it_once(
    owner_and_action, monkeypatch
):
    client, action = owner_and_action
    with monkeypatch.context() as patch:
        patch.setattr(db.engine.dialect, "do_commit", commit_then(fail_after_writing=False))
        response = client.post(f"/actions/{action.id}/updates/new", data=keyed("Forum met on Tuesday."))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "If you were saving a change, it has not been saved." in page
    assert count(ProgressUpdate) == 0
    resend = hidden_fields(page)
    assert (
        ("form_key", KEY) in resend
        and ("body", "Forum met on Tuesday.") in resend
        and "Send it again" in page
    )

    again = client.post(f"/actions/{action.id}/updates/new", data=MultiDict(resend))
    assert again.status_code == 302 and count(ProgressUpdate) == 1
    assert client.post(f"/actions/{action.id}/updates/new", data=MultiDict(resend)).status_code == 302
    assert count(ProgressUpdate) == 1


def test_a_new_users_password_is_not_written_into_the_not_saved_page(admin_client, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(db.engine.dialect, "do_commit", commit_then(fail_after_writing=False))
        response = admin_client.post(
            "/admin/users/new",
            data={
                "name": "Kim Ode",
                "email": "kim.ode@council.example",
                "role": "officer",
                "password": "a-long-passphrase-1",
                "confirm": "a-long-passphrase-1",
                "form_key": KEY,
            },
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and ("email", "kim.ode@council.example") in hidden_fields(page)
    assert "a-long-passphrase-1" not in page


def test_when_the_database_is_still_away_the_page_says_it_could_not_tell_and_sending_it_again_is_safe(
    owner_and_action, monkeypatch
):
    client, action = owner_and_action
    cut_off = commit_then(fail_after_writing=True)

    def still_away(*_args, **_kwargs):
        raise disconnected("SELECT form_submission.id")

    def commit_then_stay_away(dbapi_connection):
        patch.setattr(db.engine, "connect", still_away)  # no new connection until the database is back
        cut_off(dbapi_connection)

    with monkeypatch.context() as patch:
        patch.setattr(db.engine.dialect, "do_commit", commit_then_stay_away)
        patch.setattr(forms, "SAVE_CHECK_SECONDS", 0)
        response = client.post(f"/actions/{action.id}/updates/new", data=keyed("Forum met on Tuesday."))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "we could not tell whether it was saved" in page
    assert "has not been saved" not in page and "Your change was saved" not in page
    again = client.post(
        f"/actions/{action.id}/updates/new", data=MultiDict(hidden_fields(page)), follow_redirects=True
    )
    assert ALREADY_SAVED in again.get_data(as_text=True) and count(ProgressUpdate) == 1


def test_when_even_loading_the_signed_in_person_fails_the_503_page_still_draws(owner_and_action, monkeypatch):
    client, action = owner_and_action

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(
        db.session, "execute", unreachable
    )  # the user loader's one query (tracker/auth/sessions.py)
    response = client.get(f"/actions/{action.id}")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable for a moment" in response.get_data(as_text=True)


def test_a_write_the_database_refuses_is_still_the_500_page(app, owner_and_action, monkeypatch):
    client, action = owner_and_action

    def refuse():
        raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key value"))

    monkeypatch.setattr(db.session, "commit", refuse)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post(f"/actions/{action.id}/updates/new", data=progress_form("Forum met."))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_a_page_drawn_before_the_database_dropped_its_connection_is_still_delivered(app, monkeypatch):
    """PostgreSQL restarting cuts the connection after the page is drawn: the session's closing rollback
    fails, and that must not turn the page into a bare 500."""
    viewer = factories.UserFactory(role=Role.VIEWER)
    factories.FindingFactory(title="Waiting times for autism assessments")
    real_close, dropped = sa.orm.Session.close, []

    def close_a_dropped_connection(session):
        if not dropped:
            dropped.append(True)
            raise disconnected("ROLLBACK")
        return real_close(session)

    client = FlaskClient(app)
    sign_in(client, viewer)
    monkeypatch.setattr(sa.orm.Session, "close", close_a_dropped_connection)
    answered = {}
    # a thread of its own has no application context, so the request pushes one and tears it down,
    # as in production
    request = threading.Thread(target=lambda: answered.update(response=client.get("/findings")))
    request.start()
    request.join()
    assert dropped  # the failing close ran when the request's context was torn down
    response = answered["response"]
    assert response.status_code == 200 and "Waiting times for autism assessments" in response.get_data(
        as_text=True
    )


class SmallDisk:
    """A file that takes SMALL_DISK bytes, then fails as a full file system does (ENOSPC)."""

    written = 0

    def __init__(self, file):
        self.file = file

    def write(self, data) -> int:
        room = SMALL_DISK - SmallDisk.written
        if len(data) > room:
            self.file.write(data[:room])
            self.file.flush()
            SmallDisk.written += room
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        SmallDisk.written += len(data)
        return self.file.write(data)

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


@pytest.fixture
def full_disk(app, tmp_path, monkeypatch):
    """Storage on a 64 KiB tmpfs, so an upload runs out of room part-way through its write. Mounting needs
    root, as on the project's machines and CI; without it the file-system boundary fails the same way."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = _mount_small_tmpfs(folder)
    if not mounted:
        SmallDisk.written = 0
        real_fdopen = os.fdopen
        monkeypatch.setattr(
            "tracker.storage.os.fdopen", lambda *args, **kwargs: SmallDisk(real_fdopen(*args, **kwargs))
        )
    monkeypatch.setitem(app.config, "TRACKER_STORAGE_DIR", str(folder))
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def _mount_small_tmpfs(folder: Path) -> bool:
    if os.environ.get("TRACKER_TEST_NO_MOUNT"):  # to run the other way on purpose
        return False
    try:
        return (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK}", "tmpfs", str(folder)],
                capture_output=True,
            ).returncode
            == 0
        )
    except OSError:
        return False


def files_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_a_full_disk_during_an_upload_says_so_and_leaves_nothing_half_stored(officer_client, full_disk):
    finding = factories.FindingFactory()
    data = {
        "title": "Waiting times audit",
        "description": "Typed before the upload failed.",
        "sensitivity": "internal",
        "about_date": [str(today().day), str(today().month), str(today().year)],
        "finding_ids": [str(finding.id)],
        "file": (io.BytesIO(b"weeks waited, child\n" * 20_000), "audit.txt"),
    }  # 400 KB: more than the disk holds
    response = officer_client.post(
        "/evidence/new?kind=document", data=data, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 507
    assert "There is a problem" in page and OUT_OF_SPACE in page
    assert 'value="Waiting times audit"' in page and "Typed before the upload failed." in page
    assert files_in(full_disk) == []  # no temporary file, no partial file
    assert count(EvidenceItem) == 0 and count(EvidenceFile) == 0 and count(AuditEvent) == 0


def test_a_full_disk_while_keeping_an_import_for_its_preview_leaves_nothing(app, full_disk):
    with pytest.raises(storage.StorageFull, match="out of space"):
        storage.keep_pending(b"reference,title\n" * 20_000, "csv")
    assert files_in(full_disk) == []
