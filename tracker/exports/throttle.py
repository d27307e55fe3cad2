"""Limiting viewers' heavy exports: the PDF, Word and Excel summaries and the evidence pack,
counted per person.

Each of these lays out the whole plan (the pack copies every document too) and can hold a worker for seconds;
viewers are the many partners and board members who read the plan, so a script, or one person pressing
Download again and again, could keep workers busy for everyone. Only a file actually made counts: a form
sent back with an error, or the page a link opens, does not. Officers and leaders, who prepare the exports
for inspections, are not limited (`permissions.can_export_without_limit`). The counts live where sign-in's do
(RATELIMIT_STORAGE_URI: memory for one process, Redis for several). Settings: docs/security.md, "Exports".
"""

from flask import current_app, make_response, render_template
from flask_limiter import RateLimitExceeded
from flask_login import current_user

from tracker.auth.throttle import seconds_to_wait, try_again_message
from tracker.exports import bp
from tracker.extensions import limiter
from tracker.permissions import can_export_without_limit

TOO_MANY = "You have made as many exports as a viewer can in a short time."


def _per_person() -> str:
    return f"user:{current_user.get_id()}"


def _limit() -> str:
    return current_app.config["TRACKER_VIEWER_EXPORT_LIMIT"]


def _unlimited() -> bool:
    return can_export_without_limit(current_user)


def _made_a_file(response) -> bool:
    return response.status_code == 200 and response.headers.get("Content-Disposition", "").startswith(
        "attachment"
    )


# one allowance shared by the exports page's form and the summary and pack addresses
heavy_exports = limiter.shared_limit(
    _limit,
    scope="heavy-exports",
    key_func=_per_person,
    methods=["POST"],
    exempt_when=_unlimited,
    deduct_when=_made_a_file,
)


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded):
    """A viewer's allowance is used: a 429 page saying how long to wait, and the same in Retry-After."""
    seconds = seconds_to_wait()
    page = render_template("exports/refused.html", message=try_again_message(seconds, TOO_MANY))
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(seconds)
    return response
