"""The frameworks' rules: which framework is current, criteria and their links."""

import sqlalchemy as sa

from tracker.extensions import db
from tracker.frameworks.models import Framework


def current_framework() -> Framework | None:
    """The framework the partnership works to: the most recently published version loaded, the latest
    loaded when two share a date; None before any framework is loaded."""
    return db.session.scalars(
        sa.select(Framework).order_by(Framework.published_on.desc().nulls_last(), Framework.id.desc()).limit(1)
    ).first()
