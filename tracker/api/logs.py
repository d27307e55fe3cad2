"""An API token never reaches a log: Power BI's scheduled refresh sends it as `?key=` in the address, which
every access log writes down. Both servers' request logs go through `redact`:

- gunicorn's access log, by `RedactingLogger` (gunicorn.conf.py names it as `logger_class`): every atom of
  the access log format (the request line, the query string, the referrer, any header or environ value a
  custom format names) with `key=` values replaced;
- Werkzeug's development server (`flask run`, the browser tests' live server), by a filter on the
  `werkzeug` logger, added when the app starts.
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

KEY = re.compile(r"((?:^|[?&;\s\"'])key=)[^&\s\"']*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`key=<anything>` anywhere in a request line or query string, as `key=[redacted]`."""
    return KEY.sub(lambda found: found.group(1) + REDACTED, text) if "key=" in text.lower() else text


class RedactingLogger(Logger):
    """gunicorn's own logger, with every access-log atom redacted before the format is filled in."""

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in found.items()}


class RedactKeyFilter(logging.Filter):
    """For Werkzeug's request log: its message is `"%s" %s %s` with the request line as the first argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(existing, RedactKeyFilter) for existing in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactKeyFilter())
