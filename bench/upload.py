"""A 200 MB document uploaded through the real evidence form to one gunicorn worker, streamed from disk.

The request body is written to the socket a chunk at a time with http.client, its length worked
out in advance, so the client never holds the file; the figure that matters is the worker's: its
resident memory before (VmRSS) and its peak after (VmHWM).
"""

import datetime
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from bench import PEOPLE, WORK, BenchError
from bench.server import Server, cookie_header, csrf_token, get, gunicorn, memory_mb, reset_peak, sign_in

SIZE = 200 * 1024 * 1024
CHUNK = 1024 * 1024
FILENAME = "bench-upload-200mb.csv"
_ACTION = re.compile(r'name="action_ids"[^>]*value="(\d+)"')


def make_file(path: Path, size: int = SIZE) -> None:
    """A CSV of `size` bytes, its first line unique to this run so it is never refused as a duplicate."""
    row = b"2026-03-31,Coventry,Requests for an EHC needs assessment,1234,Finalised within 20 weeks\n"
    block = (row * (CHUNK // len(row) + 1))[:CHUNK]
    with path.open("wb") as file:
        file.write(f"run,{secrets.token_hex(16)}\n".encode())
        while (left := size - file.tell()) > 0:
            file.write(block[:left])


def _fields(token: str, action_id: str) -> list[tuple[str, str]]:
    day = datetime.date.today() - datetime.timedelta(days=1)  # the date it is about may not be in the future
    return [
        ("csrf_token", token),
        ("title", "Benchmark upload: 200 MB CSV"),
        ("description", ""),
        ("url", ""),
        ("note", ""),
        ("about_date", str(day.day)),
        ("about_date", str(day.month)),
        ("about_date", str(day.year)),
        ("review_by", ""),
        ("review_by", ""),
        ("review_by", ""),
        ("sensitivity", "internal"),
        ("source", "bench"),
        ("action_ids", action_id),
    ]


def _multipart(fields: list[tuple[str, str]], boundary: str) -> tuple[bytes, bytes]:
    """The body before the file's bytes (the fields and the file part's head) and after them."""
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{FILENAME}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    return head.encode(), f"\r\n--{boundary}--\r\n".encode()


def _post_streamed(
    server: Server, path: str, jar: dict[str, str], head: bytes, source: Path, tail: bytes
) -> tuple[int, str]:
    boundary = head[2 : head.index(b"\r\n")].decode()
    connection = server.connection(timeout=600)
    connection.putrequest("POST", path)
    connection.putheader("Cookie", cookie_header(jar))
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + source.stat().st_size + len(tail)))
    connection.endheaders()
    connection.send(head)
    with source.open("rb") as file:
        while chunk := file.read(CHUNK):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.headers.get("Location", "")


def upload(server: Server, source: Path) -> dict[str, Any]:
    jar = sign_in(server, PEOPLE.officer, PEOPLE.password)
    form_path = "/evidence/new?kind=document"
    status, _, html = get(server, form_path, jar)
    if status != 200:
        raise BenchError(f"the evidence form {form_path} answered {status} to {PEOPLE.officer}")
    action = _ACTION.search(html)
    if not action:
        raise BenchError("the evidence form offers no action to link the upload to")
    head, tail = _multipart(
        _fields(csrf_token(html, form_path), action.group(1)), f"bench{secrets.token_hex(12)}"
    )
    [worker] = server.worker_pids()
    peak_reset = reset_peak(worker)
    before = memory_mb(worker, "VmRSS")
    started = time.perf_counter()
    status, location = _post_streamed(server, form_path, jar, head, source, tail)
    seconds = time.perf_counter() - started
    peak = memory_mb(worker, "VmHWM")
    if status != 302 or not re.fullmatch(r"(https?://[^/]+)?/evidence/\d+", location):
        raise BenchError(
            f"the 200 MB upload answered {status} (to {location or 'nowhere'}), "
            "not a redirect to the new evidence"
        )
    item = re.sub(r"^https?://[^/]+", "", location)
    shown, _, page = get(server, item, jar)
    if shown != 200 or FILENAME not in page:
        raise BenchError(f"the uploaded evidence {item} answered {shown} or does not show {FILENAME}")
    return {
        "bytes": source.stat().st_size,
        "seconds": seconds,
        "worker_rss_before_mb": before,
        "worker_peak_after_mb": peak,
        "growth_mb": peak - before,
        "peak_reset_before_upload": peak_reset,
        "status": status,
        "evidence": item,
    }


def measure_upload(database_url: str, label: str) -> dict[str, Any]:
    """Upload the 200 MB file to a one-worker gunicorn on `database_url` (a scratch copy), into empty
    storage."""
    source, storage = WORK / FILENAME, WORK / f"upload-{label}-files"
    make_file(source)
    try:
        with gunicorn(database_url, storage, workers=1, label=f"upload-{label}") as server:
            return upload(server, source)
    finally:
        source.unlink(missing_ok=True)
        shutil.rmtree(storage, ignore_errors=True)
