"""One error class for a broken rule: every room's error carries its message and
the field it belongs beside."""

import pytest

from tracker.auth.services import AuthError
from tracker.errors import UserError
from tracker.evidence.services import EvidenceError
from tracker.exports.services import ExportError
from tracker.information_requests.services import RequestError
from tracker.measures.services import MeasureError
from tracker.plan.services import PlanError
from tracker.sef.services import SefError
from tracker.surveys.services import SurveyError


@pytest.mark.parametrize(
    "error",
    [AuthError, EvidenceError, ExportError, RequestError, MeasureError, PlanError, SefError, SurveyError],
)
def test_every_rooms_error_is_a_user_error_with_its_field(error):
    raised = error("Enter the due date.", "due_date")
    assert (
        isinstance(raised, UserError) and str(raised) == "Enter the due date." and raised.field == "due_date"
    )
    assert error("Something is wrong.").field is None
