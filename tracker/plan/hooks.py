"""Where floors above the plan add what they know to its pages, so the plan never imports them.

Evidence and measures sit above the plan (STYLE.md), yet a finding's page shows its evidence
and measures. Each of those domains registers here when the app starts: a counter gives a
number per finding for the findings list, a section gives a partial template and its data
for a finding's or an action's page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    template: str
    load: Callable[[Any, Any], dict]  # (user, finding or action) -> the partial's context


# keyed by the domain's name, so registering again (a second app in the tests) replaces, not repeats
finding_counters: dict[str, Callable[[Any, list[int]], dict[int, int]]] = {}
finding_sections: dict[str, Section] = {}
action_sections: dict[str, Section] = {}


def count_per_finding(user: Any, finding_ids: list[int]) -> dict[str, dict[int, int]]:
    """Each registered domain's number for each of these findings (the page's): one query per domain."""
    return {name: counter(user, finding_ids) for name, counter in finding_counters.items()}


def sections(registered: dict[str, Section], user: Any, record: Any) -> list[tuple[str, dict]]:
    return [(section.template, section.load(user, record)) for _, section in sorted(registered.items())]
