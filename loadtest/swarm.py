"""The load: `python -m loadtest.swarm PLAN.json OUT.json`, Locust used as a library (its
gevent patches this process only).

Every person signs in through the login form with their own account, then, until the run ends, waits a moment
and does one thing: reads a page (the dashboard, the actions list, an action, the evidence list, the findings
list, a finding, My actions), reports progress on an action they own or contribute to (officers and leaders),
or uploads a small PDF, Word or text file as evidence (officers). Forms are fetched first and posted with
their CSRF token, as a browser would. Each progress update and each upload carries a unique token, so the
checker can look for it.

The run starts once everyone is signed in: OUT.json.ready gets that moment, which the parent times its fault
from. OUT.json gets every request (start, time taken, kind, name, status, what the page said) and every write
attempted with its outcome: accepted (the redirect that follows a save, or the page "Your change was saved"),
refused (the form came back with an error, such as "someone else saved this record at the same moment"), or
failed (an error page, or no answer at all). A write answered with an error page, or not at all, is sent again
with the same form and one-time key after a pause, as a person would; what each answer said is kept, so that a
"not saved" followed by "This was already saved" shows the first answer was wrong.
"""

import hashlib
import io
import json
import random
import re
import sys
import time
import uuid
import zipfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust import __version__ as locust_version
from locust.env import Environment

from loadtest import TOKEN_PREFIX

REQUEST_TIMEOUT_S = 60
SIGN_IN_TRIES = 5
RETRY_TRIES = 5  # a write whose answer was not "saved" or a refusal is sent again, with the same one-time key
RETRY_WAIT_S = 2
SAVED_PAGE = "Your change was saved"  # the page when the database failed after the commit
ALREADY_SAVED = "This was already saved"  # the message after a retry whose key had been saved
COULD_NOT_TELL = "we could not tell whether it was saved"
LOCKED = "database is locked"
TRACEBACK = "Traceback (most recent call last)"
_H1 = re.compile(r"<h1[^>]*>\s*(.*?)\s*</h1>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_ERRORS = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)

PLAN: dict[str, Any] = {}
RECORDS: list[list] = []  # [start, ms, kind, name, status, heading, locked, traceback]
WRITES: list[dict[str, Any]] = []
SIGN_INS: list[dict[str, Any]] = []
SIGNED_IN: set[str] = set()


class FormFields(HTMLParser):
    """The values a browser would send from the page's one data form: text, hidden,
    checked boxes and radios, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit", "button"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_fields(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def heading(html: str) -> str:
    found = _H1.search(html or "")
    return _TAGS.sub("", found.group(1)).strip()[:120] if found else ""


def on_request(request_type, name, response_time, response, context, start_time, **_kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    text = response.text if status else ""
    RECORDS.append(
        [
            start_time,
            round(response_time, 2),
            context.get("kind", "read"),
            f"{request_type} {name}",
            status,
            heading(text) if status >= 400 else "",
            LOCKED in text,
            TRACEBACK in text,
        ]
    )


def document(kind: str, token: str) -> tuple[str, bytes]:
    """A small file of the kind, unique by its token (the same content twice would
    be refused as a duplicate)."""
    # no commas: twenty lines alike with a comma each are what libmagic reads as CSV, which a .txt may not be
    text = f"Load test evidence {token}: minutes of the SEND board where waiting times were discussed."
    if kind == "pdf":
        return f"{token}.pdf", (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% "
            + text.encode()
            + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        )
    if kind == "docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            )
            archive.writestr(
                "_rels/.rels",
                '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
            )
            archive.writestr(
                "word/document.xml",
                f'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
            )
        return f"{token}.docx", buffer.getvalue()
    return f"{token}.txt", (text + "\n").encode() * 20


class Person(HttpUser):
    """One person with their own account; the role's subclass says what they do between reads."""

    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self) -> None:
        self.person = PEOPLE_LEFT[self.role].pop()  # each class spawns exactly as many users as it has people
        self.action_ids = self.person["actions"]
        for _ in range(SIGN_IN_TRIES):
            if self.sign_in():
                SIGNED_IN.add(self.person["email"])
                return
            gevent.sleep(2)
        raise RuntimeError(f"{self.person['email']} could not sign in")

    def call(self, method: str, url: str, name: str, kind: str, expect: tuple[int, ...] = (200,), **kwargs):
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(
            method,
            url,
            name=name,
            catch_response=True,
            context={"kind": kind},
            timeout=REQUEST_TIMEOUT_S,
            **kwargs,
        ) as response:
            text = response.text if response.status_code else ""
            if response.status_code not in expect:
                response.failure(f"{response.status_code} {heading(text)}".strip())
            elif LOCKED in text or TRACEBACK in text:
                response.failure("the page showed a database error")
            else:
                response.success()
            return response

    def sign_in(self) -> bool:
        page = self.call("GET", "/login", "/login", "read")
        if page.status_code != 200:
            return False
        fields = form_fields(page.text)
        data = {
            "csrf_token": fields.get("csrf_token", [""])[0],
            "email": self.person["email"],
            "password": self.person["password"],
        }
        started = time.time()
        answer = self.call("POST", "/login", "/login", "sign-in", expect=(302,), data=data)
        accepted = answer.status_code == 302 and "/login" not in answer.headers.get("Location", "")
        SIGN_INS.append(
            {"email": self.person["email"], "t": started, "status": answer.status_code, "accepted": accepted}
        )
        return accepted and self.call("GET", "/", "/", "read").status_code == 200

    @task(6)
    def read(self) -> None:
        pages = [("/", "/"), ("/actions", "/actions"), ("/evidence", "/evidence"), ("/findings", "/findings")]
        pages.append((f"/actions/{random.choice(PLAN['actions'])}", "/actions/[id]"))
        pages.append((f"/findings/{random.choice(PLAN['findings'])}", "/findings/[id]"))
        if self.role == "officer":
            pages.append(("/actions/mine", "/actions/mine"))
        url, name = random.choice(pages)
        self.call("GET", url, name, "read")

    def report_progress(self) -> None:
        action_id = random.choice(self.action_ids)
        form = self.call("GET", f"/actions/{action_id}/updates/new", "/actions/[id]/updates/new", "read")
        if form.status_code != 200:
            return
        fields = form_fields(form.text)
        token = TOKEN_PREFIX + uuid.uuid4().hex
        fields["body"] = [f"{token}: met the forum, leaflets drafted."]
        if random.random() < 0.3:  # now and then the percentage moves, so the action itself changes too
            fields["percent_complete"] = [
                str(min(95, int(fields.get("percent_complete", ["0"])[0] or 0) + 5))
            ]
            fields["status"] = ["in_progress"]
        write = {"kind": "progress", "token": token, "email": self.person["email"], "action_id": action_id}
        self.post_write(
            write, f"/actions/{action_id}/updates/new", "/actions/[id]/updates/new", "progress update", fields
        )

    def upload(self) -> None:
        action_id = random.choice(self.action_ids)
        form = self.call(
            "GET", f"/evidence/new?kind=document&action={action_id}", "/evidence/new?kind=document", "read"
        )
        if form.status_code != 200:
            return
        fields = form_fields(form.text)
        token = TOKEN_PREFIX + uuid.uuid4().hex
        filename, content = document(random.choice(("pdf", "docx", "txt")), token)
        today = date.today()
        fields.update(
            title=[f"{token} board minutes"],
            about_date=[str(today.day), str(today.month), str(today.year)],
            sensitivity=["internal"],
        )
        write = {
            "kind": "upload",
            "token": token,
            "email": self.person["email"],
            "action_id": action_id,
            "title": fields["title"][0],
            "filename": filename,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
        }
        self.post_write(
            write,
            "/evidence/new?kind=document",
            "/evidence/new?kind=document",
            "upload",
            fields,
            files={"file": (filename, content)},
        )

    def post_write(
        self, write: dict[str, Any], url: str, name: str, kind: str, fields: dict, **kwargs
    ) -> None:
        """Post the form; when the answer is not a clear "saved" or a refusal, wait and send the same form
        (the same one-time key) again, as a person would, up to RETRY_TRIES times. What each answer said
        is kept in `told`."""
        write["t"], told = time.time(), []
        for attempt in range(RETRY_TRIES):
            answer = self.call("POST", url, name, kind, expect=(302, 200), data=fields, **kwargs)
            status, text = answer.status_code, answer.text if answer.status_code else ""
            location = answer.headers.get("Location", "") if status else ""
            write.update(status=status, heading=heading(text))
            said = _what_it_said(status, text, location)
            if said == "saved":
                write["location"] = location
                if attempt and location:  # a retry: was it saved now, or shown what an earlier try had saved?
                    landing = self.call("GET", location, "[the page after a retry]", "read")
                    said = (
                        "already saved"
                        if ALREADY_SAVED in (landing.text if landing.status_code else "")
                        else said
                    )
            elif said == "refused":
                found = _ERRORS.search(text)
                write["message"] = (
                    " ".join(_TAGS.sub(" ", found.group(1)).split())[:300] if found else heading(text)
                )
            told.append(said)
            if said in ("saved", "already saved", "refused"):
                break
            gevent.sleep(RETRY_WAIT_S)
        write["told"] = told
        write["outcome"] = (
            "accepted"
            if told[-1] in ("saved", "already saved")
            else "refused"
            if told[-1] == "refused"
            else "no answer"
            if told[-1] == "no answer"
            else "failed"
        )
        # told "not saved", then the same key was found saved: the "not saved" was wrong
        write["told_not_saved_but_saved"] = any(
            a == "not saved" and b == "already saved" for a, b in zip(told, told[1:])
        )
        WRITES.append(write)


def _what_it_said(status: int, text: str, location: str) -> str:
    if status == 302 and "/login" not in location:
        return "saved"
    if status == 200:
        return "saved" if heading(text) == SAVED_PAGE else "refused"
    if status == 0:
        return "no answer"
    if status == 503:
        return "could not tell" if COULD_NOT_TELL in text else "not saved"
    return "failed"


class Officer(Person):
    role = "officer"

    @task(2)
    def progress(self) -> None:
        self.report_progress()

    @task(1)
    def evidence(self) -> None:
        self.upload()


class Leader(Person):
    role = "leader"

    @task(1)
    def progress(self) -> None:
        self.report_progress()


class Viewer(Person):
    role = "viewer"


PEOPLE_LEFT: dict[str, list[dict]] = {}


def run(plan: dict[str, Any], out: Path) -> None:
    PLAN.update(plan)
    for person in plan["people"]:
        PEOPLE_LEFT.setdefault(person["role"], []).append(person)
    classes = [Officer, Leader, Viewer]
    for cls in classes:
        cls.fixed_count = len(PEOPLE_LEFT.get(cls.role, []))
        cls.wait_time = between(*plan["think_s"])
    env = Environment(user_classes=[c for c in classes if c.fixed_count], host=plan["host"], events=events)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(len(plan["people"]), spawn_rate=plan["spawn_rate"])
    deadline = time.time() + plan["sign_in_within_s"]
    while len(SIGNED_IN) < len(plan["people"]) and time.time() < deadline:
        gevent.sleep(0.2)
    started = time.time()
    Path(str(out) + ".ready").write_text(json.dumps({"started": started, "signed_in": len(SIGNED_IN)}))
    gevent.sleep(max(0.0, started + plan["seconds"] - time.time()))
    running = runner.user_count
    runner.quit()
    out.write_text(
        json.dumps(
            {
                "started": started,
                "ended": time.time(),
                "signed_in": len(SIGNED_IN),
                "users_running_at_end": running,
                "client": {"locust": locust_version, "cpu_warning": runner.cpu_warning_emitted},
                "records": RECORDS,
                "writes": WRITES,
                "sign_ins": SIGN_INS,
            }
        )
    )


if __name__ == "__main__":
    run(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
