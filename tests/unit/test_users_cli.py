"""`flask users create`: clear one-line refusals, never a traceback."""

import sqlalchemy as sa

from tests import factories
from tracker.auth.models import User
from tracker.extensions import db
from tracker.models import Role

GOOD = "a-long-passphrase-1"


def create(runner, *args, password_lines=f"{GOOD}\n{GOOD}\n"):
    return runner.invoke(args=["users", "create", *args], input=password_lines)


def test_creates_a_user_from_piped_passwords(runner):
    result = create(runner, "New.Person@Council.example", "--name", "New Person", "--role", "leader")
    assert result.exit_code == 0, result.output
    assert "Created leader new.person@council.example." in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@council.example"))
    assert user.role is Role.LEADER


def assert_refused(result, message):
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert lines == [f"Error: {message}"]
    assert "Traceback" not in result.output


def test_refuses_a_duplicate_email(runner):
    factories.UserFactory(email="taken@council.example")
    assert_refused(
        create(runner, "taken@council.example", "--name", "X", "--role", "viewer"),
        "A user with the email taken@council.example already exists.",
    )


def test_refuses_an_unknown_role(runner):
    assert_refused(
        create(runner, "a@council.example", "--name", "A", "--role", "superuser"),
        "Unknown role 'superuser': choose one of admin, leader, officer, viewer.",
    )


def test_refuses_a_weak_password(runner):
    assert_refused(
        create(
            runner, "a@council.example", "--name", "A", "--role", "viewer", password_lines="short\nshort\n"
        ),
        "Password must be at least 12 characters long.",
    )
    assert_refused(
        create(
            runner,
            "a@council.example",
            "--name",
            "A",
            "--role",
            "viewer",
            password_lines="aaaaaaaaaaaaaa\naaaaaaaaaaaaaa\n",
        ),
        "Password is too easy to guess: use a mix of different characters.",
    )


def test_refuses_passwords_that_do_not_match(runner):
    assert_refused(
        create(
            runner,
            "a@council.example",
            "--name",
            "A",
            "--role",
            "viewer",
            password_lines=f"{GOOD}\n{GOOD}x\n",
        ),
        "The two passwords do not match.",
    )


def test_refuses_a_malformed_email_and_missing_input(runner):
    assert_refused(
        create(runner, "not-an-email", "--name", "A", "--role", "viewer"),
        "Enter an email address in the correct format, like name@example.org.",
    )
    assert_refused(
        create(runner, "a@council.example", "--name", "A", "--role", "viewer", password_lines=""),
        "No password was given on standard input.",
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
