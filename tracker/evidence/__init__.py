"""Evidence: documents, links and notes that back a claim of progress."""

from flask import Blueprint

from tracker.plan import hooks

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

from tracker.evidence import services, views  # noqa: E402,F401

hooks.finding_counters["evidence"] = services.evidence_counts_by_finding
hooks.finding_sections["evidence"] = hooks.Section("evidence/_section.html", services.finding_section)
hooks.action_sections["evidence"] = hooks.Section("evidence/_section.html", services.action_section)
