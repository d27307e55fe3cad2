"""`flask users ...`: manage people from the command line."""

import getpass
import sys

import click
from flask.cli import AppGroup

from tracker.auth.services import AuthError, create_user, parse_role

users_cli = AppGroup("users", help="Manage the people who can sign in.")


def read_password(prompt: str) -> str:
    """Ask without echo on a terminal; read one line when the password is piped in."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    click.echo(prompt, err=True, nl=False)
    line = sys.stdin.readline()
    click.echo("", err=True)
    if not line:
        raise click.ClickException("No password was given on standard input.")
    return line.rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", required=True, help="admin, leader, officer or viewer.")
def create_command(email: str, name: str, role: str) -> None:
    """Create a user; asks for the password twice."""
    try:
        parsed_role = parse_role(role)
        password = read_password("Password: ")
        if password != read_password("Repeat the password: "):
            raise AuthError("The two passwords do not match.")
        user = create_user(None, email, name, parsed_role, password)
    except AuthError as error:
        raise click.ClickException(str(error))
    click.echo(f"Created {user.role.value} {user.email}.")
