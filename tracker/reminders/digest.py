"""What the messages say: a person's digest (subject, plain text and accessible HTML, grouped by kind, each
item a link to its page) and a Teams channel's summary card. Items are named only by `Attention.safe_title`:
restricted evidence and a request's wording never reach a message."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app

from tracker.auth.models import User
from tracker.dates import format_date
from tracker.plan.models import Partner
from tracker.reminders.attention import Attention, grouped
from tracker.reminders.models import ReminderKind
from tracker.reminders.transports import ReminderConfigError
from tracker.text import counted, plural

PREFERENCES_PATH = "/account/reminders"  # the person's own reminder settings page
TEAMS_KINDS = (ReminderKind.OVERDUE, ReminderKind.DUE_SOON)
TEAMS_MOST_PER_KIND = 25  # a card has a size limit; the rest are counted and the card links to the list


@dataclass(frozen=True)
class Line:
    """One item as a message shows it: never more than its safe title, why, and where to go."""

    title: str
    why: str
    url: str


@dataclass(frozen=True)
class Group:
    """One kind as a message shows it (`attention.grouped`'s rule, as on the panel): its first items, then how
    many more, with the address of the page that lists them all."""

    kind: ReminderKind
    lines: list[Line]
    more_count: int = 0
    more_url: str = ""

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def total(self) -> int:
        return len(self.lines) + self.more_count


@dataclass(frozen=True)
class Digest:
    subject: str
    text_body: str
    html_body: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(group.total for group in self.groups)


def base_url(config: Mapping[str, Any], required: bool = True) -> str:
    """TRACKER_BASE_URL without its trailing slash: every link in a message starts with it."""
    value = str(config.get("TRACKER_BASE_URL") or "").strip().rstrip("/")
    if not value and required:
        raise ReminderConfigError(
            "TRACKER_BASE_URL is not set: give the address people open the tracker at, "
            "like https://tracker.example.gov.uk, so that every reminder links to its page."
        )
    if value and not value.startswith(("https://", "http://")):
        raise ReminderConfigError(f"TRACKER_BASE_URL must start with https:// or http://, not {value!r}.")
    return value


def address(base: str, endpoint: str, values: Mapping[str, Any]) -> str:
    return base + current_app.url_map.bind("localhost").build(endpoint, dict(values))


def link(base: str, item: Attention) -> str:
    return address(base, item.endpoint, item.values)


def things(count: int) -> str:
    return f"{counted(count, 'thing')} {plural(count, 'needs', 'need')}"


def digest_for(person: User, items: Iterable[Attention], on: date, base: str) -> Digest:
    """The digest of these items for this person, grouped by kind in the order the kinds are listed, each
    kind's first items named and the rest counted, with a link to the page that lists them all."""
    groups = [
        Group(
            group.kind,
            [Line(item.safe_title, item.why, link(base, item)) for item in group.shown],
            group.more_count,
            address(base, group.more_endpoint, group.more_values),
        )
        for group in grouped(items)
    ]
    count = sum(group.total for group in groups)
    service = current_app.config["TRACKER_SERVICE_NAME"]
    context = {
        "heading": f"{things(count)} your attention",
        "name": person.name,
        "service": service,
        "day": format_date(on),
        "groups": groups,
        "preferences_url": base + PREFERENCES_PATH,
    }
    environment = current_app.jinja_env
    return Digest(
        subject=f"{things(count)} your attention in the {service}",
        text_body=environment.get_template("reminders/digest.txt").render(context),
        html_body=environment.get_template("reminders/digest.html").render(context),
        groups=groups,
    )


# ---------------------------------------------------------------------------------------------------- Teams


@dataclass(frozen=True)
class TeamsLine:
    item: Attention
    owner: str


def for_channel(channel_partner: Partner | None, action_partner: Partner | None) -> bool:
    """A channel with no partner hears about every action; a council or ICB channel also about the actions
    both partners share."""
    if channel_partner is None or action_partner == channel_partner:
        return True
    return action_partner is Partner.BOTH and channel_partner in (Partner.COUNCIL, Partner.ICB)


def teams_card(channel_name: str, on: date, lines: list[TeamsLine], base: str) -> dict[str, Any]:
    """The message a Teams Workflows webhook ("Post to a channel when a webhook request is received") takes:
    an Adaptive Card 1.4 with the counts, then each action's reference and title as a link, its owner and
    why."""
    counts = {kind: sum(1 for line in lines if line.item.kind is kind) for kind in TEAMS_KINDS}
    headline = (
        f"{counts[ReminderKind.OVERDUE]} overdue and {counts[ReminderKind.DUE_SOON]} due soon: "
        f"{format_date(on)}"
    )
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": _plain(headline), "size": "Large", "weight": "Bolder", "wrap": True},
        {"type": "TextBlock", "text": _plain(f"Actions for {channel_name}"), "isSubtle": True, "wrap": True},
    ]
    for kind in TEAMS_KINDS:
        shown = [line for line in lines if line.item.kind is kind]
        if not shown:
            continue
        heading = (
            f"{'Overdue actions' if kind is ReminderKind.OVERDUE else 'Actions due soon'} ({len(shown)})"
        )
        body.append(
            {"type": "TextBlock", "text": heading, "weight": "Bolder", "spacing": "Large", "wrap": True}
        )
        for line in shown[:TEAMS_MOST_PER_KIND]:
            text = (
                f"[{_plain(line.item.safe_title)}]({link(base, line.item)})  \n"
                f"{_plain(line.owner)}: {_plain(line.item.why)}"
            )
            body.append({"type": "TextBlock", "text": text, "wrap": True, "spacing": "Small"})
        if len(shown) > TEAMS_MOST_PER_KIND:
            more = len(shown) - TEAMS_MOST_PER_KIND
            body.append({"type": "TextBlock", "text": f"And {more} more in the tracker.", "wrap": True})
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Open the actions list", "url": base + "/actions"}],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


_MARKDOWN = str.maketrans({char: "\\" + char for char in "\\`*_[]()#>~|"})


def _plain(text: str) -> str:
    """Text shown as it was written: Teams reads a TextBlock as Markdown."""
    return text.translate(_MARKDOWN)
