"""What families see: the published "you said, we did" entries, on their page and as a Word
document (python-docx) for the local offer website."""

import hashlib
import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.auth.models import User
from tracker.extensions import db
from tracker.plan.models import Action, ActionStatus
from tracker.surveys.models import PublicationStatus, Survey, YouSaidWeDid
from tracker.surveys.services import RESPONDENT_NOUNS, group_counts
from tracker.text import clean_text, counted

COLUMNS = ("You said", "We did", "Status of the action")

# what families read about an action's progress: plain words, nothing internal
FAMILY_STATUS = {
    ActionStatus.NOT_STARTED: "Planned",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.ON_HOLD: "Paused",
    ActionStatus.COMPLETE: "Done",
    ActionStatus.CANCELLED: "Stopped",
}


def family_status(actions: list[Action]) -> str:
    """How far the actions behind an entry have got, in words for families: 'Done', or '2 actions: 1 done,
    1 in progress'."""
    live = [action for action in actions if not action.is_archived]
    if not live:
        return "No action recorded yet"
    if len(live) == 1:
        return FAMILY_STATUS[live[0].status]
    counts = [(status, sum(action.status is status for action in live)) for status in ActionStatus]
    parts = [f"{count} {FAMILY_STATUS[status].lower()}" for status, count in counts if count]
    return f"{len(live)} actions: {', '.join(parts)}"


@dataclass
class PublishedEntry:
    you_said: str
    we_did: str
    status: str


def published_entries(survey: Survey) -> list[PublishedEntry]:
    """The published entries only, as families read them: no owners, references, comments or drafts."""
    responses = db.session.scalars(
        sa.select(YouSaidWeDid)
        .where(YouSaidWeDid.survey_id == survey.id, YouSaidWeDid.status == PublicationStatus.PUBLISHED)
        .options(selectinload(YouSaidWeDid.actions))
        .order_by(YouSaidWeDid.position, YouSaidWeDid.id)
    ).all()
    return [
        PublishedEntry(response.you_said, response.we_did, family_status(response.actions))
        for response in responses
    ]


def who_replied(survey: Survey) -> str:
    """'We received 61 replies: 39 from SENCOs and 22 from parents and carers.'"""
    counts = [count for count in group_counts(survey) if count.replies]
    if not counts:
        return "No replies have been counted yet."
    total = sum(count.replies for count in counts)
    parts = [f"{count.replies} from {RESPONDENT_NOUNS[count.group.audience][1]}" for count in counts]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"We received {counted(total, 'reply')}: {listed}."


def export_responses_docx(actor: User, survey: Survey) -> tuple[bytes, str]:
    """The published entries as a Word document and its file name;
    every export is recorded with its fingerprint."""
    content = responses_docx(
        survey.title,
        survey.service,
        survey.description,
        who_replied(survey),
        [(entry.you_said, entry.we_did, entry.status) for entry in published_entries(survey)],
    )
    audit.record(
        actor,
        "you_said_we_did.exported",
        survey,
        after={"format": "docx", "sha256": hashlib.sha256(content).hexdigest()},
    )
    db.session.commit()
    slug = re.sub(r"[^a-z0-9]+", "-", survey.title.lower()).strip("-") or "survey"
    return content, f"{slug}-you-said-we-did.docx"


# The Word document -------------------------------------------------------------------------


def responses_docx(
    title: str, service: str, description: str, who_replied: str, rows: list[tuple[str, str, str]]
) -> bytes:
    """A document with real headings and a real table, so screen readers can move through it.

    `rows` are (you said, we did, status of the action), already in words for families. Characters Word
    cannot hold (a pasted control character) are left out, so that they cannot stop the export.
    """
    title, service, description, who_replied = (
        clean_text(text) for text in (title, service, description, who_replied)
    )
    rows = [(clean_text(said), clean_text(did), clean_text(status)) for said, did, status in rows]
    document = Document()
    heading = f"You said, we did: {title}"
    properties = document.core_properties
    properties.title = heading
    properties.subject = f"What families and professionals told the {service} and what was done in response"
    properties.author = service  # the service speaks, not the person who exported it
    properties.language = "en-GB"
    properties.keywords = "SEND; local offer; you said, we did"

    document.add_heading(heading, level=1)
    document.add_heading("About the survey", level=2)
    if description:
        document.add_paragraph(description)
    document.add_paragraph(who_replied)
    document.add_paragraph("Thank you to everyone who took part.")

    document.add_heading("What you told us and what we did", level=2)
    if rows:
        _table(document, rows)
    else:
        document.add_paragraph("We have not published any responses to this survey yet.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document, rows: list[tuple[str, str, str]]) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, COLUMNS):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    _describe(
        table,
        "You said, we did",
        "What people told us in the survey, what we did about it, and how far each action has got.",
    )


def _repeat_as_header(row) -> None:
    """Mark the first row as the table's header: Word repeats it on each page and
    reads it out with each cell."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _describe(table, caption: str, description: str) -> None:
    """The table's title and description, which Word shows as its alternative text."""
    for tag, text in (("w:tblCaption", caption), ("w:tblDescription", description)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), text)
        table._tbl.tblPr.append(element)
