"""How reminders leave the service: email by SMTP or GOV.UK Notify behind one `send`, and Teams Workflows
webhooks. Every failure is a `DeliveryError` whose reason is fit for an administrator to read, and which says
whether trying again could help (docs/reminders.md)."""

import json
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Protocol

import requests

SMTP_TIMEOUT_SECONDS = 30
TEAMS_TIMEOUT_SECONDS = 10
NOTIFY_TIMEOUT_SECONDS = 30
TRANSPORTS = ("smtp", "notify")


class ReminderConfigError(Exception):
    """The settings cannot send anything: the message names the variable to set, in one line."""


class DeliveryError(Exception):
    """A message was not delivered. `permanent`: trying again cannot help (a refused address, a request the
    service will never accept); otherwise it is tried again later."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingEmail:
    to_address: str
    to_name: str
    subject: str
    text_body: str
    html_body: str
    reference: str = ""  # ours, for Notify's records: digest-<id>


class EmailTransport(Protocol):
    @property
    def name(self) -> str: ...  # smtp or notify, stored with each digest

    def send(self, message: OutgoingEmail) -> None: ...


# ---------------------------------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    tls: str  # starttls, ssl or none
    username: str
    password: str
    sender: str
    timeout: float = SMTP_TIMEOUT_SECONDS
    name: str = "smtp"

    def send(self, message: OutgoingEmail) -> None:
        email = self._message(message)
        try:
            with self._connect() as server:
                if self.tls == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if self.username:
                    server.login(self.username, self.password)
                server.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = next(iter(error.recipients.values()))
            raise DeliveryError(
                f"the mail server refused the address {message.to_address}: {code} {_said(answer)}",
                permanent=500 <= code < 600,
            ) from None
        except smtplib.SMTPAuthenticationError as error:
            said = f"{error.smtp_code} {_said(error.smtp_error)}"
            raise DeliveryError(f"the mail server refused the user name or password: {said}") from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(
                f"the mail server answered {error.smtp_code} {_said(error.smtp_error)}"
            ) from None
        except (TimeoutError, socket.timeout):
            raise DeliveryError(
                f"the mail server {self.host}:{self.port} did not answer within {self.timeout:g} seconds"
            ) from None
        except socket.gaierror:
            raise DeliveryError(f"there is no mail server called {self.host}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"could not talk to the mail server {self.host}:{self.port}: {_os_said(error)}"
            ) from None

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _message(self, message: OutgoingEmail) -> EmailMessage:
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = self.sender
        email["To"] = formataddr((message.to_name, message.to_address))
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip("> ") or None)
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies are not sent back
        email.set_content(message.text_body)
        email.add_alternative(message.html_body, subtype="html")
        return email


def _said(answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    return " ".join(text.split())[:300]


def _os_said(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


# -------------------------------------------------------------------------------------------- GOV.UK Notify


class NotifyTransport:
    """GOV.UK Notify's email API through its official client, with one template whose personalisation is
    ((subject)) and ((body)): the digest's plain-text version (Notify makes its own HTML)."""

    name = "notify"

    def __init__(self, api_key: str, template_id: str, base_url: str = "") -> None:
        # the client signs with PyJWT and cryptography, 10 MB more in every worker: loaded by the send job
        # of a service that uses Notify, not by the pages
        from notifications_python_client.notifications import NotificationsAPIClient

        extra = {"base_url": base_url} if base_url else {}
        self.client = NotificationsAPIClient(api_key, timeout=NOTIFY_TIMEOUT_SECONDS, **extra)
        self.template_id = template_id

    def send(self, message: OutgoingEmail) -> None:
        from notifications_python_client.errors import APIError

        try:
            self.client.send_email_notification(
                email_address=message.to_address,
                template_id=self.template_id,
                personalisation={"subject": message.subject, "body": message.text_body},
                reference=message.reference or None,
            )
        except APIError as error:
            if error.response is None:
                raise DeliveryError("could not reach GOV.UK Notify") from None
            status = error.status_code
            raise DeliveryError(
                f"GOV.UK Notify answered {status}: {_notify_said(error.message)}",
                permanent=_permanent_http(status),
            ) from None


def _notify_said(message: Any) -> str:
    if isinstance(message, list):  # Notify's errors: [{"error": "BadRequestError", "message": "..."}]
        return "; ".join(str(each.get("message", each)) for each in message if isinstance(each, dict))[:300]
    return str(message)[:300]


def _permanent_http(status: int) -> bool:
    """A 4xx answer will not change by asking again, except too many requests (429), and a key or address the
    administrator can correct (401, 403, 404): those are tried again, as a wrong SMTP password is."""
    return 400 <= status < 500 and status not in (401, 403, 404, 408, 429)


# ---------------------------------------------------------------------------------------------------- Teams


def post_to_teams(webhook_url: str, payload: Mapping[str, Any], timeout: float | None = None) -> None:
    """POST a message to a Teams Workflows webhook. The address is a secret: no reason names it."""
    wait = TEAMS_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        response = requests.post(
            webhook_url,
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
            timeout=wait,
            allow_redirects=False,
        )
    except requests.Timeout:
        raise DeliveryError(f"Teams did not answer within {wait:g} seconds") from None
    except requests.RequestException:
        raise DeliveryError("could not reach the Teams webhook") from None
    if 200 <= response.status_code < 300:
        return
    said = " ".join(response.text.replace(webhook_url, "(the webhook)").split())[:200]
    raise DeliveryError(
        f"Teams answered {response.status_code}" + (f": {said}" if said else ""),
        permanent=_permanent_http(response.status_code),
    )


# ---------------------------------------------------------------------------------------------- from config


def email_transport(config: Mapping[str, Any]) -> EmailTransport:
    """The transport TRACKER_REMINDER_TRANSPORT names, built from its settings; ReminderConfigError when it is
    off or a setting it needs is missing."""
    chosen = str(config.get("TRACKER_REMINDER_TRANSPORT") or "").strip().lower()
    if not chosen:
        raise ReminderConfigError(
            "Reminders are off: set TRACKER_REMINDER_TRANSPORT to smtp or notify (docs/reminders.md)."
        )
    if chosen not in TRANSPORTS:
        raise ReminderConfigError(
            f"TRACKER_REMINDER_TRANSPORT must be smtp, notify or empty (off), not {chosen!r}."
        )
    return _smtp(config) if chosen == "smtp" else _notify(config)


def _required(config: Mapping[str, Any], name: str, why: str) -> str:
    value = str(config.get(name) or "").strip()
    if not value:
        raise ReminderConfigError(f"{name} is not set: {why}.")
    return value


def _smtp(config: Mapping[str, Any]) -> SmtpTransport:
    host = _required(config, "TRACKER_SMTP_HOST", "give the mail server's name")
    sender = _required(config, "TRACKER_MAIL_FROM", "give the address reminders come from")
    tls = str(config.get("TRACKER_SMTP_TLS") or "starttls").strip().lower()
    if tls not in ("starttls", "ssl", "none"):
        raise ReminderConfigError(f"TRACKER_SMTP_TLS must be starttls, ssl or none, not {tls!r}.")
    raw_port = str(config.get("TRACKER_SMTP_PORT") or "").strip() or ("465" if tls == "ssl" else "587")
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise ReminderConfigError(f"TRACKER_SMTP_PORT must be a port number, not {raw_port!r}.")
    return SmtpTransport(
        host=host,
        port=int(raw_port),
        tls=tls,
        username=str(config.get("TRACKER_SMTP_USERNAME") or ""),
        password=str(config.get("TRACKER_SMTP_PASSWORD") or ""),
        sender=sender,
    )


def _notify(config: Mapping[str, Any]) -> NotifyTransport:
    key = _required(config, "TRACKER_NOTIFY_API_KEY", "give the API key GOV.UK Notify made for this service")
    if len(key) < 73 or key[-37] != "-":
        raise ReminderConfigError(
            "TRACKER_NOTIFY_API_KEY does not look like a GOV.UK Notify API key "
            "(name-<service id>-<secret>, as Notify shows it once)."
        )
    template = _required(config, "TRACKER_NOTIFY_TEMPLATE_ID", "give the id of the reminders email template")
    return NotifyTransport(key, template, str(config.get("TRACKER_NOTIFY_BASE_URL") or "").strip())
