"""Imports every domain's models so that SQLAlchemy and Alembic see the whole schema."""

from tracker.api.models import ApiToken  # noqa: F401
from tracker.audit import AuditEvent  # noqa: F401
from tracker.auth.models import User  # noqa: F401
from tracker.evidence.models import EvidenceFile, EvidenceItem  # noqa: F401
from tracker.forms import FormSubmission  # noqa: F401
from tracker.frameworks.models import Criterion, CriterionLink, EvaluationArea, Framework  # noqa: F401
from tracker.information_requests.models import InformationRequest, InspectionPeriod, RequestEvidence  # noqa: F401
from tracker.mapping import SavedMapping  # noqa: F401
from tracker.measures.models import Measure, MeasureMilestone, MeasureReading, ReadingCorrection  # noqa: F401
from tracker.plan.models import Action, DueDateRevision, Finding, Inspection, ProgressUpdate, Theme  # noqa: F401
from tracker.readiness.models import ReadinessSnapshot  # noqa: F401
from tracker.reminders.models import (  # noqa: F401
    ReminderDigest,
    ReminderPreference,
    ReminderSent,
    TeamsChannel,
    TeamsPost,
)
from tracker.sef.models import SefCitation, SefSignOff, SefVersion  # noqa: F401
from tracker.surveys.models import (  # noqa: F401
    Survey,
    SurveyAnswer,
    SurveyComment,
    SurveyGroup,
    SurveyImport,
    SurveyQuestion,
    SurveyReply,
    YouSaidWeDid,
)
