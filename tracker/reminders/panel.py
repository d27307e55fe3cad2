"""The "Needs your attention" panel on My actions: `attention_for`'s items for the person signed in, the
same list as their email digest, grouped by kind. The plan shows it through `hooks.my_actions_sections`."""

from itertools import groupby
from typing import Any

from tracker.auth.models import User
from tracker.dates import today
from tracker.models import utcnow
from tracker.reminders.attention import Attention, attention_for
from tracker.reminders.models import ReminderKind


def attention_panel(user: User, _record: Any = None) -> dict[str, Any]:
    """Each kind with its items, most pressing kind first (the order `attention_for` gives), in a fixed
    number of queries. The items are only what this person may see, so the titles are shown as they are."""
    items = attention_for(user, today(), utcnow())
    groups: list[tuple[ReminderKind, list[Attention]]] = [
        (kind, list(group)) for kind, group in groupby(items, key=lambda item: item.kind)
    ]
    return {"groups": groups, "total": len(items)}
