"""The password policy, people changing their own password, and administrators resetting one."""

import json
import re

import pytest
import sqlalchemy as sa
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from tests import factories
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.auth.passwords import COMMON_PASSWORDS, password_problem, temporary_password
from tracker.extensions import db
from tracker.models import Role

NEW = "lantern-orchard-quietly-42"
COMMON = "Password is one of the most commonly used passwords"
EASY = "Password is too easy to guess"
SHORT = "Password must be at least 12 characters long."
EMAIL_NAME = "Password must not contain the name from the email address."
SERVICE_NAME = "Password must not contain the name of this service."


def events(verb: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == verb)).all()


def change(client, current=factories.PASSWORD, new=NEW, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": new, "confirm": new if confirm is None else confirm},
    )


def can_sign_in(app, email: str, password: str) -> bool:
    return app.test_client().post("/login", data={"email": email, "password": password}).status_code == 302


# the policy itself


@pytest.mark.parametrize(
    "password, message",
    [
        ("short-pass", SHORT),
        ("x" * 129, "Password must be 128 characters or fewer."),
        ("abababababababab", "Password is too easy to guess: use a mix of different characters."),
        ("1qaz2wsx3edc", COMMON),
        ("1QAZ2wsx3EDC", COMMON),  # the list is checked whatever the case
        ("qwertyuiop123", COMMON),
        ("Password1234!", EASY),
        ("september2026", EASY),
        ("jo.whitfield2026", EMAIL_NAME),
        ("Whitfield-lantern-horse", EMAIL_NAME),
        ("inspection readiness tracker 1", SERVICE_NAME),
        ("My-InspectionReadinessTracker", SERVICE_NAME),
    ],
)
def test_weak_passwords_are_refused_with_a_sentence_that_says_why(password, message):
    problem = password_problem(password, "jo.whitfield@council.example", "Inspection Readiness Tracker")
    assert problem is not None and problem.startswith(message)


@pytest.mark.parametrize(
    "password", [NEW, factories.PASSWORD, "a-long-passphrase-1", "Tea, toast & 3 marmalade jars"]
)
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password, "jo.whitfield@council.example", "Inspection Readiness Tracker") is None


def test_the_common_list_is_large_and_the_made_passwords_pass_the_policy():
    assert len(COMMON_PASSWORDS) >= 10_000 and "password" in COMMON_PASSWORDS
    made = {temporary_password() for _ in range(20)}
    assert len(made) == 20
    for password in made:
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password) and password_problem(password) is None


def test_every_way_of_creating_a_user_applies_the_policy(admin_client, runner):
    data = {
        "name": "Jo Whitfield",
        "email": "jo.whitfield@council.example",
        "role": "officer",
        "password": "1qaz2wsx3edc",
        "confirm": "1qaz2wsx3edc",
    }
    page = admin_client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert COMMON in page and 'value="Jo Whitfield"' in page and "1qaz2wsx3edc" not in page
    result = runner.invoke(
        args=["users", "create", "jo.whitfield@council.example", "--name", "Jo", "--role", "viewer"],
        input="whitfield-lantern-22\nwhitfield-lantern-22\n",
    )
    assert (
        result.exit_code == 1 and f"Error: {EMAIL_NAME}" in result.output and "Traceback" not in result.output
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # only the administrator


COUNCIL_WORD = "Password must not contain the word “coventry”: the names of the council and the area"
BREACHED = next(word for word in FREQUENCY_LISTS["passwords"] if len(word) >= 12 and len(set(word)) >= 5)


@pytest.fixture
def coventry(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_PASSWORD_BANNED_WORDS", "Coventry, send,ofsted,council")


def test_the_councils_own_words_are_refused_by_every_way_of_setting_a_password(
    coventry, client_as, admin_client, runner
):
    page = change(client_as(factories.UserFactory()), new="Coventry2026!").get_data(as_text=True)
    assert COUNCIL_WORD in page and "Coventry2026!" not in page
    data = {
        "name": "Jo Whitfield",
        "email": "jo@council.example",
        "role": "officer",
        "password": "C0v3ntry-lantern-7",
        "confirm": "C0v3ntry-lantern-7",
    }  # leetspeak, in a longer password
    assert COUNCIL_WORD in admin_client.post("/admin/users/new", data=data).get_data(as_text=True)
    result = runner.invoke(
        args=["users", "create", "sam@council.example", "--name", "Sam", "--role", "viewer"],
        input="lantern-COVENTRY!\nlantern-COVENTRY!\n",
    )
    assert result.exit_code == 1 and f"Error: {COUNCIL_WORD}" in result.output


def test_a_council_word_is_refused_only_when_configured(app, client_as, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_PASSWORD_BANNED_WORDS", "")
    assert change(client_as(factories.UserFactory()), new="Coventry2026!").status_code == 302


def test_a_breached_password_from_the_packages_list_is_refused_and_a_passphrase_accepted(coventry, client_as):
    client = client_as(factories.UserFactory())
    assert COMMON in change(client, new=BREACHED).get_data(as_text=True)
    assert change(client, new="river maple lantern quietly").status_code == 302


# changing your own password


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_person_finds_change_password_in_the_headers_account_area(client_as, role):
    page = client_as(role).get("/account/password").get_data(as_text=True)
    assert (
        '<a class="app-header__account-link" href="/account/password" aria-current="page">Change password</a>'
    ) in page
    assert '<h1 class="govuk-heading-l">Change your password</h1>' in page


def test_a_person_changes_their_password_and_the_audit_log_holds_no_password(app, client_as):
    user = factories.UserFactory(role=Role.OFFICER)
    client = client_as(user)
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your password has been changed." in client.get("/").get_data(as_text=True)
    assert can_sign_in(app, user.email, NEW) and not can_sign_in(app, user.email, factories.PASSWORD)
    [event] = events("user.password_changed")
    assert event.actor_id == user.id and event.entity_id == user.id
    recorded = json.dumps([event.before, event.after])
    db.session.refresh(user)
    for secret in (NEW, factories.PASSWORD, user.password_hash, "argon2"):
        assert secret not in recorded
    assert event.after["session_version"] == 2 and user.password_changed_at is not None


def test_a_wrong_current_password_is_refused_and_no_password_is_sent_back(client_as):
    client = client_as(Role.VIEWER)
    page = change(client, current="not-my-password-at-all").get_data(as_text=True)
    assert "There is a problem" in page and "<title>Error: Change your password" in page
    assert "The current password is not right." in page and 'href="#current_password"' in page
    assert "not-my-password-at-all" not in page and NEW not in page and 'value="' + NEW not in page
    assert not events("user.password_changed")


def test_guessing_the_current_password_is_throttled_like_signing_in(client_as):
    client = client_as(Role.VIEWER)
    for _ in range(5):
        assert change(client, current="not-my-password-at-all").status_code == 200
    throttled = change(client)  # even the right password is not checked now
    page = throttled.get_data(as_text=True)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 800
    assert (
        "You have entered a wrong current password too many times. Wait 15 minutes, then try again." in page
    )
    assert not events("user.password_changed")


@pytest.mark.parametrize(
    "new, confirm, message",
    [
        ("", "", "Enter a new password."),
        (NEW, NEW + "x", "The two new passwords do not match."),
        ("short", "short", SHORT),
        ("1qaz2wsx3edc", None, COMMON),
        ("person-lantern-2026", None, None),  # holds the name from the email below
        (factories.PASSWORD, None, "The new password must be different from the current one."),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused_with_the_reason(client_as, new, confirm, message):
    user = factories.UserFactory(email="person@council.example")
    page = change(client_as(user), new=new, confirm=confirm).get_data(as_text=True)
    assert "There is a problem" in page and (message or EMAIL_NAME) in page
    if new:
        assert f'value="{new}"' not in page
    db.session.refresh(user)
    assert user.session_version == 1 and not events("user.password_changed")


def test_an_empty_form_names_every_field(client_as):
    page = client_as(Role.LEADER).post("/account/password", data={}).get_data(as_text=True)
    for message in ("Enter your current password.", "Enter a new password.", "Repeat the new password."):
        assert message in page


# administrators resetting a password


def test_an_administrator_has_a_password_made_shown_once_and_the_person_must_choose_their_own(
    app, admin_client
):
    user = factories.UserFactory(role=Role.OFFICER, name="Sam Reid")
    form = admin_client.get(f"/admin/users/{user.id}/password").get_data(as_text=True)
    assert "Reset Sam Reid's password" in form and "checked" in form  # "must choose their own" ticked
    page = admin_client.post(
        f"/admin/users/{user.id}/password", data={"password": "", "confirm": "", "must_change": "y"}
    ).get_data(as_text=True)
    password = re.search(r'<code class="app-hash" id="new-password">([^<]+)</code>', page).group(1)
    assert "This is the only time the password is shown." in page
    assert password not in admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    [event] = events("user.password_reset")
    assert event.actor_id == admin_client.user.id and event.entity_id == user.id
    assert password not in json.dumps([event.before, event.after]) and event.after["generated"] is True
    assert not can_sign_in(app, user.email, factories.PASSWORD)

    theirs = app.test_client()
    assert theirs.post("/login", data={"email": user.email, "password": password}).status_code == 302
    for url in ("/", "/actions", "/evidence/new"):
        assert theirs.get(url).headers["Location"] == "/account/password", url
    page = theirs.get("/account/password").get_data(as_text=True)
    assert "An administrator set your password. Choose your own before you continue." in page
    assert change(theirs, current=password).headers["Location"] == "/"
    assert theirs.get("/actions").status_code == 200
    db.session.refresh(user)
    assert user.must_change_password is False


def test_an_administrator_sets_a_chosen_password_without_forcing_a_change(app, admin_client):
    user = factories.UserFactory(role=Role.VIEWER, name="Ali Noor")
    response = admin_client.post(
        f"/admin/users/{user.id}/password", data={"password": NEW, "confirm": NEW}, follow_redirects=True
    )
    assert (
        "Ali Noor&#39;s password has been reset and they have been signed out everywhere."
        in response.get_data(as_text=True)
    )
    theirs = app.test_client()
    theirs.post("/login", data={"email": user.email, "password": NEW})
    assert theirs.get("/actions").status_code == 200
    [event] = events("user.password_reset")
    assert event.after == {"session_version": 2, "must_change_password": False, "generated": False}


def test_a_weak_or_mistyped_reset_is_refused_and_changes_nothing(app, admin_client):
    user = factories.UserFactory(role=Role.VIEWER, name="Ali Noor")
    for data, message in [
        ({"password": "1qaz2wsx3edc", "confirm": "1qaz2wsx3edc"}, COMMON),
        ({"password": NEW, "confirm": "other"}, "The two passwords do not match."),
    ]:
        page = admin_client.post(f"/admin/users/{user.id}/password", data=data).get_data(as_text=True)
        assert "There is a problem" in page and message in page and data["password"] not in page
    assert can_sign_in(app, user.email, factories.PASSWORD) and not events("user.password_reset")


def test_an_administrator_changes_their_own_password_the_ordinary_way(admin_client):
    me = admin_client.user
    page = admin_client.get(f"/admin/users/{me.id}").get_data(as_text=True)
    assert "Change your own password" in page and f"/admin/users/{me.id}/password" not in page
    refused = admin_client.post(f"/admin/users/{me.id}/password", data={"password": NEW, "confirm": NEW})
    assert "Change your own password from" in refused.get_data(as_text=True) and not events(
        "user.password_reset"
    )


def test_the_user_page_links_to_the_reset(admin_client):
    user = factories.UserFactory(name="Sam Reid")
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert f'href="/admin/users/{user.id}/password">Reset Sam Reid\'s password</a>' in page
