"""Reminders that keep the plan alive: what needs each person's attention, the daily email digest, Teams
summaries, and `flask reminders send` (docs/reminders.md); the pages where people choose how often they hear
about each kind, and administrators keep the Teams channels and see what could not be delivered."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)  # its pages live under /account and /admin, beside their neighbours

from tracker.plan import hooks  # noqa: E402
from tracker.reminders import panel, views  # noqa: E402,F401

hooks.my_actions_sections["reminders"] = hooks.Section("reminders/_attention.html", panel.attention_panel)
