"""Every /api/v1 error as RFC 9457 problem+json: `type`, `title`, `status`, `detail`, `instance`, never an
HTML page (docs/api.md, "Errors")."""

import json
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from tracker.api import bp
from tracker.errors import RETRY_AFTER_SECONDS, database_unavailable
from tracker.extensions import db

PROBLEM_TYPE = "application/problem+json"


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """A problem document: `type` is about:blank, so `title` is the HTTP status's own phrase (RFC 9457 4.2.1)
    and `detail` says what to do about it; `errors` may list the parameters at fault."""
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


class ApiProblem(HTTPException):
    """Raised anywhere in an API request to answer with this problem."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(description=detail)
        self.code = status
        self.extra_headers = headers or {}
        self.extra = extra


def bad_parameter(name: str, detail: str) -> ApiProblem:
    return ApiProblem(400, detail, errors=[{"parameter": name, "detail": detail}])


DETAILS = {
    401: "Send a valid API token: 'Authorization: Bearer <token>' (or ?key=<token> for Power BI).",
    403: "The person who made this token may not read this.",
    404: "There is nothing at this address: /api/v1/openapi.json lists what there is.",
    405: "The API only reads: use GET.",
    406: "The API answers in JSON only (application/json).",
    429: "Too many requests with this token: wait, then try again.",
}


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return server_problem(error)
    headers = dict(getattr(error, "extra_headers", {}))
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if status == 429:
        headers["Retry-After"] = "60"
    detail = error.description if isinstance(error, ApiProblem) else None
    return problem(
        status,
        HTTPStatus(status).phrase,
        detail or DETAILS.get(status) or error.description or "",
        headers,
        **getattr(error, "extra", {}),
    )


@bp.errorhandler(Exception)
def server_problem(error: Exception) -> Response:
    """A fault in the service: rolled back, logged, and told as a problem (never the HTML 500 page). A
    database that does not answer is a 503 with Retry-After."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a connection already gone: the session ends with the request anyway
        db.session().invalidate()
    if database_unavailable(error):
        current_app.logger.warning("The database did not answer an API request: %s", error)
        return problem(
            503,
            "Service Unavailable",
            "The database did not answer: try again in a few seconds.",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    current_app.logger.exception("Unhandled error in the API", exc_info=error)
    return problem(500, "Internal Server Error", "Something went wrong in the service. It has been logged.")


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def no_such_resource(rest: str):
    """Any other address under /api/v1, or a method the API does not take (it only reads): a problem, not the
    HTML page Flask would give."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    if request.method != "GET":
        try:
            endpoint, _ = adapter.match(request.path, method="GET")
        except HTTPException:
            endpoint = None
        if endpoint not in (None, "api.no_such_resource"):
            raise ApiProblem(405, DETAILS[405], {"Allow": "GET, HEAD"})
    raise ApiProblem(404, DETAILS[404])
