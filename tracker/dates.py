"""Dates as people in England read them: 3 March 2026, and times in UK local time."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(LONDON)
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def iso_day(raw: str) -> date:
    """A day written exactly as YYYY-MM-DD, as addresses and the command line take it; ValueError otherwise
    (date.fromisoformat alone would also take 20260331 or a week date like 2026-W10-1)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise ValueError(f"not a day written as YYYY-MM-DD: {raw!r}")
    return date.fromisoformat(raw)
