"""One error handler: designed pages for 400, 403, 404, 405, 413 and 500, and a plain one for other refusals."""

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.extensions import db

DESIGNED = {400, 403, 404, 405, 413}


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


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_server_error)
