"""The package as installed holds production code only: the demo that `flask demo load` builds ships, the data
generators (tracker_dev, `flask demo generate`) stay in the repository."""

import shutil
import subprocess
import sys
from pathlib import Path

from config import BASE_DIR


def build_package(tmp_path: Path) -> Path:
    """What a wheel of this checkout would install: setuptools' build_py with pyproject.toml's settings,
    run on a copy so that nothing is written into the working tree. Returns the folder it built into."""
    source, built = tmp_path / "source", tmp_path / "built"
    source.mkdir()
    shutil.copy(BASE_DIR / "pyproject.toml", source)
    for package in ("tracker", "tracker_dev"):
        shutil.copytree(BASE_DIR / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "build_py",
            "--build-lib",
            built,
        ],
        cwd=source,
        capture_output=True,
        check=True,
    )
    return built


def test_the_package_ships_the_demo_but_not_the_generators(tmp_path):
    built = build_package(tmp_path)
    shipped = {path.relative_to(built).as_posix() for path in built.rglob("*") if path.is_file()}

    assert {
        "tracker/demo/commands.py",
        "tracker/demo/data.py",
        "tracker/demo/services.py",
        "tracker/demo/documents.py",
        "tracker/demo/typst/document.typ",
        "tracker/demo/files/spot-survey-microsoft-forms.xlsx",
    } <= shipped
    assert sorted(name for name in shipped if name.startswith("tracker_dev/") or "generate" in name) == []


def test_installed_the_demo_group_offers_load_alone(tmp_path):
    """The built package, with config.py beside it as in a deployment but no tracker_dev: `flask demo` has
    its load command and no generate."""
    built = build_package(tmp_path)
    beside = tmp_path / "beside"
    beside.mkdir()
    shutil.copy(BASE_DIR / "config.py", beside)
    show = (
        "import tracker, tracker.demo.commands as demo; "
        "print(tracker.__file__); print(sorted(demo.demo_cli.commands))"
    )
    done = subprocess.run(
        [sys.executable, "-c", show],
        cwd=beside,
        env={"PYTHONPATH": f"{built}:{beside}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    location, commands = done.stdout.splitlines()
    assert location == str(built / "tracker" / "__init__.py")
    assert commands == "['load']"
