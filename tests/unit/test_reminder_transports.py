"""The reminder transports against real servers on loopback ports: SMTP (aiosmtpd) receives a message with a
plain-text part and an HTML alternative; a wrong host, a refused connection and a wrong password are failures
tried again later, a refused address is a bounce given up at once. GOV.UK Notify's client and Teams webhooks
post what their services expect; a 4xx answer is given up, a 5xx or no answer tried again, and a Teams
webhook's secret address is never in a failure's reason. Settings that cannot send say which, in one line."""

import threading

import jwt
import pytest

from tests import reminder_servers
from tests.reminder_servers import NOTIFY_KEY, free_port
from tracker.reminders.transports import (
    DeliveryError,
    NotifyTransport,
    OutgoingEmail,
    ReminderConfigError,
    email_transport,
    post_to_teams,
)

MESSAGE = OutgoingEmail(
    to_address="sam.officer@council.example",
    to_name="Sam Officer",
    subject="2 things need your attention",
    text_body="Overdue actions (1)\n- A1: Publish the Local Offer\n",
    html_body='<!DOCTYPE html><html lang="en"><body><h1>2 things</h1><a href="https://x/1">A1</a></body></html>',
    reference="digest-7",
)

smtp_server = reminder_servers.smtp_server  # fixtures: a real SMTP server, a recording HTTP server
http_server = reminder_servers.http_server


def smtp(server, **more):
    return email_transport(server.settings(**more))


def test_smtp_delivers_a_plain_text_part_and_an_html_alternative(smtp_server):
    smtp(smtp_server).send(MESSAGE)

    [received] = smtp_server.handler.received
    assert received.to == ["sam.officer@council.example"]
    message = received.message
    assert message["Subject"] == "2 things need your attention"
    assert message["From"] == "SEND tracker <reminders@council.example>"
    assert message["To"] == "Sam Officer <sam.officer@council.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert "A1: Publish the Local Offer" in received.text
    assert '<a href="https://x/1">A1</a>' in received.html


def test_a_wrong_host_or_a_refused_connection_is_tried_again_later(smtp_server):
    with pytest.raises(DeliveryError) as wrong_host:
        smtp(smtp_server, TRACKER_SMTP_HOST="mail.host.invalid").send(MESSAGE)
    assert not wrong_host.value.permanent
    assert wrong_host.value.reason == "there is no mail server called mail.host.invalid"

    closed = free_port()
    with pytest.raises(DeliveryError) as refused:
        smtp(smtp_server, TRACKER_SMTP_PORT=str(closed)).send(MESSAGE)
    assert not refused.value.permanent
    assert refused.value.reason.startswith(f"could not talk to the mail server 127.0.0.1:{closed}: ")
    assert smtp_server.handler.received == []


def test_a_wrong_password_is_tried_again_later(smtp_server):
    with pytest.raises(DeliveryError) as error:
        smtp(smtp_server, TRACKER_SMTP_PASSWORD="wrong").send(MESSAGE)
    assert not error.value.permanent
    assert error.value.reason.startswith("the mail server refused the user name or password: 535")
    assert smtp_server.handler.received == []


def test_a_refused_address_is_a_bounce_given_up_at_once(smtp_server):
    smtp_server.handler.refuse.add("sam.officer@council.example")
    with pytest.raises(DeliveryError) as error:
        smtp(smtp_server).send(MESSAGE)
    assert error.value.permanent
    assert error.value.reason == (
        "the mail server refused the address sam.officer@council.example: 550 5.1.1 No such mailbox here"
    )


def notify(server) -> NotifyTransport:
    return email_transport(
        {
            "TRACKER_REMINDER_TRANSPORT": "notify",
            "TRACKER_NOTIFY_API_KEY": NOTIFY_KEY,
            "TRACKER_NOTIFY_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
            "TRACKER_NOTIFY_BASE_URL": server.url,
        }
    )  # type: ignore[return-value]


def test_notify_is_sent_the_template_with_subject_and_body_signed_by_the_service_key(http_server):
    http_server.answers["/v2/notifications/email"] = (201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a"})
    notify(http_server).send(MESSAGE)

    [request] = http_server.to("/v2/notifications/email")
    assert request.json == {
        "email_address": "sam.officer@council.example",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "personalisation": {"subject": MESSAGE.subject, "body": MESSAGE.text_body},
        "reference": "digest-7",
    }
    token = request.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, "3d844edf-8d35-48ac-975b-e847b4f122b0", algorithms=["HS256"])
    assert claims["iss"] == "26785a09-ab16-4eb0-8407-a37497a57506"


def test_notify_4xx_is_given_up_and_5xx_or_no_answer_tried_again(http_server):
    path = "/v2/notifications/email"
    errors = [{"error": "BadRequestError", "message": "email_address Not a valid email address"}]
    http_server.answers[path] = (400, {"status_code": 400, "errors": errors})
    with pytest.raises(DeliveryError) as bad:
        notify(http_server).send(MESSAGE)
    assert bad.value.permanent
    assert bad.value.reason == "GOV.UK Notify answered 400: email_address Not a valid email address"

    http_server.answers[path] = (500, {"status_code": 500, "errors": [{"message": "Internal server error"}]})
    with pytest.raises(DeliveryError) as broken:
        notify(http_server).send(MESSAGE)
    assert not broken.value.permanent
    assert broken.value.reason == "GOV.UK Notify answered 500: Internal server error"

    gone = NotifyTransport(NOTIFY_KEY, "template", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(DeliveryError) as unreachable:
        gone.send(MESSAGE)
    assert not unreachable.value.permanent
    assert unreachable.value.reason == "could not reach GOV.UK Notify"


CARD = {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive"}]}
SECRET = "/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t-signature"


def test_teams_is_posted_the_message_as_json(http_server):
    http_server.answers["/workflows/0a1b2c/triggers/manual/paths/invoke"] = 202
    post_to_teams(http_server.url + SECRET, CARD)

    [request] = http_server.requests
    assert request.path == SECRET
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == CARD


@pytest.mark.parametrize("status, permanent", [(400, True), (404, False), (429, False), (500, False)])
def test_teams_4xx_is_given_up_and_5xx_tried_again_and_the_address_is_never_told(
    http_server, status, permanent
):
    url = http_server.url + SECRET
    http_server.answers["/workflows/0a1b2c/triggers/manual/paths/invoke"] = (status, {"error": url})
    with pytest.raises(DeliveryError) as error:
        post_to_teams(url, CARD)
    assert error.value.permanent is permanent
    assert error.value.reason.startswith(f"Teams answered {status}")
    assert "s3cr3t" not in error.value.reason and "0a1b2c" not in error.value.reason


def test_teams_that_does_not_answer_in_time_is_tried_again(http_server):
    http_server.hold = threading.Event()
    with pytest.raises(DeliveryError) as error:
        post_to_teams(http_server.url + SECRET, CARD, timeout=0.2)
    assert not error.value.permanent
    assert error.value.reason == "Teams did not answer within 0.2 seconds"

    with pytest.raises(DeliveryError) as closed:
        post_to_teams(f"http://127.0.0.1:{free_port()}{SECRET}", CARD)
    assert closed.value.reason == "could not reach the Teams webhook"


@pytest.mark.parametrize(
    "settings, says",
    [
        ({}, "Reminders are off: set TRACKER_REMINDER_TRANSPORT to smtp or notify"),
        (
            {"TRACKER_REMINDER_TRANSPORT": "pigeon"},
            "TRACKER_REMINDER_TRANSPORT must be smtp, notify or empty",
        ),
        ({"TRACKER_REMINDER_TRANSPORT": "smtp"}, "TRACKER_SMTP_HOST is not set"),
        (
            {"TRACKER_REMINDER_TRANSPORT": "smtp", "TRACKER_SMTP_HOST": "mail", "TRACKER_MAIL_FROM": "a@b"}
            | {"TRACKER_SMTP_PORT": "smtp"},
            "TRACKER_SMTP_PORT must be a port number, not 'smtp'",
        ),
        (
            {"TRACKER_REMINDER_TRANSPORT": "smtp", "TRACKER_SMTP_HOST": "mail", "TRACKER_MAIL_FROM": "a@b"}
            | {"TRACKER_SMTP_TLS": "yes"},
            "TRACKER_SMTP_TLS must be starttls, ssl or none",
        ),
        ({"TRACKER_REMINDER_TRANSPORT": "notify"}, "TRACKER_NOTIFY_API_KEY is not set"),
        (
            {"TRACKER_REMINDER_TRANSPORT": "notify", "TRACKER_NOTIFY_API_KEY": "secret"},
            "TRACKER_NOTIFY_API_KEY does not look like a GOV.UK Notify API key",
        ),
        (
            {"TRACKER_REMINDER_TRANSPORT": "notify", "TRACKER_NOTIFY_API_KEY": NOTIFY_KEY},
            "TRACKER_NOTIFY_TEMPLATE_ID is not set",
        ),
    ],
)
def test_settings_that_cannot_send_say_which_in_one_line(settings, says):
    with pytest.raises(ReminderConfigError) as error:
        email_transport(settings)
    assert str(error.value).startswith(says)
    assert "\n" not in str(error.value)
