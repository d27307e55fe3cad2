"""Reminders that keep the plan alive: what needs each person's attention, the daily email digest, Teams
summaries, and `flask reminders send` (docs/reminders.md)."""

from tracker.plan import hooks  # noqa: E402
from tracker.reminders import panel  # noqa: E402

hooks.my_actions_sections["reminders"] = hooks.Section("reminders/_attention.html", panel.attention_panel)
