"""Reading the improvement plan: findings grouped by theme, and the actions list."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.plan.models import Action, Finding, Theme, action_finding


@dataclass
class ThemeGroup:
    theme: Theme
    findings: list[Finding]


def findings_by_theme() -> tuple[list[ThemeGroup], dict[int, int]]:
    """Live findings grouped under their themes in theme order, and each finding's action count."""
    findings = db.session.scalars(
        sa.select(Finding)
        .join(Finding.theme)
        .where(Finding.archived_at.is_(None))
        .options(selectinload(Finding.theme), selectinload(Finding.inspection), selectinload(Finding.lead))
        .order_by(Theme.position, Theme.name, Finding.kind, Finding.reference)
    ).all()
    groups: list[ThemeGroup] = []
    for finding in findings:
        if not groups or groups[-1].theme.id != finding.theme_id:
            groups.append(ThemeGroup(finding.theme, []))
        groups[-1].findings.append(finding)
    action_counts = dict(
        db.session.execute(
            sa.select(action_finding.c.finding_id, sa.func.count())
            .join(Action, Action.id == action_finding.c.action_id)
            .where(Action.archived_at.is_(None))
            .group_by(action_finding.c.finding_id)
        ).all()
    )
    return groups, action_counts


def list_actions() -> list[Action]:
    due = sa.func.coalesce(Action.revised_due_date, Action.due_date)
    return db.session.scalars(
        sa.select(Action)
        .where(Action.archived_at.is_(None))
        .options(selectinload(Action.owner), selectinload(Action.findings))
        .order_by(due, Action.reference)
    ).all()


def today() -> date:
    return date.today()
