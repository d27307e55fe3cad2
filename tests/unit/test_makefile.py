"""make run as a new user types it: the port it serves on and the address it prints follow PORT."""

import subprocess

from config import BASE_DIR


def planned(*arguments: str) -> str:
    """The commands make would run, without running them (make -n)."""
    done = subprocess.run(
        ["make", "-n", "-f", str(BASE_DIR / "Makefile"), "-C", str(BASE_DIR), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_run_serves_on_5000_unless_told_another_port():
    assert "--port 5000" in planned("run") and "http://127.0.0.1:5000" in planned("run")
    other = planned("run", "PORT=8123")
    assert (
        "--port 8123" in other
        and "http://127.0.0.1:8123" in other
        and "5000" not in other.replace("127.0.0.1:8123", "")
    )
