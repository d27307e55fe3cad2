"""Survey comments a leader marks restricted (a parent named a child or a worker): only those who may see
restricted evidence read them, on every page and in every export; others are told how many are not shown
(issue 15, point 7)."""

import io
import zipfile
from datetime import timedelta

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from docx import Document

from bench.queries import queries_asked
from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.exports.services import (
    LISTS,
    ExportRequest,
    ListFilters,
    export_list,
    export_pack,
    export_summary,
)
from tracker.extensions import db
from tracker.models import Role
from tracker.surveys.exports import export_responses_docx
from tracker.surveys.models import Audience, PublicationStatus, SurveyComment, YouSaidWeDid

NAMED = "Jamie in Year 4 at Oakfield was left alone by his keyworker Sam Hill."
OPEN = "The two therapy services are confusing."


@pytest.fixture
def survey_with_comments():
    """A survey linked to a finding, with an open comment and one that names a child, both tagged to the
    finding and quoted by a published "you said, we did" entry."""
    finding = factories.FindingFactory(reference="AFI1", title="Waiting times")
    survey = factories.SurveyFactory(
        title="SPOT survey", opened_on=today() - timedelta(days=30), findings=[finding]
    )
    group = factories.SurveyGroupFactory(survey=survey, audience=Audience.PARENTS_CARERS)
    said, named = (
        SurveyComment(survey_id=survey.id, group_id=group.id, text=text, findings=[finding])
        for text in (OPEN, NAMED)
    )
    db.session.add_all([said, named])
    db.session.add(
        YouSaidWeDid(
            survey_id=survey.id,
            you_said="Families found the services confusing.",
            we_did="We wrote a leaflet.",
            status=PublicationStatus.PUBLISHED,
            comments=[said, named],
            actions=[factories.ActionFactory(findings=[finding])],
        )
    )
    db.session.commit()
    return survey, finding, named


def mark(client, comment, restricted="1"):
    return client.post(
        f"/surveys/{comment.survey_id}/comments/{comment.id}/restricted", data={"restricted": restricted}
    )


def events(verb: str) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)
    ).all()


def test_a_leader_marks_a_comment_restricted_sees_it_marked_and_each_change_is_audited(
    leader_client, survey_with_comments
):
    survey, _, named = survey_with_comments
    response = mark(leader_client, named)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/surveys/{survey.id}/comments#comment-{named.id}"
    )
    page = leader_client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)
    assert "Comment marked restricted: only leaders read it." in page
    assert (
        NAMED in page
        and ">Restricted</strong>" in page
        and "Lift the restriction" in page
        and "not shown" not in page
    )
    detail = leader_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert NAMED in detail and ">Restricted</strong>" in detail
    tag_page = leader_client.get(f"/surveys/{survey.id}/comments/{named.id}").get_data(as_text=True)
    assert NAMED in tag_page and ">Restricted</strong>" in tag_page
    form = leader_client.get(f"/surveys/{survey.id}/responses/new").get_data(as_text=True)
    assert f"Restricted. Parents and carers: {NAMED}" in form
    [event] = events("survey_comment.restricted")
    assert (event.entity_type, event.entity_id, event.before, event.after) == (
        "survey_comment",
        named.id,
        {"restricted": False},
        {"restricted": True},
    )
    assert event.actor_id == leader_client.user.id

    mark(leader_client, named)  # marking again changes nothing and records nothing
    assert len(events("survey_comment.restricted")) == 1
    mark(leader_client, named, restricted="0")
    [lifted] = events("survey_comment.unrestricted")
    assert (lifted.before, lifted.after) == ({"restricted": True}, {"restricted": False})
    page = leader_client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)
    assert ">Restricted</strong>" not in page and "Mark as restricted" in page


def _pages(survey, finding, named) -> list[str]:
    return [
        f"/surveys/{survey.id}/comments",
        f"/surveys/{survey.id}/comments?finding={finding.id}",
        f"/surveys/{survey.id}/comments?group=parents_carers",
        f"/surveys/{survey.id}",
        f"/surveys/{survey.id}/you-said-we-did",
        "/surveys",
        f"/findings/{finding.id}",
        "/findings",
        "/",
        f"/actions/{survey.responses[0].actions[0].id}",
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
def test_viewers_and_officers_never_read_a_restricted_comment_on_any_page(
    client_as, leader_client, survey_with_comments, role
):
    survey, finding, named = survey_with_comments
    client = client_as(role)
    before = client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)
    assert NAMED in before  # until it is marked, everyone on the plan reads it
    mark(leader_client, named)
    for url in _pages(survey, finding, named):
        page = client.get(url).get_data(as_text=True)
        assert NAMED not in page and "Jamie" not in page, url
    comments = client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)
    assert OPEN in comments and "1 comment<" in comments and "1 restricted comment not shown." in comments
    assert ">Restricted</strong>" not in comments and "Mark as restricted" not in comments
    detail = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert OPEN in detail and "1 restricted comment not shown." in detail
    # the finding's page counts the comments tagged to it, the restricted one included
    assert "2 comments" in client.get(f"/findings/{finding.id}").get_data(as_text=True)
    # the pages that show one comment are a leader's: refused
    assert client.get(f"/surveys/{survey.id}/comments/{named.id}").status_code == 403
    assert client.get(f"/surveys/{survey.id}/responses/new").status_code == 403


def _text_of(name: str, content: bytes) -> str:
    if name.endswith(".pdf"):
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    if name.endswith(".docx"):
        document = Document(io.BytesIO(content))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return " ".join([paragraph.text for paragraph in document.paragraphs] + cells)
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(_text_of(inner, archive.read(inner)) for inner in archive.namelist())
    return content.decode("utf-8-sig", "replace")


def _exports(actor, survey) -> dict[str, bytes]:
    wanted = ExportRequest(today())
    made = {f"summary.{fmt}": export_summary(actor, wanted, fmt).content for fmt in ("pdf", "docx", "xlsx")}
    made.update({f"{name}.csv": export_list(actor, name, ListFilters()).content for name in LISTS})
    chunks, _ = export_pack(actor, wanted)
    made["pack.zip"] = b"".join(chunks)
    made["you-said-we-did.docx"] = export_responses_docx(actor, survey)[0]
    return made


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
def test_no_export_carries_a_restricted_comment(client_as, leader_client, survey_with_comments, role):
    """No export holds any comment's text today (the summary's survey voices are counts, headline answers and
    published entries): this holds that line for restricted comments, in every format,
    the pack's summary and index included."""
    survey, _, named = survey_with_comments
    mark(leader_client, named)
    actor = client_as(role).user
    for name, content in _exports(actor, survey).items():
        text = _text_of(name, content)
        assert "SPOT survey" in text or name.endswith(".csv") or name == "pack.zip", (
            name
        )  # the survey is in the summaries
        assert "Jamie" not in text and "Oakfield" not in text, name
    assert "Families found the services confusing." in _text_of(
        "x.docx", _exports(actor, survey)["you-said-we-did.docx"]
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER, Role.ADMIN])
def test_only_leaders_may_mark_a_comment_and_others_are_not_offered_the_button(
    client_as, survey_with_comments, role
):
    survey, _, named = survey_with_comments
    client = client_as(role)
    assert mark(client, named).status_code == 403
    assert mark(client, named, restricted="0").status_code == 403
    db.session.refresh(named)
    assert named.restricted is False and not events("survey_comment.restricted")
    if role is not Role.ADMIN:
        assert "Mark as restricted" not in client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)


def _count_queries(client, url: str) -> int:
    # the test and the request share a session: nothing may come from its identity map
    db.session.expire_all()

    def ask():
        assert client.get(url).status_code == 200

    return queries_asked(db.engine, ask)


# what the comments page asks today (the page's count and the theme filter's choices included), whoever
# reads it and however many comments it has
COMMENTS_PAGE_BUDGET = 14


@pytest.mark.parametrize("role", [Role.VIEWER, Role.LEADER])
def test_the_comments_page_asks_a_fixed_number_of_queries_with_restricted_comments(client_as, role):
    client = client_as(role)
    finding = factories.FindingFactory()
    small, large = factories.SurveyFactory(), factories.SurveyFactory()
    for survey, count in ((small, 1), (large, 30)):
        group = factories.SurveyGroupFactory(survey=survey, audience=Audience.PARENTS_CARERS)
        db.session.add_all(
            SurveyComment(
                survey_id=survey.id,
                group_id=group.id,
                text=f"Comment {n}",
                restricted=n % 3 == 1,
                findings=[finding],
                themes=[finding.theme],
            )
            for n in range(count)
        )
    db.session.commit()
    asked = [_count_queries(client, f"/surveys/{survey.id}/comments") for survey in (small, large)]
    assert asked[0] == asked[1] <= COMMENTS_PAGE_BUDGET
