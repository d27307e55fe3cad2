"""The "Needs your attention" panel on My actions: `attention_for`'s items for the person signed in, the
same list as their email digest, grouped by kind. The plan shows it through `hooks.my_actions_sections`."""

from typing import Any

from tracker.auth.models import User
from tracker.dates import today
from tracker.models import utcnow
from tracker.reminders.attention import attention_groups


def attention_panel(user: User, _record: Any = None) -> dict[str, Any]:
    """Each kind with its first items and how many more (`attention.grouped`, the digest's rule), most
    pressing kind first, in a fixed number of queries however many there are. The items are only what this
    person may see, so the titles are shown as they are."""
    groups = attention_groups(user, today(), utcnow())
    return {"groups": groups, "total": sum(group.total for group in groups)}
