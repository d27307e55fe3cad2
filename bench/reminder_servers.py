"""A real SMTP server (aiosmtpd) and a stand-in for a Teams Workflows webhook, on free loopback ports, in a
process of their own: `python -m bench.reminder_servers RECORD`.

bench/reminders.py starts it, so the servers' own work does not share the measured process's interpreter: as
in production, the job's time is its own work plus waiting for the servers' answers. It prints one line of
JSON with the two ports, then writes one line of JSON to RECORD for each message accepted (an email's
recipients and size; a Teams post's path, size and whether it is an Adaptive Card), before answering, so a
message the job saw accepted is always in the file. It stops when its standard input is closed.
"""

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Record:
    """RECORD, one JSON line per message, written and flushed before the server answers."""

    def __init__(self, path: Path):
        self.file = path.open("a", encoding="utf-8")
        self.lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.file.write(json.dumps(entry) + "\n")
            self.file.flush()


class MailHandler:
    def __init__(self, record: Record):
        self.record = record

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.record.add({"email": list(envelope.rcpt_tos), "bytes": len(envelope.original_content or b"")})
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def teams_server(record: Record) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                attachments = json.loads(body).get("attachments") or [{}]
                card = attachments[0].get("contentType") == "application/vnd.microsoft.card.adaptive"
            except (ValueError, AttributeError):
                card = False
            record.add({"teams": self.path, "bytes": len(body), "adaptive_card": card})
            self.send_response(202)  # what a Workflows webhook answers
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m bench.reminder_servers RECORD")
    record = Record(Path(sys.argv[1]))
    controller = Controller(MailHandler(record), hostname="127.0.0.1", port=free_port())
    controller.start()
    http = teams_server(record)
    print(json.dumps({"smtp_port": controller.port, "http_port": http.server_address[1]}), flush=True)
    try:
        sys.stdin.read()  # until the measuring process closes it (or ends)
    finally:
        http.shutdown()
        controller.stop()


if __name__ == "__main__":
    main()
