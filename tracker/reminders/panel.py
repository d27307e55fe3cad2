"""The "Needs your attention" panel on My actions: `attention_for`'s items for the person signed in, the
same list as their email digest, grouped by kind. The plan shows it through `hooks.my_actions_sections`."""

from typing import Any

from tracker.auth.models import User
from tracker.dates import today
from tracker.models import utcnow
from tracker.reminders.attention import attention_for, grouped


def attention_panel(user: User, _record: Any = None) -> dict[str, Any]:
    """Each kind with its first items and how many more (`attention.grouped`, the digest's rule), most
    pressing kind first, in a fixed number of queries. The items are only what this person may see, so the
    titles are shown as they are."""
    items = attention_for(user, today(), utcnow())
    return {"groups": grouped(items), "total": len(items)}
