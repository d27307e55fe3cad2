"""Sign-in throttling: failures counted per account and per address, in memory and in Redis."""

import os
import re
import time

import limits.storage.memory
import limits.strategies
import pytest
import redis
from limits.storage import MemoryStorage, RedisStorage

from config import TestConfig
from tests import factories
from tests.conftest import WORKER
from tracker import create_app
from tracker.auth import services, throttle
from tracker.extensions import db, limiter

THROTTLED = "You have tried to sign in too many times. Wait 15 minutes, then try again."
WRONG = "Enter a correct email address and password."
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
REDIS_PREFIX = f"tracker-tests-{WORKER or 'main'}-signin"  # each xdist worker counts under its own keys


def attempt(client, email, password="not-the-password", address="192.0.2.10"):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def body(response) -> str:
    return response.get_data(as_text=True)


class ShiftedTime:
    """The time module, its clock moved forward by `offset` seconds:
    what the rate limits' own windows read."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def travel(monkeypatch):
    """Move the back-off's clock and the rate limits' windows (limits' memory storage and moving window)
    forward by so many seconds: no sleeping."""
    shifted = ShiftedTime()
    monkeypatch.setattr(throttle, "clock", shifted.time)
    monkeypatch.setattr(limits.storage.memory, "time", shifted)
    monkeypatch.setattr(limits.strategies, "time", shifted)

    def forward(seconds: float) -> None:
        shifted.offset += seconds

    return forward


def test_the_suite_counts_in_memory(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limiter.storage, MemoryStorage)


def test_an_account_is_throttled_after_five_failures_and_the_page_says_when_to_try_again(client):
    user = factories.UserFactory()
    for _ in range(5):
        response = attempt(client, user.email)
        assert response.status_code == 200 and WRONG in body(response)
    throttled = attempt(client, user.email)
    page = body(throttled)
    assert throttled.status_code == 429
    assert "There is a problem" in page and "<title>Error: Sign in" in page
    assert THROTTLED in page and 'href="#email"' in page
    assert f'value="{user.email}"' in page  # what they typed is kept
    assert 890 <= int(throttled.headers["Retry-After"]) <= 900
    assert "Traceback" not in page


def test_while_throttled_even_the_right_password_is_refused_without_being_checked(client, monkeypatch):
    user = factories.UserFactory()
    for _ in range(5):
        attempt(client, user.email)
    checked = []
    monkeypatch.setattr(services, "password_is_correct", lambda *args: checked.append(args) or True)
    response = attempt(client, user.email, factories.PASSWORD)
    assert response.status_code == 429 and THROTTLED in body(response)
    assert checked == []  # the answer says nothing about whether the password was right
    assert client.get("/findings").status_code == 302  # not signed in


def test_the_account_is_the_normalised_email(client):
    user = factories.UserFactory()
    for typed in [user.email, user.email.upper(), f"  {user.email}  ", user.email.title(), user.email]:
        assert attempt(client, typed).status_code == 200
    assert attempt(client, user.email.upper()).status_code == 429


def test_an_unknown_email_is_throttled_exactly_like_a_known_one(client, monkeypatch):
    known = factories.UserFactory(email="known@council.example")
    unknown = "unknown@council.example"
    argon2_calls = []
    hasher = services._hasher
    monkeypatch.setattr(services, "_hasher", CountingHasher(hasher, argon2_calls))

    def pages(email):
        statuses, bodies, calls = [], [], []
        for _ in range(6):
            argon2_calls.clear()
            response = attempt(client, email)
            statuses.append(response.status_code)
            bodies.append(
                re.sub(r'nonce="[^"]+"', "", body(response)).replace(email, "EMAIL")
            )  # nonces differ
            calls.append(list(argon2_calls))
        return statuses, bodies, calls

    known_statuses, known_bodies, known_calls = pages(known.email)
    unknown_statuses, unknown_bodies, unknown_calls = pages(unknown)
    assert known_statuses == unknown_statuses == [200] * 5 + [429]
    assert known_bodies == unknown_bodies
    # the same work while counting (one Argon2 operation per attempt, as long as a real check),
    # none once throttled
    assert known_calls == [["verify"]] * 5 + [[]]
    assert unknown_calls == [["hash"]] * 5 + [[]]


class CountingHasher:
    def __init__(self, hasher, calls):
        self.hasher, self.calls = hasher, calls

    def hash(self, password):
        self.calls.append("hash")
        return self.hasher.hash(password)

    def verify(self, hashed, password):
        self.calls.append("verify")
        return self.hasher.verify(hashed, password)


def test_successful_sign_ins_do_not_count(client):
    user = factories.UserFactory()
    for _ in range(4):
        attempt(client, user.email)
    for _ in range(3):
        assert attempt(client, user.email, factories.PASSWORD).status_code == 302
        client.post("/logout")
    assert attempt(client, user.email).status_code == 200  # the fifth failure
    assert attempt(client, user.email, factories.PASSWORD).status_code == 429


def test_an_empty_form_is_not_an_attempt(client):
    user = factories.UserFactory()
    for _ in range(8):
        response = client.post("/login", data={"email": user.email})
        assert response.status_code == 200 and "Enter your password." in body(response)
    assert attempt(client, user.email, factories.PASSWORD).status_code == 302


def test_one_address_is_throttled_across_different_emails(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_SIGNIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    for number in range(3):
        assert attempt(client, f"guess{number}@council.example").status_code == 200
    fresh_email = attempt(client, "someone-new@council.example")
    assert fresh_email.status_code == 429, body(fresh_email)
    assert THROTTLED in body(fresh_email), re.findall(
        r"govuk-error-summary__list.*?</ul>", body(fresh_email), re.S
    )
    user = factories.UserFactory()
    assert attempt(client, user.email, factories.PASSWORD).status_code == 429
    # another address is not held up
    assert attempt(client, user.email, factories.PASSWORD, address="198.51.100.7").status_code == 302


def test_many_people_behind_one_council_address_sign_in_without_being_held_up(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_SIGNIN_LIMIT_PER_ADDRESS", "5 per 15 minutes")
    people = [factories.UserFactory() for _ in range(8)]
    for person in people:  # more sign-ins than the address allows failures: successes are not counted
        assert attempt(client, person.email, factories.PASSWORD).status_code == 302
        client.post("/logout")
    for person in people[:4]:  # and colleagues' typos count only against the address's generous allowance
        assert attempt(client, person.email).status_code == 200
    assert attempt(client, people[5].email, factories.PASSWORD).status_code == 302


def test_throttling_is_temporary(app, client, monkeypatch, travel):
    monkeypatch.setitem(app.config, "TRACKER_SIGNIN_LIMIT_PER_ACCOUNT", "2 per 5 seconds")
    user = factories.UserFactory()
    attempt(client, user.email)
    attempt(client, user.email)
    response = attempt(client, user.email, factories.PASSWORD)
    assert response.status_code == 429
    assert re.search(r"Wait [1-5] seconds?, then try again\.", body(response))  # under a minute: in seconds
    travel(5.2)  # the oldest failure has left the window
    assert attempt(client, user.email, factories.PASSWORD).status_code == 302


def test_a_guesser_on_one_address_cannot_keep_the_owner_out(client, travel, monkeypatch):
    owner = factories.UserFactory()
    for _ in range(5):
        assert attempt(client, owner.email, address="203.0.113.66").status_code == 200
    checked = []
    real_check = services.password_is_correct
    monkeypatch.setattr(
        services, "password_is_correct", lambda *args: checked.append(args) or real_check(*args)
    )
    # the owner, from another address, straight after: the account backs off for a few seconds
    early = attempt(client, owner.email, factories.PASSWORD, address="198.51.100.20")
    assert early.status_code == 429 and early.headers["Retry-After"] == "5"
    assert "You have tried to sign in too many times. Wait 5 seconds, then try again." in body(early)
    assert checked == []  # refused without the password being looked at
    travel(5)
    assert attempt(client, owner.email, factories.PASSWORD, address="198.51.100.20").status_code == 302
    client.post("/logout")
    # the guesser's address stays held for the account's window, right password or wrong
    held = attempt(client, owner.email, factories.PASSWORD, address="203.0.113.66")
    assert held.status_code == 429 and THROTTLED in body(held)


def test_the_accounts_wait_doubles_with_each_failure_from_anywhere_up_to_two_minutes(client, travel):
    owner = factories.UserFactory()
    waits = []
    for number in range(12):  # a guesser with many addresses, one try from each, each after the wait
        response = attempt(client, owner.email, address=f"203.0.113.{number}")
        assert response.status_code == 200 and WRONG in body(response)
        owner_now = attempt(
            client, owner.email, factories.PASSWORD, address=f"198.51.100.{number}"
        )  # a new address each time
        client.post("/logout")
        waits.append(int(owner_now.headers.get("Retry-After", 0)))
        travel(waits[-1])
    assert waits == [0, 0, 0, 0, 5, 10, 20, 40, 80, 120, 120, 120]
    assert attempt(client, owner.email, factories.PASSWORD, address="198.51.100.99").status_code == 302


def test_an_address_the_owner_signed_in_from_skips_the_accounts_wait(client):
    owner = factories.UserFactory()
    assert attempt(client, owner.email, factories.PASSWORD, address="198.51.100.20").status_code == 302
    client.post("/logout")
    for number in range(8):
        attempt(client, owner.email, address=f"203.0.113.{number}")
    assert attempt(client, owner.email, factories.PASSWORD, address="198.51.100.21").status_code == 429
    assert attempt(client, owner.email, factories.PASSWORD, address="198.51.100.20").status_code == 302


def test_the_sign_in_page_itself_is_never_throttled(client):
    user = factories.UserFactory()
    for _ in range(6):
        attempt(client, user.email)
    assert client.get("/login").status_code == 200


def test_a_limit_that_cannot_be_read_stops_the_app_with_one_line(database_uri):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        TRACKER_SIGNIN_LIMIT_PER_ACCOUNT = "lots"

    with pytest.raises(SystemExit) as stopped:
        create_app(Config)
    assert (
        str(stopped.value)
        == "TRACKER_SIGNIN_LIMIT_PER_ACCOUNT must read like '5 per 15 minutes', not 'lots'."
    )


@pytest.fixture
def redis_app(app):
    """The app counting in Redis, as several workers would (a test database number and key prefix)."""
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as connection:
            connection.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({error}): start it, or set TEST_REDIS_URL to "
            "one that is."
        )

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        TRACKER_STORAGE_DIR = app.config["TRACKER_STORAGE_DIR"]
        RATELIMIT_STORAGE_URI = REDIS_URL
        RATELIMIT_STORAGE_OPTIONS = {"key_prefix": REDIS_PREFIX}

    counting_in_redis = create_app(Config)
    limiter.reset()
    yield counting_in_redis
    limiter.reset()  # removes this prefix's keys, and nothing else in Redis
    with counting_in_redis.app_context():
        db.engine.dispose()
    limiter.init_app(app)  # the suite's app counts in memory again


def redis_keys() -> list:
    with redis.Redis.from_url(REDIS_URL) as connection:
        return connection.keys(f"{REDIS_PREFIX}*")


def test_counts_kept_in_redis_throttle_every_worker(redis_app):
    assert isinstance(limiter.storage, RedisStorage)
    client = redis_app.test_client()
    user = factories.UserFactory()
    for _ in range(5):
        assert attempt(client, user.email).status_code == 200
    assert (
        len(redis_keys()) == 4
    )  # the account's failures from this address, the address's, the account's and its wait
    assert all(re.search(rb"account-[0-9a-f]{32}|192\.0\.2\.10", key) for key in redis_keys())
    assert not any(user.email.encode() in key for key in redis_keys())  # a digest, never the email
    limiter.init_app(redis_app)  # a worker that has just started: nothing in its memory
    response = attempt(redis_app.test_client(), user.email, factories.PASSWORD)
    assert response.status_code == 429 and THROTTLED in body(response)
    assert attempt(redis_app.test_client(), "someone-else@council.example").status_code == 200
    elsewhere = attempt(redis_app.test_client(), user.email, factories.PASSWORD, address="198.51.100.20")
    assert elsewhere.status_code == 429 and "Wait 5 seconds" in body(
        elsewhere
    )  # the account's wait, seen by every worker
