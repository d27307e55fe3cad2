"""Reminders that keep the plan alive: what needs each person's attention, the daily email digest, Teams
summaries, and `flask reminders send` (docs/reminders.md)."""
