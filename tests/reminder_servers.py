"""Real servers on loopback ports for the reminder tests: an SMTP server (aiosmtpd) that keeps every message
it accepts, can refuse one address and can ask for a password, and an HTTP server in a thread that records
each request and answers what the test tells it (GOV.UK Notify's API and Teams webhooks stand-ins).
Nothing leaves the machine."""

import email
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER, SMTP_PASSWORD = "tracker", "right-password"
NOTIFY_KEY = "tracker_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    to: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content().replace("\r\n", "\n")


@dataclass
class SmtpHandler:
    """Accepts every message, except for the addresses in `refuse`, which get 550."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [each for each in self.received if address in each.to]


def _password_check(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: SmtpHandler

    def settings(self, **more) -> dict:
        return {
            "TRACKER_REMINDER_TRANSPORT": "smtp",
            "TRACKER_SMTP_HOST": self.host,
            "TRACKER_SMTP_PORT": str(self.port),
            "TRACKER_SMTP_TLS": "none",
            "TRACKER_SMTP_USERNAME": SMTP_USER,
            "TRACKER_SMTP_PASSWORD": SMTP_PASSWORD,
            "TRACKER_MAIL_FROM": "SEND tracker <reminders@council.example>",
        } | more


@pytest.fixture
def smtp_server():
    """An SMTP server on a free loopback port that asks for SMTP_USER and SMTP_PASSWORD."""
    handler = SmtpHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_password_check,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class HttpServer:
    """Records each request; answers with `answers[path]` (a status, or a status and a JSON body), 200 by
    default. `hold` keeps a request waiting until it is set, for timeouts."""

    url: str
    requests: list[Request] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    hold: threading.Event | None = None

    def to(self, path: str) -> list[Request]:
        return [each for each in self.requests if each.path.split("?")[0] == path]


@pytest.fixture
def http_server():
    state = HttpServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(Request(self.path, dict(self.headers), body))
            if state.hold is not None:
                state.hold.wait(10)
            answer = state.answers.get(self.path.split("?")[0], 200)
            status, content = answer if isinstance(answer, tuple) else (answer, None)
            data = b"" if content is None else json.dumps(content).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()
