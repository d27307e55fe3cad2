"""One error handler: designed pages for 400, 403, 404, 405, 413, 500, 503 and 507,
and a plain one for other refusals."""

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.extensions import db, login_manager
from tracker.forms import outcome_after_failure, posted_key
from tracker.storage import StorageFull


class UserError(Exception):
    """A rule broken by what someone asked: the message is shown to them, beside the form field `field` when
    it names one (forms.show_error). Every room's error (PlanError, EvidenceError, ...) is one of these."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


DESIGNED = {400, 403, 404, 405, 413}
RETRY_AFTER_SECONDS = 5
NOT_SENT_AGAIN = {"password", "confirm"}  # a new user's first password is not written into the error page


def handle_http_error(error: HTTPException):
    if error.code in DESIGNED:
        return render_template(f"errors/{error.code}.html", error=error), error.code
    if error.code and error.code < 500:
        return render_template("errors/other.html", error=error), error.code
    return handle_server_error(error)


def handle_csrf_error(error: CSRFError):
    return render_template("errors/400.html", error=error, csrf=True), 400


def handle_server_error(error: Exception):
    current_app.logger.exception("Unhandled error", exc_info=error)
    db.session.rollback()
    return render_template("errors/500.html", error=InternalServerError()), 500


def database_unavailable(error: Exception) -> bool:
    """The database could not answer (restarting, unreachable, a connection closed under it, too busy, a lock
    held too long), as opposed to refusing what was asked (a broken constraint),
    which is a fault in the service."""
    if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True
    return isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated


def handle_database_error(error: sa.exc.SQLAlchemyError):
    """When the database stopped answering mid-request: a page that says what
    became of the change, never a guess.

    The transaction is rolled back first. If no commit had begun, nothing was saved (503); if a commit had
    finished, the failure came after it and the change was saved (200, with a link to it); if the commit
    itself failed, the form's one-time key is looked for in a fresh connection: saved (200), not saved (503),
    or, when the database is still away, "we could not tell" (503) with a button that sends the same form
    again, which the key makes safe. The page is drawn as for someone signed out,
    so that drawing it asks the database nothing.
    """
    if not database_unavailable(error):
        return handle_server_error(error)
    current_app.logger.warning("The database did not answer; the request was rolled back: %s", error)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session().invalidate()
    outcome = outcome_after_failure()
    login_manager._update_request_context_with_user()  # Flask-Login's own way to set the request's user: none
    if outcome.saved:
        return render_template("errors/saved.html", link=outcome.link), 200
    resend = (
        [(name, value) for name, value in request.form.items(multi=True) if name not in NOT_SENT_AGAIN]
        if posted_key()
        else []
    )
    return (
        render_template("errors/503.html", outcome=outcome, resend=resend),
        503,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def handle_storage_full(error: StorageFull):
    """Any file the service keeps (evidence, an import between preview and confirm) when the disk is full."""
    current_app.logger.error("Storage is full: %s", error.__cause__ or error)
    db.session.rollback()
    return render_template("errors/507.html", error=error), 507


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(sa.exc.DBAPIError, handle_database_error)
    app.register_error_handler(sa.exc.TimeoutError, handle_database_error)
    app.register_error_handler(StorageFull, handle_storage_full)
    app.register_error_handler(Exception, handle_server_error)
