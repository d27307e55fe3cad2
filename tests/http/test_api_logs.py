"""A token sent as ?key= (Power BI's scheduled refresh) never reaches a log: gunicorn's access log, run for
real with the project's gunicorn.conf.py, and Werkzeug's request log, from a real development server."""

import logging
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from werkzeug.serving import make_server

from tracker.api.logs import redact

ROOT = Path(__file__).resolve().parents[2]
KEY = "irt_" + "S3cret-value_" * 3 + "abcd"


def _ask(url: str) -> int:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers={"Referer": url}), timeout=30
        ) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_gunicorn_writes_no_key_in_its_access_log(tmp_path):
    env = os.environ | {
        "SECRET_KEY": "x" * 64,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "TRACKER_STORAGE_DIR": str(tmp_path / "evidence"),
    }
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "1",
            "--bind",
            "127.0.0.1:0",
            "--access-logfile",
            str(log),
            # the default format names the request line and the referrer; this one adds the query string and
            # the raw address as gunicorn's environ atoms give them
            "--access-logformat",
            '%(h)s "%(r)s" %(s)s "%(f)s" q=%(q)s raw=%({raw_uri}e)s',
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in server.stdout:
            if "Listening at: " in line:
                address = line.split("Listening at: ")[1].split()[0]
            if "Booting worker" in line:
                break
        status = _ask(f"{address}/api/v1/actions?limit=5&key={KEY}&as_at=2026-03-31")
        assert status in (401, 503)  # an empty database: refused or not answering, and logged either way
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
    written = log.read_text()
    assert "/api/v1/actions?limit=5&key=[redacted]&as_at=2026-03-31" in written
    assert "q=limit=5&key=[redacted]&as_at=2026-03-31" in written
    assert KEY not in written and "S3cret" not in written


def test_the_development_server_writes_no_key_in_its_request_log(app, caplog):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            status = _ask(f"http://127.0.0.1:{server.server_port}/api/v1/findings?key={KEY}")
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()
    assert status == 401
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/api/v1/findings?key=[redacted]" in line for line in lines), lines
    assert not any(KEY in line for line in lines)


def test_redaction_finds_the_key_wherever_it_sits():
    assert redact(f"GET /api/v1/actions?key={KEY} HTTP/1.1") == "GET /api/v1/actions?key=[redacted] HTTP/1.1"
    assert redact(f"key={KEY}&limit=3") == "key=[redacted]&limit=3"
    assert redact(f"/x?a=1&KEY={KEY}") == "/x?a=1&KEY=[redacted]"
    assert redact("/api/v1/actions?monkey=1") == "/api/v1/actions?monkey=1"
