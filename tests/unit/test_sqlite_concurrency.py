"""Two processes writing to one SQLite database at once, as two gunicorn workers do: every write is saved, and
no one is shown "database is locked" or any other database error."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
WRITES = 100  # per process, alternating progress updates and uploads

SETUP = textwrap.dedent("""
    import sys
    from flask_migrate import upgrade
    from config import TestConfig
    from tests import factories
    from tracker import create_app
    from tracker.models import Role

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + sys.argv[1]
        TRACKER_STORAGE_DIR = sys.argv[2]

    with create_app(Config).app_context():
        upgrade()
        finding = factories.FindingFactory()
        for number in (1, 2):
            owner = factories.UserFactory(id=number, role=Role.OFFICER)
            factories.ActionFactory(id=number, owner=owner, findings=[finding])
""")

WRITER = textwrap.dedent("""
    import io, json, sys, time
    from datetime import date
    from config import TestConfig
    from tracker import create_app
    from tracker.auth.sessions import signed_in_fields

    number, writes = int(sys.argv[3]), int(sys.argv[4])

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + sys.argv[1]
        TRACKER_STORAGE_DIR = sys.argv[2]
        PROPAGATE_EXCEPTIONS = False  # a database error must reach the page, as in production

    app = create_app(Config)
    with app.app_context():
        fields = signed_in_fields(number)  # a session record, as start_session makes
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(fields)
    today = date.today()
    day = [str(today.day), str(today.month), str(today.year)]
    statuses, locked = {}, 0
    began = time.time()
    for n in range(writes):
        if n % 2:
            data = {"title": f"writer {number} upload {n}", "sensitivity": "internal", "about_date": day,
                    "action_ids": [str(number)],
                    "file": (io.BytesIO(f"writer {number} file {n}\\n".encode() * 50), f"w{number}-{n}.txt")}
            response = client.post(
                "/evidence/new?kind=document", data=data, content_type="multipart/form-data"
            )
        else:
            data = {"written_on": day, "body": f"writer {number} update {n}", "percent_complete": "10",
                    "status": "in_progress"}
            response = client.post(f"/actions/{number}/updates/new", data=data)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        locked += "database is locked" in response.get_data(as_text=True)
    print(json.dumps({"statuses": statuses, "locked": locked, "began": began, "ended": time.time()}))
""")


def python(script: str, *args: str) -> list[str]:
    return [sys.executable, "-c", script, *args]


def test_two_processes_writing_at_once_both_succeed_every_time(tmp_path):
    database, files = str(tmp_path / "shared.db"), str(tmp_path / "files")
    setup = subprocess.run(
        python(SETUP, database, files), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr[-2000:]

    writers = [
        subprocess.Popen(
            python(WRITER, database, files, str(number), str(WRITES)),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in (1, 2)
    ]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    first, second = results
    assert first["began"] < second["ended"] and second["began"] < first["ended"], (
        "the writers did not overlap"
    )
    for result in results:
        assert (result["statuses"], result["locked"]) == ({"302": WRITES}, 0), (
            result
        )  # every write accepted: no 500, no 503
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        updates = connection.scalar(sa.text("SELECT count(*) FROM progress_update"))
        uploads = connection.scalar(sa.text("SELECT count(*) FROM evidence_file"))
    engine.dispose()
    assert updates == WRITES and uploads == WRITES
