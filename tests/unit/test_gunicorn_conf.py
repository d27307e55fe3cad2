"""The gunicorn settings the project ships (gunicorn.conf.py): each worker starts with a memory limit."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"

# what a new worker does: gunicorn calls post_fork, then the worker asks for memory
WORKER = f"""
import json, logging, resource, runpy
conf = runpy.run_path({str(CONF)!r})
worker = type("Worker", (), {{"pid": 1, "log": logging.getLogger("worker")}})()
conf["post_fork"](None, worker)
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
try:
    block = bytearray(1200 * 1024 * 1024)
    refused = False
except MemoryError:
    refused = True
print(json.dumps({{"soft": soft, "hard": hard, "refused": refused, "infinity": resource.RLIM_INFINITY,
                  "timeout": conf["timeout"], "max_requests": conf["max_requests"]}}))
"""


def worker(**environ) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACKER_WORKER_")} | environ
    done = subprocess.run([sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_worker_is_limited_to_a_gigabyte_by_default_and_a_larger_request_for_memory_fails():
    limits = worker()
    assert limits["soft"] == 1024 * 1024 * 1024 and limits["refused"]
    assert limits["hard"] == limits["infinity"]  # the PDF renderer's child can still set its own limit
    assert limits["timeout"] == 150 and limits["max_requests"] == 1000


def test_the_limit_comes_from_the_environment_and_zero_sets_none():
    assert worker(TRACKER_WORKER_MEMORY_MB="512")["soft"] == 512 * 1024 * 1024
    unlimited = worker(TRACKER_WORKER_MEMORY_MB="0")
    assert unlimited["soft"] == unlimited["infinity"] and not unlimited["refused"]


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads a live worker's limits from /proc")
def test_gunicorn_started_in_the_project_folder_limits_its_workers(tmp_path):
    """gunicorn reads ./gunicorn.conf.py by itself: a real worker's limit, read from /proc."""
    env = os.environ | {
        "SECRET_KEY": "x",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "TRACKER_STORAGE_DIR": str(tmp_path / "evidence"),
        "TRACKER_WORKER_MEMORY_MB": "768",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "1",
            "--bind",
            "127.0.0.1:0",
            "wsgi:app",
        ],
        cwd=CONF.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in server.stdout:
            if "memory limited to 768 MB" in line:
                pid = int(line.split("worker ")[1].split(":")[0])
                break
        limits = Path(f"/proc/{pid}/limits").read_text()
        row = next(row for row in limits.splitlines() if row.startswith("Max address space"))
        assert row.split()[3] == str(768 * 1024 * 1024)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
