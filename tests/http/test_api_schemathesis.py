"""Schemathesis against the running app: every operation in /api/v1/openapi.json, called with a valid token
and with the parameters Schemathesis makes from the document (filters, dates, limits, cursors, good and
bad), answers with no server error, a status the document lists, and a body that matches its schema
(200 lists and 400/401/404/429 problems alike). A bounded number of examples keeps it to seconds."""

from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.http.test_api_lists import API_PATHS
from tests.http.test_api_resources import summarised_survey
from tracker.api import tokens
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.measures.models import ReadingCorrection
from tracker.models import Role
from tracker.plan.models import ActionStatus, ProgressUpdate
from tracker.readiness.services import take_snapshot

EXAMPLES = 40  # per operation: a few seconds in all
# every operation but the document's own, which Schemathesis leaves out (it is what it was loaded from)
PATHS = API_PATHS
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def leader_token():
    """A small plan with something of each kind the answers describe, and a leader's token."""
    leader = factories.UserFactory(role=Role.LEADER, name="Lee Leader")
    finding = factories.FindingFactory()
    strength = factories.FindingFactory(reference="S1")
    factories.ActionFactory(findings=[finding], due_date=today() - timedelta(days=2))
    factories.ActionFactory(findings=[finding, strength], status=ActionStatus.CANCELLED)
    owned = factories.ActionFactory(findings=[strength], owner=leader, start_date=date(2026, 1, 5))
    db.session.add(
        ProgressUpdate(
            action=owned,
            author=leader,
            written_on=today(),
            body="Met the SENCOs.",
            percent_complete=30,
            status=ActionStatus.IN_PROGRESS,
            rag_note="On track",
        )
    )
    factories.document_evidence(uploaded_by=leader, findings=[finding])
    item = factories.EvidenceFactory(
        uploaded_by=leader, status=EvidenceStatus.ACCEPTED, sensitivity=Sensitivity.RESTRICTED
    )
    item.findings.append(strength)
    reading = factories.ReadingFactory(measure=factories.MeasureFactory(findings=[finding], target_value=18))
    reading.corrections.append(
        ReadingCorrection(previous_value=21, reason="Typed wrongly", corrected_by_id=leader.id)
    )
    summarised_survey(findings=[strength])
    db.session.commit()
    take_snapshot(None, today() - timedelta(days=1))  # readiness history: two days of rows
    take_snapshot(None)
    _, value = tokens.make_token(leader, "Schemathesis", today() + timedelta(days=30))
    return value


def test_every_operation_answers_to_its_schema(app, leader_token, monkeypatch):
    """Schemathesis's own pytest plugin does not run under pytest 9 yet (it reads Function._nodeid): each
    operation's Hypothesis strategy is driven here instead, the same cases and checks."""
    monkeypatch.setitem(app.config, "TRACKER_API_RATE_LIMIT", "100000 per minute")
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    # Schemathesis leaves out the operation that serves the document it was loaded from
    assert {operation.path for operation in operations} == PATHS
    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case):
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {leader_token}"}, checks=CHECKS
            )
            statuses.setdefault(operation.path, set()).add(response.status_code)

        call()
    for path in sorted(PATHS):
        assert 200 in statuses[path], (path, statuses[path])  # not only refusals: real pages were checked
