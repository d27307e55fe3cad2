"""make run as a new user types it: the port it serves on and the address it prints follow PORT; and the
Debian packages make install and make test need, installed as root or with sudo, or else the one line to
run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def on_a_machine(
    tmp_path: Path, *arguments: str, uid: int, sudo: bool
) -> tuple[subprocess.CompletedProcess, str]:
    """Run make on a PATH holding Python, npm, grep and env and no other program (so no pdftotext, chromium,
    redis-server or sudo), with `id -u` answering `uid` and sudo, when asked for, working without a password.
    sudo and apt-get only write down how they were called. Returns make's result and that record."""
    bin_dir, record = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir(parents=True)
    python = Path(sys.executable).resolve()
    for name, found in {"python3": python, "python3.11": python, "npm": shutil.which("npm")}.items():
        (bin_dir / name).symlink_to(found)
    for name in ("grep", "env"):
        (bin_dir / name).symlink_to(shutil.which(name))
    scripts = {
        "id": f'[ "$1" = -u ] && echo {uid} || exec /usr/bin/id "$@"',
        "apt-get": f'echo "apt-get $*" >> {record}',
    }
    if sudo:
        scripts["sudo"] = f'echo "sudo $*" >> {record}; [ "$1" = -n ] && shift; [ "$1" = true ] || "$@"'
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"TRACKER_CHROMIUM", "TEST_REDIS_URL", "MAKEFLAGS", "MAKELEVEL"}
    }
    done = subprocess.run(
        [shutil.which("make"), "--no-print-directory", "-f", str(BASE_DIR / "Makefile"), "-C", str(BASE_DIR)]
        + list(arguments),
        env={**environment, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
    )
    return done, record.read_text() if record.exists() else ""


# the fonts looked for where they are not, so make install finds both font packages missing
NO_FONTS = "NOTO=/nonexistent"


def test_without_root_or_sudo_make_install_prints_the_apt_get_line_and_stops(tmp_path):
    done, calls = on_a_machine(tmp_path, "check-system", NO_FONTS, uid=1000, sudo=False)
    assert done.returncode != 0
    assert done.stdout.splitlines() == [
        "These Debian packages are missing. Install them as root, then run make again:",
        "apt-get install -y fonts-noto-core fonts-noto-color-emoji",
    ]
    assert calls == ""


def test_with_sudo_make_install_installs_what_is_missing_without_asking(tmp_path):
    done, calls = on_a_machine(tmp_path, "check-system", NO_FONTS, uid=1000, sudo=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["Installing fonts-noto-core fonts-noto-color-emoji with sudo apt-get"]
    assert calls.splitlines() == [
        "sudo -n true",
        "sudo -n apt-get update -qq",
        "apt-get update -qq",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
        "fonts-noto-core fonts-noto-color-emoji",
        "apt-get install -y -qq fonts-noto-core fonts-noto-color-emoji",
    ]


def test_as_root_make_install_installs_what_is_missing(tmp_path):
    done, calls = on_a_machine(tmp_path, "check-system", NO_FONTS, uid=0, sudo=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["Installing fonts-noto-core fonts-noto-color-emoji with apt-get"]
    assert calls.splitlines() == [
        "apt-get update -qq",
        "apt-get install -y -qq fonts-noto-core fonts-noto-color-emoji",
    ]


def test_make_test_installs_pdftotext_chromium_and_redis_the_same_way(tmp_path):
    done, calls = on_a_machine(tmp_path, "check-test-system", uid=0, sudo=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["Installing poppler-utils chromium redis-server with apt-get"]
    assert calls.splitlines()[-1] == "apt-get install -y -qq poppler-utils chromium redis-server"

    done, calls = on_a_machine(tmp_path / "again", "check-test-system", uid=1000, sudo=False)
    assert done.returncode != 0
    assert done.stdout.splitlines()[-1] == "apt-get install -y poppler-utils chromium redis-server"


def test_make_install_and_make_test_need_nothing_more_here():
    """On this machine, which has them all, neither check installs anything or says anything."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(BASE_DIR), "check-system", "check-test-system"],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (0, "")
