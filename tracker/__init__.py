"""The application factory: create_app() and the short helpers it reads through."""

import gc
import sys

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from limits import parse_many
from werkzeug.routing import IntegerConverter

from config import BASE_DIR, Config
from tracker.models import Role


def create_app(config_object: type[Config] = Config) -> Flask:
    app = Flask(__name__, instance_path=str(BASE_DIR / "instance"))
    app.config.from_object(config_object)
    check_config(app)
    register_security(app)
    register_extensions(app)
    register_templating(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    keep_startup_out_of_collections()
    return app


def keep_startup_out_of_collections() -> None:
    """What starting the app made (modules, templates, mappers) lives as long as the process: freezing it
    spares every full garbage collection a walk over it. Without this, a county's measures list answered in
    30 ms at the median and 100 ms at the 95th percentile, the slow ones being full collections
    (docs/performance.md)."""
    gc.collect()
    gc.freeze()


def check_config(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        sys.exit(
            "SECRET_KEY is not set: export SECRET_KEY with a long random value "
            "(make run creates one for local use in instance/secret_key)."
        )
    for name in (
        "TRACKER_SIGNIN_LIMIT_PER_ACCOUNT",
        "TRACKER_SIGNIN_LIMIT_PER_ADDRESS",
        "TRACKER_VIEWER_EXPORT_LIMIT",
        "TRACKER_API_RATE_LIMIT",
    ):
        try:
            parse_many(app.config[name])
        except ValueError:
            sys.exit(f"{name} must read like '5 per 15 minutes', not {app.config[name]!r}.")
    roles = {role.value for role in Role}
    unknown = [
        part.strip()
        for part in app.config["TRACKER_TWO_STEP_REQUIRED_ROLES"].split(",")
        if part.strip().lower() not in roles | {""}
    ]
    if unknown:
        sys.exit(
            f"TRACKER_TWO_STEP_REQUIRED_ROLES names roles from {', '.join(sorted(roles))} separated by "
            f"commas, or is empty: {', '.join(unknown)} is not one."
        )


def register_security(app: Flask) -> None:
    from tracker import security

    security.init_app(app)


def register_extensions(app: Flask) -> None:
    from tracker import audit, database, forms, models_registry  # noqa: F401  (every model known to Alembic)
    from tracker.extensions import csrf, db, limiter, login_manager, migrate
    from tracker.permissions import authorise_request
    from tracker.text import CleanRequest

    app.request_class = CleanRequest  # what people send, without characters no database or document can hold
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    database.configure_sqlite(app)
    database.end_sessions_quietly(app)  # after db.init_app: ends the session first, even if the database left
    audit.install_chain()
    forms.init_app(app)  # one-time form keys: create forms safe to send twice
    database.guard_against_cpython_311_crash()
    app.before_request(authorise_request)


def register_templating(app: Flask) -> None:
    from tracker import templating

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(BASE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    templating.init_app(app)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: an id too large for the database is a 404, never a 500."""

    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    from tracker.admin import bp as admin_bp
    from tracker.api import bp as api_bp
    from tracker.api import tokens_bp as api_tokens_bp
    from tracker.auth import bp as auth_bp
    from tracker.evidence import bp as evidence_bp
    from tracker.exports import bp as exports_bp
    from tracker.frameworks import bp as frameworks_bp
    from tracker.information_requests import bp as requests_bp
    from tracker.main import bp as main_bp
    from tracker.measures import bp as measures_bp
    from tracker.plan import bp as plan_bp
    from tracker.readiness import bp as readiness_bp
    from tracker.reminders import bp as reminders_bp
    from tracker.sef import bp as sef_bp
    from tracker.surveys import bp as surveys_bp

    for blueprint in (
        main_bp,
        auth_bp,
        admin_bp,
        plan_bp,
        evidence_bp,
        measures_bp,
        surveys_bp,
        readiness_bp,
        exports_bp,
        frameworks_bp,
        sef_bp,
        requests_bp,
        reminders_bp,
        api_bp,
        api_tokens_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from tracker.errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from tracker.admin.commands import audit_cli
    from tracker.auth.commands import users_cli
    from tracker.backup.commands import backup_command, restore_command
    from tracker.demo.commands import demo_cli
    from tracker.evidence.commands import storage_cli
    from tracker.exports.commands import export_cli
    from tracker.frameworks.commands import frameworks_cli
    from tracker.plan.commands import import_cli
    from tracker.readiness.commands import readiness_cli
    from tracker.reminders.commands import reminders_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(storage_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(readiness_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(frameworks_cli)
    app.cli.add_command(reminders_cli)
