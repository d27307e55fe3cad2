"""Rules of the plan's services that the pages rely on."""

from datetime import date, datetime, timedelta, timezone

import pytest

from tests import factories
from tracker.extensions import db
from tracker.plan.models import ActionStatus, ProgressUpdate
from tracker.plan.queries import ActionFilters, list_actions
from tracker.plan.services import EditConflict, FindingData, stale_of, update_finding

TODAY = date(2026, 6, 15)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("last_update_days", [None, 29, 30, 31])
@pytest.mark.parametrize("start_days", [None, -5, 0, 29, 30, 31])
@pytest.mark.parametrize("created_days", [1, 30, 200])
def test_the_stale_filter_in_sql_agrees_with_the_stale_rule(last_update_days, start_days, created_days):
    """The list filter (SQL) and the tag (Python) must never disagree, at every boundary."""
    action = factories.ActionFactory(
        findings=[factories.FindingFactory()],
        created_at=at(TODAY - timedelta(days=created_days)),
        start_date=None if start_days is None else TODAY - timedelta(days=start_days),
        due_date=TODAY + timedelta(days=400),
    )
    if last_update_days is not None:
        db.session.add(
            ProgressUpdate(
                action=action,
                author=action.owner,
                written_on=TODAY - timedelta(days=last_update_days),
                body="x",
                percent_complete=10,
                status=ActionStatus.IN_PROGRESS,
            )
        )
        db.session.commit()
    listed = list_actions(ActionFilters(stale=True), on=TODAY).total == 1
    latest = None if last_update_days is None else TODAY - timedelta(days=last_update_days)
    assert listed == stale_of(action, latest, TODAY)


def test_an_edit_conflict_names_who_saved_and_when(client_as):
    finding = factories.FindingFactory()
    first = factories.UserFactory(name="Jo Whitfield")
    data = FindingData(
        inspection_id=finding.inspection_id,
        theme_id=finding.theme_id,
        kind=finding.kind,
        reference=finding.reference,
        title="Jo's title",
        wording=finding.wording,
        accountable_partner=finding.accountable_partner,
    )
    update_finding(first, finding, data, seen_version=1)
    with pytest.raises(EditConflict) as raised:
        update_finding(factories.UserFactory(), finding, data, seen_version=1)
    assert str(raised.value).startswith("This was changed by Jo Whitfield at ")
    assert "since you opened it" in str(raised.value)
