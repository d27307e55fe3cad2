"""The documents of the API's further resources: progress updates, evidence metadata, measures with their
readings, and survey summaries (tracker/api/resources_more.py). The same shape as schemas.py: a model for
one item and a `...List` model with `as_at`, `next` and `data`; every answer is built through them."""

from datetime import date

from pydantic import Field

from tracker.api.schemas import Document, ListDocument
from tracker.evidence.models import EvidenceKind, EvidenceStatus, Sensitivity
from tracker.measures.models import Direction
from tracker.plan.models import ActionStatus
from tracker.surveys.models import Audience, QuestionKind


class ProgressUpdate(Document):
    id: int
    action_id: int
    action_reference: str
    written_on: date = Field(description="The day the update is about, as its author dated it.")
    author: str = Field(description="The author's name.")
    body: str = Field(description="The update, as its author wrote it.")
    percent_complete: int = Field(ge=0, le=100)
    status: ActionStatus = Field(description="The action's status the update set.")
    status_label: str
    rag_note: str | None = Field(description="What the author said of the RAG, if anything.")


class ProgressUpdateList(ListDocument):
    data: list[ProgressUpdate]


class EvidenceFileMetadata(Document):
    """The item's latest file by the end of `as_at`: its name, size and type, never its content."""

    name: str
    size_bytes: int = Field(ge=0)
    content_type: str
    version: int = Field(ge=1)


class EvidenceMetadata(Document):
    id: int
    title: str
    kind: EvidenceKind
    kind_label: str
    status: EvidenceStatus
    status_label: str
    sensitivity: Sensitivity
    sensitivity_label: str
    about_date: date = Field(description="The day the evidence is about.")
    review_by: date | None
    expired: bool = Field(description="Its review-by date had passed by `as_at`.")
    uploaded_by: str = Field(description="The name of the person who added it.")
    added_on: date
    finding_ids: list[int]
    action_ids: list[int]
    file: EvidenceFileMetadata | None = Field(description="null for a link or a note.")
    page: str = Field(description="Its page in the tracker, for those who may open it.")


class EvidenceList(ListDocument):
    data: list[EvidenceMetadata]


class ReadingCorrection(Document):
    previous_value: float
    previous_note: str
    reason: str
    corrected_on: date
    corrected_by: str


class Reading(Document):
    id: int
    period_end: date
    value: float = Field(description="The value as it stood at the end of `as_at`.")
    note: str
    entered_by: str
    evidence_id: int | None = Field(
        description="The evidence it came from, when the token's maker may see it and it is not restricted."
    )
    corrections: list[ReadingCorrection] = Field(
        description="The corrections made by the end of `as_at`, earliest first: each the figure it replaced."
    )


class Target(Document):
    value: float
    on: date | None


class Baseline(Document):
    value: float
    on: date


class Measure(Document):
    id: int
    name: str
    unit: str
    direction: Direction
    owner: str
    baseline: Baseline | None
    target: Target | None
    latest: float | None
    status: str = Field(
        description="on_track, off_track, no_data, stale or no_target, as on the measure's page."
    )
    status_reason: str
    readings: list[Reading] = Field(description="Entered by the end of `as_at`, by period.")


class MeasureList(ListDocument):
    data: list[Measure]


class GroupReplies(Document):
    audience: Audience
    audience_label: str
    replies: int = Field(ge=0)
    respondents: int | None = Field(
        description="Distinct respondents, or null when the replies carry no respondent identifier."
    )
    small_base: bool = Field(description="Fewer than 10 replies: read shares with care, as the page says.")
    in_words: str = Field(description="As the survey's page says it: '39 replies from 29 SENCOs'.")


class AnswerCount(Document):
    value: str
    count: int = Field(ge=0)
    percent: int = Field(ge=0, le=100, description="Of the base, halves rounded up.")


class QuestionSummary(Document):
    question_id: int
    question: str
    kind: QuestionKind
    audience: Audience
    base: int = Field(description="The replies from this group that answered the question.")
    small_base: bool
    answers: list[AnswerCount]


class SurveySummary(Document):
    id: int
    title: str
    service: str
    opened_on: date | None
    closed_on: date | None
    finding_ids: list[int]
    groups: list[GroupReplies]
    questions: list[QuestionSummary] = Field(
        description="Each counted question and group, as the survey's page summarises them; free text is not."
    )
    comments: int = Field(description="How many free-text comments: their text is not in the API.")


class SurveySummaryList(ListDocument):
    data: list[SurveySummary]
