"""The API's documents, as pydantic models: every response is built through these (so it is validated as it
is made: a row that does not fit is a fault, a 500, never a wrong answer sent), and the OpenAPI document's
schemas are generated from the same classes (tracker/api/openapi.py).

A resource added later follows the same shape: a model for one item, and a `...List` model with `as_at`,
`data` and `next`.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from tracker.plan.models import ActionStatus, InspectionType, Partner
from tracker.plan.rag import Rag


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterError(Document):
    parameter: str = Field(description="The query parameter at fault.")
    detail: str


class Problem(Document):
    """RFC 9457 problem details: every error the API answers."""

    type: str = Field(description="about:blank: the title is the HTTP status's phrase.")
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do, in plain words.")
    instance: str = Field(description="The path that was asked for.")
    errors: list[ParameterError] | None = None


class Inspection(Document):
    id: int
    title: str
    local_area: str
    inspectorates: str
    type: InspectionType
    type_label: str
    start_date: date | None
    end_date: date | None
    published_on: date | None
    outcome: str | None = Field(description="The report's outcome key, or null before it is published.")
    outcome_label: str | None


class Readiness(Document):
    colour: Rag
    reasons: list[str] = Field(description="Plain words, most serious first, as the dashboard shows them.")


class Finding(Document):
    id: int
    reference: str
    title: str
    wording: str
    kind: str = Field(
        description="area_for_priority_action, area_for_improvement, strength, self_identified, ..."
    )
    kind_label: str
    theme_id: int | None
    theme: str
    inspection_id: int | None
    accountable_partner: Partner | None
    accountable_partner_label: str
    readiness: Readiness
    action_ids: list[int] = Field(
        description="The live actions answering this finding, cancelled ones included."
    )
    measure_ids: list[int]


class Action(Document):
    id: int
    reference: str
    title: str
    owner: str = Field(description="The owner's name.")
    partner: Partner
    partner_label: str
    status: ActionStatus
    status_label: str
    percent_complete: int = Field(ge=0, le=100)
    due_date: date = Field(description="The due date in force (the latest revision's, or the original).")
    original_due_date: date
    rag: Rag | None = Field(description="null for a cancelled action.")
    rag_summary: str = Field(description="The colour and its reasons, as on the action's page.")
    overdue: bool
    stale: bool
    latest_update_on: date | None
    finding_ids: list[int]


class ListDocument(Document):
    as_at: date = Field(description="The day the figures are as at (the end of that day, UK time).")
    next: str | None = Field(description="The address of the next page, or null on the last page.")


class InspectionList(ListDocument):
    data: list[Inspection]


class FindingList(ListDocument):
    data: list[Finding]


class ActionList(ListDocument):
    data: list[Action]
