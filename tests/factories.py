"""One factory per model, with sequences for values that must be unique."""

from datetime import date

import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory

from tracker.auth.models import User
from tracker.evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.frameworks.models import Criterion, EvaluationArea, Framework
from tracker.measures.models import Direction, Frequency, Measure, MeasureReading
from tracker.models import Role
from tracker.plan.models import (
    Action,
    ActionStatus,
    Finding,
    FindingKind,
    Inspection,
    InspectionType,
    Partner,
    Theme,
)
from tracker.surveys.models import (
    Audience,
    PublicationStatus,
    Survey,
    SurveyComment,
    SurveyGroup,
    YouSaidWeDid,
)

PASSWORD = "correct-horse-battery"
DEMO_PASSWORD = "demo-password-2026"  # every demo account's, in the tests that load the demo partnership
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.OFFICER
    password_hash = PASSWORD_HASH
    active = True


class ThemeFactory(BaseFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    position = factory.Sequence(int)


class InspectionFactory(BaseFactory):
    class Meta:
        model = Inspection

    title = factory.Sequence(lambda n: f"Area SEND inspection {n}")
    local_area = "Testshire"
    inspectorates = "Ofsted and CQC"
    type = InspectionType.FULL
    start_date = date(2025, 10, 6)


class FindingFactory(BaseFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    theme = factory.SubFactory(ThemeFactory)
    kind = FindingKind.AREA_FOR_IMPROVEMENT
    reference = factory.Sequence(lambda n: f"AFI{n}")
    title = factory.Sequence(lambda n: f"Finding {n}")
    wording = "Some parents told inspectors their options were difficult to navigate."
    accountable_partner = Partner.COUNCIL


class ActionFactory(BaseFactory):
    class Meta:
        model = Action

    reference = factory.Sequence(lambda n: f"A{n}")
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    partner = Partner.COUNCIL
    due_date = date(2027, 3, 31)
    status = ActionStatus.IN_PROGRESS
    percent_complete = 10


class EvidenceFactory(BaseFactory):
    class Meta:
        model = EvidenceItem

    kind = EvidenceKind.NOTE
    title = factory.Sequence(lambda n: f"Evidence {n}")
    note = "What happened."
    about_date = date(2026, 6, 1)
    status = EvidenceStatus.SUBMITTED
    sensitivity = Sensitivity.INTERNAL
    uploaded_by = factory.SubFactory(UserFactory)


class MeasureFactory(BaseFactory):
    class Meta:
        model = Measure

    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "weeks"
    direction = Direction.LOWER_IS_BETTER
    frequency = Frequency.QUARTERLY
    owner = factory.SubFactory(UserFactory)


class ReadingFactory(BaseFactory):
    class Meta:
        model = MeasureReading

    measure = factory.SubFactory(MeasureFactory)
    period_end = date(2026, 6, 30)
    value = 19
    entered_by = factory.SelfAttribute("measure.owner")


class SurveyFactory(BaseFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Survey {n}")
    service = "SPOT service"
    opened_on = date(2026, 5, 1)
    closed_on = date(2026, 5, 31)


class SurveyGroupFactory(BaseFactory):
    class Meta:
        model = SurveyGroup

    survey = factory.SubFactory(SurveyFactory)
    audience = Audience.SENCOS


class SurveyCommentFactory(BaseFactory):
    class Meta:
        model = SurveyComment

    group = factory.SubFactory(SurveyGroupFactory)
    survey_id = factory.SelfAttribute("group.survey_id")
    text = "The options were hard to find."


class YouSaidWeDidFactory(BaseFactory):
    class Meta:
        model = YouSaidWeDid

    survey_id = factory.LazyFunction(lambda: SurveyFactory().id)
    you_said = "The options were hard to find."
    we_did = "We published one clear page."
    status = PublicationStatus.DRAFT


class FrameworkFactory(BaseFactory):
    class Meta:
        model = Framework

    key = "area-send"
    version = factory.Sequence(lambda n: f"test-{n}")
    name = "Area SEND framework"
    published_on = date(2025, 7, 1)


class EvaluationAreaFactory(BaseFactory):
    class Meta:
        model = EvaluationArea

    framework = factory.SubFactory(FrameworkFactory)
    key = factory.Sequence(lambda n: f"area{n}")
    title = factory.Sequence(lambda n: f"Evaluation area {n}")
    position = factory.Sequence(int)


class CriterionFactory(BaseFactory):
    class Meta:
        model = Criterion

    area = factory.SubFactory(EvaluationAreaFactory)
    framework = factory.SelfAttribute("area.framework")
    key = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Criterion {n}")
    wording = "children and young people receive the right help at the right time"
    position = factory.Sequence(int)


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def document_evidence(content: bytes = PDF_BYTES, filename: str = "report.pdf", **fields):
    """A document stored through the real storage path, with its first version."""
    import io

    from tracker import storage
    from tracker.evidence.models import EvidenceFile

    stored = storage.store_stream(io.BytesIO(content), filename, 10 * 1024 * 1024)
    item = EvidenceFactory(kind=EvidenceKind.DOCUMENT, note=None, **fields)
    revision = EvidenceFile(
        item=item,
        version=1,
        filename=stored.filename,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=item.uploaded_by_id,
    )
    db.session.add(revision)
    db.session.commit()
    return item, revision
