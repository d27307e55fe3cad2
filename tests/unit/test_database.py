"""The guard in tracker/database.py: CPython 3.11 must not crash when the ORM lets go of many loaded rows."""

import gc
import subprocess
import sys
import textwrap

# Forty measures of 36 readings, the measures page asked for sixty times: without the guard, CPython
# 3.11.2 and 3.11.7 die with a segmentation fault within a few requests (exit code -11).
PROBE = textwrap.dedent("""
    import dataclasses, sys
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from sqlalchemy.orm.state import InstanceState
    from config import TestConfig
    from tracker import create_app
    from tracker.auth.models import User
    from tracker.auth.sessions import signed_in_fields
    from tracker_dev.generate import SCALES, generate
    from tracker.extensions import db

    original_cleanup = InstanceState._cleanup

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + sys.argv[1] + "/probe.db"
        TRACKER_STORAGE_DIR = sys.argv[1] + "/files"

    app = create_app(Config)
    if "unguarded" in sys.argv:
        InstanceState._cleanup = original_cleanup
    with app.app_context():
        upgrade()
        scale = dataclasses.replace(SCALES["county"].times(0.05), measures=40)
        generate(scale, seed=1, password="probe-password-2026")
        leader = db.session.scalar(sa.select(User.id).where(User.email == "leader1@generated.example"))
        fields = signed_in_fields(leader)  # a session record, as start_session makes
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(fields)
    for _ in range(60):
        assert client.get("/measures").status_code == 200
    print("answered every request")
""")


def run_probe(folder, *flags) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE, str(folder), *flags], capture_output=True, text=True, timeout=600
    )


def test_pages_that_load_many_rows_keep_answering(tmp_path):
    result = run_probe(tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "answered every request" in result.stdout


def test_what_starting_made_is_kept_out_of_garbage_collections(app):
    assert gc.get_freeze_count() > 10_000  # the modules, templates and mappers of the started app
