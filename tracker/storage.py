"""Where files live: under TRACKER_STORAGE_DIR, named by the SHA-256 of their content, never by user input."""

import hashlib
import re
from pathlib import Path

from flask import current_app

PENDING = "pending"
_TOKEN = re.compile(r"^[0-9a-f]{64}\.(csv|xlsx)$")


def root() -> Path:
    path = Path(current_app.config["TRACKER_STORAGE_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_pending(content: bytes, suffix: str) -> str:
    """Keep an uploaded file between its preview and its confirmation; returns its token."""
    token = f"{hashlib.sha256(content).hexdigest()}.{suffix}"
    folder = root() / PENDING
    folder.mkdir(exist_ok=True)
    (folder / token).write_bytes(content)
    return token


def read_pending(token: str) -> bytes | None:
    """The kept file, or None when the token is malformed or the file has gone."""
    if not _TOKEN.match(token or ""):
        return None
    path = root() / PENDING / token
    return path.read_bytes() if path.is_file() else None


def discard_pending(token: str) -> None:
    if _TOKEN.match(token or ""):
        (root() / PENDING / token).unlink(missing_ok=True)
