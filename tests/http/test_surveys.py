"""Surveys through the pages: recording them, summaries with their bases,
comment tags and "you said, we did"."""

import hashlib
import io
import re

import pytest
import sqlalchemy as sa
from docx import Document

from bench.queries import queries_asked
from tests import factories
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus, Finding
from tracker.surveys.models import (
    Audience,
    PublicationStatus,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyComment,
    SurveyQuestion,
    SurveyReply,
    YouSaidWeDid,
)


def survey_form(**changes) -> dict:
    form = {
        "title": "SPOT survey, autumn 2026",
        "service": "SPOT service",
        "teams": "Occupational therapy; sensory support",
        "description": "",
        "audiences": ["parents_carers", "sencos"],
        "opened_on": ["1", "10", "2026"],
        "closed_on": ["31", "10", "2026"],
    }
    form.update(changes)
    return form


def verbs() -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.verb).order_by(AuditEvent.id)).all()


def survey_with_groups(*audiences: Audience, **fields) -> Survey:
    survey = factories.SurveyFactory(**fields)
    for position, audience in enumerate(audiences or (Audience.SENCOS,)):
        factories.SurveyGroupFactory(survey=survey, audience=audience, position=position)
    db.session.refresh(survey)
    return survey


def add_replies(survey, audience, question, value, count, team="", name=None, email=None) -> None:
    group = next(g for g in survey.groups if g.audience is audience)
    start = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyReply))
    for n in range(count):
        reply = SurveyReply(
            survey_id=survey.id,
            group=group,
            team=team,
            source_row=f"row-{start + n}",
            respondent_name=name,
            respondent_email=email,
        )
        db.session.add(reply)
        db.session.add(SurveyAnswer(reply=reply, question=question, value=value))
    db.session.commit()


def add_comment(
    survey, text="The two occupational therapy services are confusing.", audience=None
) -> SurveyComment:
    group = next(g for g in survey.groups if audience is None or g.audience is audience)
    comment = SurveyComment(survey_id=survey.id, group_id=group.id, text=text)
    db.session.add(comment)
    db.session.commit()
    return comment


def add_question(survey, text="Are you very satisfied with the support?") -> SurveyQuestion:
    question = SurveyQuestion(survey_id=survey.id, position=0, text=text, kind=QuestionKind.YES_NO)
    db.session.add(question)
    db.session.commit()
    return question


# Recording surveys -------------------------------------------------------------------------


def test_a_leader_records_a_survey_with_its_groups_and_findings(leader_client):
    finding = factories.FindingFactory(
        reference="SI1", title="Two occupational therapy services are confused"
    )
    response = leader_client.post(
        "/surveys/new", data=survey_form(finding_ids=[str(finding.id)]), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "SPOT survey, autumn 2026 recorded." in page
    survey = db.session.scalar(sa.select(Survey))
    assert [g.audience for g in survey.groups] == [Audience.PARENTS_CARERS, Audience.SENCOS]
    assert survey.findings == [finding]
    assert "survey.created" in verbs()
    finding_page = leader_client.get(f"/findings/{finding.id}").get_data(as_text=True)
    assert (
        "Surveys that are evidence for this finding" in finding_page
        and "SPOT survey, autumn 2026" in finding_page
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"audiences": []}, "Select at least one group the survey asked."),
        ({"closed_on": ["30", "9", "2026"]}, "The survey must close on or after the day it opened."),
        ({"closed_on": ["31", "13", "2026"]}, "Enter a real closing date, like 31 5 2026."),
        ({"service": ""}, "Enter the service the survey asked about."),
    ],
)
def test_a_refused_survey_keeps_what_was_typed(leader_client, changes, message):
    response = leader_client.post(
        "/surveys/new", data=survey_form(title="Kept title", teams="Kept teams", **changes)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert 'value="Kept title"' in page and "Kept teams" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Survey)) == 0


def test_editing_refuses_to_take_off_a_group_with_replies_and_keeps_the_input(leader_client):
    survey = survey_with_groups(Audience.SENCOS, Audience.PARENTS_CARERS, title="SPOT survey")
    add_replies(survey, Audience.SENCOS, add_question(survey), "Yes", 3)
    response = leader_client.post(
        f"/surveys/{survey.id}/edit", data=survey_form(title="Renamed survey", audiences=["parents_carers"])
    )
    page = response.get_data(as_text=True)
    assert "SENCOs cannot be taken off this survey: 3 replies came from them." in page
    assert 'value="Renamed survey"' in page
    db.session.expire_all()
    assert survey.title == "SPOT survey" and len(survey.groups) == 2


def test_a_leader_changes_a_survey_and_the_change_is_audited(leader_client):
    survey = survey_with_groups(Audience.SENCOS, title="SPOT survey")
    form = leader_client.get(f"/surveys/{survey.id}/edit").get_data(as_text=True)
    assert 'value="SPOT survey"' in form and 'value="sencos" checked' in form
    response = leader_client.post(
        f"/surveys/{survey.id}/edit",
        data=survey_form(title="SPOT survey, May", audiences=["sencos", "practitioners"]),
    )
    assert response.status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "survey.updated"))
    assert event.before["title"] == "SPOT survey" and event.after["title"] == "SPOT survey, May"
    assert event.after["audiences"] == ["sencos", "practitioners"]


# Summaries ---------------------------------------------------------------------------------


def test_the_summary_states_each_base_and_flags_small_ones(viewer_client):
    survey = survey_with_groups(Audience.SENCOS, Audience.PARENTS_CARERS)
    question = add_question(survey)
    add_replies(survey, Audience.SENCOS, question, "Yes", 32)
    add_replies(survey, Audience.SENCOS, question, "No", 7)
    add_replies(survey, Audience.PARENTS_CARERS, question, "No", 3)
    page = viewer_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Replies by group: 42 in all" in page
    assert "32 of 39 SENCO replies (82%) answered “Yes”" in page
    assert "3 of 3 parent and carer replies (100%) answered “No”" in page
    assert page.count("Fewer than 10 replies: treat these percentages with care.") == 1
    assert "<svg" in page and 'role="img"' in page and "32 of 39 (82%)" in page


def test_the_summary_filters_by_group_and_team_from_the_address(viewer_client):
    survey = survey_with_groups(Audience.SENCOS, Audience.PARENTS_CARERS)
    question = add_question(survey)
    add_replies(survey, Audience.SENCOS, question, "Yes", 10, team="Occupational therapy")
    add_replies(survey, Audience.SENCOS, question, "No", 5, team="Sensory support")
    add_replies(survey, Audience.PARENTS_CARERS, question, "No", 4, team="Occupational therapy")
    page = viewer_client.get(f"/surveys/{survey.id}?group=sencos&team=Occupational+therapy").get_data(
        as_text=True
    )
    assert "Showing replies from SENCOs about the Occupational therapy team." in page
    assert "Replies by group: 10 in all" in page and "10 of 10 SENCO replies (100%)" in page
    assert "parent and carer replies" not in page
    ignored = viewer_client.get(f"/surveys/{survey.id}?group=nobody&team=Nobody").get_data(as_text=True)
    assert "Replies by group: 19 in all" in ignored


def page_queries(client, url) -> int:
    """The statements one page asks, counted by bench.queries, the project's one counter."""
    # the test and the request share a session: nothing may come from its identity map
    db.session.expire_all()

    def ask():
        assert client.get(url).status_code == 200

    return queries_asked(db.engine, ask)


def test_the_summary_page_costs_the_same_queries_however_many_questions_and_replies(viewer_client):
    small = survey_with_groups(Audience.SENCOS, Audience.PARENTS_CARERS)
    add_replies(small, Audience.SENCOS, add_question(small), "Yes", 2)
    large = survey_with_groups(Audience.SENCOS, Audience.PARENTS_CARERS, Audience.PRACTITIONERS)
    for n in range(6):
        question = add_question(large, f"Question {n}?")
        for audience in (Audience.SENCOS, Audience.PARENTS_CARERS, Audience.PRACTITIONERS):
            add_replies(large, audience, question, "Yes", 3, team=f"Team {n}")
    db.session.add(
        YouSaidWeDid(
            survey_id=small.id,
            you_said="A",
            we_did="B",
            status=PublicationStatus.DRAFT,
            actions=[factories.ActionFactory()],
            comments=[add_comment(small)],
        )
    )
    for n in range(4):
        db.session.add(
            YouSaidWeDid(
                survey_id=large.id,
                you_said=f"A{n}",
                we_did="B",
                status=PublicationStatus.PUBLISHED,
                actions=[factories.ActionFactory(), factories.ActionFactory()],
                comments=[add_comment(large), add_comment(large)],
            )
        )
    db.session.commit()
    assert page_queries(viewer_client, f"/surveys/{small.id}") == page_queries(
        viewer_client, f"/surveys/{large.id}"
    )


# Comments ----------------------------------------------------------------------------------


def test_a_leader_tags_a_comment_to_themes_and_findings(leader_client):
    survey = survey_with_groups(Audience.PARENTS_CARERS)
    comment = add_comment(survey)
    finding = factories.FindingFactory(reference="SI1", title="Two services are confused")
    url = f"/surveys/{survey.id}/comments/{comment.id}"
    assert "Tag a comment" in leader_client.get(url).get_data(as_text=True)
    response = leader_client.post(
        url, data={"theme_ids": [str(finding.theme_id)], "finding_ids": [str(finding.id)]}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    page = leader_client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)
    assert finding.theme.name in page and "SI1: Two services are confused" in page
    assert "survey_comment.tagged" in verbs()
    tagged = leader_client.get(f"/surveys/{survey.id}/comments?finding={finding.id}").get_data(as_text=True)
    assert "1 comment<" in tagged
    untagged = leader_client.get(f"/surveys/{survey.id}/comments?tags=untagged").get_data(as_text=True)
    assert "0 comments" in untagged


def _finding_filter(page: str) -> list[str]:
    """The options of the comments page's finding filter, as the person reads them."""
    select = re.search(r'<select[^>]*name="finding".*?</select>', page, re.S)
    assert select, "the comments page has no finding filter"
    return [
        re.sub(r"\s+", " ", option).strip()
        for option in re.findall(r"<option[^>]*>(.*?)</option>", select[0], re.S)
    ]


def test_the_finding_filter_offers_the_findings_these_comments_are_tagged_with(leader_client, viewer_client):
    survey = survey_with_groups(Audience.PARENTS_CARERS)
    tagged, hidden = add_comment(survey), add_comment(survey, "Names a child.")
    on_comment = factories.FindingFactory(reference="SI1", title="Two services are confused")
    on_restricted = factories.FindingFactory(reference="SI2", title="Waiting times")
    factories.FindingFactory(reference="SI3", title="Nobody tagged this one")
    tagged.findings.append(on_comment)
    hidden.findings.append(on_restricted)
    hidden.restricted = True
    db.session.commit()
    url = f"/surveys/{survey.id}/comments"
    assert _finding_filter(leader_client.get(url).get_data(as_text=True)) == [
        "Any finding",
        "SI1: Two services are confused",
        "SI2: Waiting times",
    ]
    # a finding tagged only on a restricted comment is not offered to someone who may not read it
    assert _finding_filter(viewer_client.get(url).get_data(as_text=True)) == [
        "Any finding",
        "SI1: Two services are confused",
    ]
    # a finding chosen in the address stays chosen, tagged or not, and matches nothing
    third = db.session.scalar(sa.select(Finding).where(Finding.reference == "SI3"))
    page = viewer_client.get(f"{url}?finding={third.id}").get_data(as_text=True)
    assert "SI3: Nobody tagged this one" in _finding_filter(page) and "0 comments" in page


def test_comments_never_show_who_wrote_them_even_to_leaders(leader_client):
    survey = survey_with_groups(Audience.PARENTS_CARERS)
    add_replies(
        survey,
        Audience.PARENTS_CARERS,
        add_question(survey),
        "No",
        1,
        name="Alex Parent",
        email="alex@family.example",
    )
    reply = db.session.scalar(sa.select(SurveyReply))
    db.session.add(
        SurveyComment(
            survey_id=survey.id, group_id=reply.group_id, reply_id=reply.id, text="We waited too long."
        )
    )
    db.session.commit()
    for url in (f"/surveys/{survey.id}/comments", f"/surveys/{survey.id}"):
        page = leader_client.get(url).get_data(as_text=True)
        assert "Alex Parent" not in page and "alex@family.example" not in page
    assert "We waited too long." in leader_client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)


def test_the_comments_are_paged_and_filtered_by_theme_and_tagging_returns_to_the_comment_s_page(
    leader_client,
):
    survey = survey_with_groups(Audience.PARENTS_CARERS)
    group = survey.groups[0]
    waiting, access = (
        factories.ThemeFactory(name="Waiting times"),
        factories.ThemeFactory(name="Communication"),
    )
    db.session.add_all(
        SurveyComment(
            survey_id=survey.id,
            group_id=group.id,
            text=f"Comment number {n}.",
            themes=[waiting] if n % 10 == 0 else [],
        )
        for n in range(1, 121)
    )
    db.session.commit()
    first = leader_client.get(f"/surveys/{survey.id}/comments").get_data(as_text=True)
    assert "120 comments" in first and "Page 1 of 3: comments 1 to 50" in first
    assert "Comment number 50." in first and "Comment number 51." not in first
    last = leader_client.get(f"/surveys/{survey.id}/comments?page=3").get_data(as_text=True)
    assert (
        "comments 101 to 120" in last and "Comment number 120." in last and "Comment number 100." not in last
    )
    assert (
        leader_client.get(f"/surveys/{survey.id}/comments?page=99")
        .get_data(as_text=True)
        .count("Comment number")
        == 20
    )
    themed = leader_client.get(f"/surveys/{survey.id}/comments?theme={waiting.id}").get_data(as_text=True)
    assert "12 comments" in themed and "Comment number 110." in themed and "Comment number 11." not in themed
    assert "0 comments" in leader_client.get(f"/surveys/{survey.id}/comments?theme={access.id}").get_data(
        as_text=True
    )
    comment = db.session.scalar(sa.select(SurveyComment).where(SurveyComment.text == "Comment number 75."))
    response = leader_client.post(
        f"/surveys/{survey.id}/comments/{comment.id}", data={"theme_ids": [str(access.id)]}
    )
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/comments?page=2#comment-{comment.id}")


def test_a_comment_of_another_survey_is_not_found(leader_client):
    survey, other = survey_with_groups(), survey_with_groups()
    comment = add_comment(other)
    assert leader_client.get(f"/surveys/{survey.id}/comments/{comment.id}").status_code == 404


# You said, we did --------------------------------------------------------------------------


def response_form(**changes) -> dict:
    form = {
        "you_said": "The two occupational therapy services are confusing.",
        "we_did": "We published a new leaflet that explains what each service does.",
        "status": "draft",
    }
    form.update(changes)
    return form


def test_a_leader_writes_a_draft_then_publishes_it(leader_client):
    survey = survey_with_groups(Audience.PARENTS_CARERS)
    comment = add_comment(survey, "Nobody told me which therapy service was which.")
    owner = factories.UserFactory(name="Priya Shah")
    action = factories.ActionFactory(
        reference="A1",
        title="Publish new SPOT leaflets",
        owner=owner,
        status=ActionStatus.COMPLETE,
        percent_complete=100,
    )
    form_page = leader_client.get(f"/surveys/{survey.id}/responses/new?comment={comment.id}").get_data(
        as_text=True
    )
    assert f'value="{comment.id}" checked' in form_page
    created = leader_client.post(
        f"/surveys/{survey.id}/responses/new",
        data=response_form(comment_ids=[str(comment.id)], action_ids=[str(action.id)]),
    )
    assert created.status_code == 302
    entry = db.session.scalar(sa.select(YouSaidWeDid))
    assert (
        entry.status is PublicationStatus.DRAFT and entry.comments == [comment] and entry.actions == [action]
    )
    detail = leader_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "We published a new leaflet" in detail and "A1: Publish new SPOT leaflets" in detail
    published = leader_client.get(f"/surveys/{survey.id}/you-said-we-did").get_data(as_text=True)
    assert (
        "We published a new leaflet" not in published and "We have not published any responses" in published
    )

    leader_client.post(
        f"/surveys/{survey.id}/responses/{entry.id}/edit",
        data=response_form(status="published", comment_ids=[str(comment.id)], action_ids=[str(action.id)]),
    )
    published = leader_client.get(f"/surveys/{survey.id}/you-said-we-did").get_data(as_text=True)
    assert "We published a new leaflet" in published and ">Done<" in published
    # the sign-out form's random CSRF token could contain "A1" by chance: it is not page content
    published = re.sub(r'name="csrf_token" value="[^"]*"', "", published)
    for internal in ("Priya Shah", "A1", "Publish new SPOT leaflets", comment.text):
        assert internal not in published
    assert verbs()[-2:] == ["you_said_we_did.created", "you_said_we_did.updated"]


def test_a_refused_entry_keeps_what_was_typed(leader_client):
    survey = survey_with_groups()
    page = leader_client.post(
        f"/surveys/{survey.id}/responses/new", data=response_form(we_did="", you_said="Kept words")
    ).get_data(as_text=True)
    assert "Say what we did, or will do, in response." in page and "Kept words" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(YouSaidWeDid)) == 0


def test_the_published_page_shows_only_published_entries(viewer_client):
    survey = survey_with_groups()
    db.session.add_all(
        [
            YouSaidWeDid(
                survey_id=survey.id,
                position=0,
                you_said="Said in public",
                we_did="Done in public",
                status=PublicationStatus.PUBLISHED,
            ),
            YouSaidWeDid(
                survey_id=survey.id,
                position=1,
                you_said="Said in draft",
                we_did="Done in draft",
                status=PublicationStatus.DRAFT,
            ),
        ]
    )
    db.session.commit()
    page = viewer_client.get(f"/surveys/{survey.id}/you-said-we-did").get_data(as_text=True)
    assert "Said in public" in page and "Done in public" in page
    assert "Said in draft" not in page and "Done in draft" not in page


def test_the_word_export_has_real_headings_a_real_table_and_is_audited(viewer_client):
    survey = survey_with_groups(
        Audience.SENCOS, Audience.PARENTS_CARERS, title="SPOT service survey, May 2026"
    )
    question = add_question(survey)
    add_replies(survey, Audience.SENCOS, question, "Yes", 39)
    add_replies(survey, Audience.PARENTS_CARERS, question, "Yes", 22)
    action = factories.ActionFactory(status=ActionStatus.IN_PROGRESS)
    db.session.add_all(
        [
            YouSaidWeDid(
                survey_id=survey.id,
                position=0,
                you_said="Leaflets confuse",
                we_did="New leaflets",
                status=PublicationStatus.PUBLISHED,
                actions=[action],
            ),
            YouSaidWeDid(
                survey_id=survey.id,
                position=1,
                you_said="Draft only",
                we_did="Not yet",
                status=PublicationStatus.DRAFT,
            ),
        ]
    )
    db.session.commit()
    response = viewer_client.get(f"/surveys/{survey.id}/you-said-we-did.docx")
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"]
        == "attachment; filename=spot-service-survey-may-2026-you-said-we-did.docx"
    )
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    content = response.get_data()
    document = Document(io.BytesIO(content))
    assert document.core_properties.title == "You said, we did: SPOT service survey, May 2026"
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "You said, we did: SPOT service survey, May 2026"),
        ("Heading 2", "About the survey"),
        ("Heading 2", "What you told us and what we did"),
    ]
    assert "We received 61 replies: 39 from SENCOs and 22 from parents and carers." in [
        p.text for p in document.paragraphs
    ]
    (table,) = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["You said", "We did", "Status of the action"],
        ["Leaflets confuse", "New leaflets", "In progress"],
    ]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "you_said_we_did.exported"))
    assert (
        event.actor_id == viewer_client.user.id
        and event.entity_type == "survey"
        and event.entity_id == survey.id
    )
    assert event.after == {"format": "docx", "sha256": hashlib.sha256(content).hexdigest()}


# Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
def test_only_leaders_change_surveys_and_see_the_links(client_as, role):
    client = client_as(role)
    survey = survey_with_groups()
    comment = add_comment(survey)
    entry = YouSaidWeDid(survey_id=survey.id, you_said="A", we_did="B", status=PublicationStatus.DRAFT)
    db.session.add(entry)
    db.session.commit()
    for url in (
        "/surveys/new",
        f"/surveys/{survey.id}/edit",
        f"/surveys/{survey.id}/comments/{comment.id}",
        f"/surveys/{survey.id}/responses/new",
        f"/surveys/{survey.id}/responses/{entry.id}/edit",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={}).status_code == 403, url
    assert "Add a survey" not in client.get("/surveys").get_data(as_text=True)
    detail = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Change this survey" not in detail and "Add a you said, we did entry" not in detail
    assert f"/responses/{entry.id}/edit" not in detail
    assert f"/comments/{comment.id}" not in client.get(f"/surveys/{survey.id}/comments").get_data(
        as_text=True
    )
    assert verbs() == []
