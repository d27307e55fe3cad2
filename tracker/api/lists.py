"""What every list in the API shares: the operations' registry (from which the OpenAPI document is made), the
as-at day, the plan as at that day, cursor paging, and answering with an ETag (docs/api.md).

A resource is a view decorated with `@operation(...)`: its path, a summary, its query parameters and the
pydantic model of its answer. It reads its filters with the pages' own reader, takes `as_at_of()` and
`plan_for(day)`, and returns `answer(ListModel(...))`.
"""

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, request, url_for
from flask_login import current_user
from pydantic import BaseModel

from tracker.api import bp
from tracker.api.problems import bad_parameter
from tracker.dates import as_at_day
from tracker.extensions import db
from tracker.kept import kept
from tracker.permissions import restricted_view_key
from tracker.plan.services import stale_after_days
from tracker.readiness.services import plan_as_at
from tracker.readiness.state import PlanAt

T = TypeVar("T")


@dataclass(frozen=True)
class Param:
    """A query parameter, as the OpenAPI document states it."""

    name: str
    schema: dict[str, Any]
    description: str


@dataclass
class Operation:
    path: str  # under /api/v1, as Flask writes it
    endpoint: str
    summary: str
    description: str
    response: type[BaseModel] | None  # None: any JSON object (the OpenAPI document itself)
    parameters: list[Param] = field(default_factory=list)
    is_list: bool = True
    media_type: str = "application/json"  # text/csv: a list answered as one whole file


OPERATIONS: list[Operation] = []
DEFAULT_LIMIT = 100


def max_limit() -> int:
    return int(current_app.config["TRACKER_API_MAX_LIMIT"])


def list_parameters() -> list[Param]:
    return [
        Param(
            "as_at",
            {"type": "string", "format": "date"},
            "The figures as they stood at the end of this day (YYYY-MM-DD, today or earlier); "
            "today when left out.",
        ),
        Param(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": 500},
            f"Items per page, {DEFAULT_LIMIT} when left out.",
        ),
        Param(
            "cursor", {"type": "string"}, "Where the page starts: copy it from the previous page's `next`."
        ),
    ]


def operation(
    path: str,
    summary: str,
    response: type[BaseModel] | None,
    parameters: Sequence[Param] = (),
    is_list: bool = True,
    media_type: str = "application/json",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a GET view under /api/v1 and describe it for the OpenAPI document. A list answered as a file
    (a `media_type` other than JSON, such as text/csv) is the whole list at once: it takes `as_at`, no `limit`
    or `cursor`."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        shared = list_parameters() if is_list else []
        if media_type != "application/json":
            shared = [param for param in shared if param.name == "as_at"]
        OPERATIONS.append(
            Operation(
                path=path,
                endpoint=f"{bp.name}.{view.__name__}",
                summary=summary,
                description=(view.__doc__ or "").strip(),
                response=response,
                parameters=[*parameters, *shared],
                is_list=is_list,
                media_type=media_type,
            )
        )
        return bp.route(path, methods=["GET"])(view)

    return register


def as_at_of() -> date:
    """The `as_at` parameter by the one as-at rule (tracker.dates.as_at_day): today when left out."""
    try:
        return as_at_day(request.args.get("as_at"), "as_at")
    except ValueError as error:
        raise bad_parameter("as_at", str(error)) from None


def plan_for(day: date) -> PlanAt:
    """The plan as it stood at the end of `day`, for the token's maker, as the dashboard works it out: kept
    per version of the data (tracker/kept.py), for who may see which restricted evidence, so that a report's
    refresh asks for it once. Restricted evidence counts towards readiness only where the maker may see it."""
    return kept(
        "tracker_api_plans",
        (day, restricted_view_key(current_user), stale_after_days()),
        lambda: plan_as_at(day, current_user, include_restricted=True, with_files=False),
        size=8,
    )


def whole_number(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise bad_parameter(name, f"{name} must be a whole number above 0.")
    return int(raw)


def offered(name: str, allowed: Iterable[str]) -> str | None:
    """A filter that takes one of a list of values: 400 for any other (the pages ignore it; a report should
    know)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    choices = list(allowed)
    if raw not in choices:
        raise bad_parameter(name, f"{name} must be one of: {', '.join(choices)}.")
    return raw


@dataclass(frozen=True)
class Slice:
    items: list
    next_after: int | None


def page_of(items: Sequence[T], id_of: Callable[[T], int]) -> Slice:
    """One page of `items` (in any order), by id: those after the cursor's id, `limit` of them. Ids never
    change, so paging while the plan changes neither repeats nor skips an item that stayed in the list."""
    after, limit = _cursor_after(), limit_asked()
    chosen = sorted((item for item in items if id_of(item) > after), key=id_of)
    page = chosen[:limit]
    return Slice(page, id_of(page[-1]) if len(chosen) > limit else None)


def limit_asked() -> int:
    """The `limit` parameter: DEFAULT_LIMIT when left out, TRACKER_API_MAX_LIMIT at most."""
    limit = whole_number("limit") or DEFAULT_LIMIT
    if limit > max_limit():
        raise bad_parameter("limit", f"limit must be {max_limit()} or fewer.")
    return limit


def page_in_sql(query: sa.Select, id_column: Any) -> Slice:
    """One page of a query's rows by id, as `page_of` pages a list, read in SQL: the `limit` rows after the
    cursor's id and one more to know whether another page follows, so a page of a large table (a region's
    evidence or progress updates) reads that page alone. `query` selects one entity; `id_column` is its id."""
    after, limit = _cursor_after(), limit_asked()
    rows = db.session.scalars(query.where(id_column > after).order_by(id_column).limit(limit + 1)).all()
    page = list(rows[:limit])
    return Slice(page, getattr(page[-1], id_column.key) if len(rows) > limit else None)


def _cursor_after() -> int:
    raw = request.args.get("cursor")
    if not raw:
        return 0
    try:
        found = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        after = int(found["after"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise bad_parameter("cursor", "cursor is not one this API gave: copy `next` whole.") from None
    if not 0 <= after < 2**31:
        raise bad_parameter("cursor", "cursor is not one this API gave: copy `next` whole.")
    return after


def next_link(after: int | None, day: date) -> str | None:
    """The next page's address: the same filters, the same as-at day (so a refresh that runs past midnight
    reads one day throughout), and the cursor. The token is never written into it."""
    if after is None:
        return None
    cursor = base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")
    args: dict[str, Any] = {
        name: values
        for name, values in request.args.to_dict(flat=False).items()
        if name not in ("cursor", "key")
    }
    args.update(cursor=cursor, as_at=day.isoformat())
    assert request.endpoint is not None
    return url_for(request.endpoint, _external=True, **args)


def answer(document: BaseModel):
    """The document as JSON with a strong ETag of its bytes; If-None-Match with it is a 304 with no body."""
    response = current_app.response_class(document.model_dump_json(), mimetype="application/json")
    response.add_etag()
    return response.make_conditional(request)
