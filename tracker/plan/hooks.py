"""Where floors above the plan add what they know to its pages, so the plan never imports them.

Evidence, measures and readiness sit above the plan (STYLE.md), yet a finding's page shows its
evidence, measures and readiness. Each of those domains registers here when the app starts: a
counter gives a number per finding for the findings list, a status gives each finding a value
and a template whose `show` macro shows it (a column of the findings list, a row of a finding's
page), a section gives a partial template and its data for a finding's or an action's page, or for My actions
(with no record: reminders' "Needs your attention" panel, above the list).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import get_template_attribute


@dataclass(frozen=True)
class Section:
    template: str
    load: Callable[[Any, Any], dict]  # (user, finding or action) -> the partial's context


@dataclass(frozen=True)
class Status:
    heading: str
    template: str  # defines the macro show(value) for one finding's value (None when the finding has none)
    load: Callable[[Any, list[int]], dict[int, Any]]  # (user, finding ids) -> each finding's value


# keyed by the domain's name, so registering again (a second app in the tests) replaces, not repeats
finding_counters: dict[str, Callable[[Any, list[int]], dict[int, int]]] = {}
finding_statuses: dict[str, Status] = {}
finding_sections: dict[str, Section] = {}
action_sections: dict[str, Section] = {}
my_actions_sections: dict[str, Section] = {}  # load(user, None): above the list on My actions


def count_per_finding(user: Any, finding_ids: list[int]) -> dict[str, dict[int, int]]:
    """Each registered domain's number for each of these findings (the page's): one query per domain."""
    return {name: counter(user, finding_ids) for name, counter in finding_counters.items()}


def statuses_per_finding(user: Any, finding_ids: list[int]) -> list[tuple[str, Callable, dict[int, Any]]]:
    """Each registered status: its heading, its show macro (imported once, not once a row) and the value of
    each of these findings (the page's), in a fixed number of queries."""
    return [
        (status.heading, get_template_attribute(status.template, "show"), status.load(user, finding_ids))
        for _, status in sorted(finding_statuses.items())
    ]


def sections(registered: dict[str, Section], user: Any, record: Any) -> list[tuple[str, dict]]:
    return [(section.template, section.load(user, record)) for _, section in sorted(registered.items())]
