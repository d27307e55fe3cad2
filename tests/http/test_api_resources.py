"""The API's further resources (docs/api.md): progress updates, evidence metadata, measures with their
readings and survey summaries. Each is paged by cursor, filtered as its page filters, as at a day, answered
with an ETag, refuses a bad parameter with a 400 problem naming it, and asks the same number of queries for a
page of 2 as of 20. Restricted evidence appears only with include_restricted=true and only what the token's
maker may see; no file's content ever."""

from datetime import date, datetime, timedelta, timezone

import pytest

from bench.queries import count_queries
from tests import factories
from tests.http.test_api_lists import get, problem_of, token_for
from tracker.api import resources_more
from tracker.dates import today
from tracker.evidence.models import EvidenceKind, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.measures.models import ReadingCorrection
from tracker.models import Role
from tracker.plan.models import ActionStatus, ProgressUpdate
from tracker.surveys.models import Audience, QuestionKind, SurveyAnswer, SurveyQuestion, SurveyReply

LONG_AGO = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def ids_of(app, url: str, headers: dict) -> list[int]:
    response = get(app, url, headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["data"]]


def every_page(app, url: str, headers: dict) -> tuple[list[int], int]:
    """Follow `next` to the end: the ids seen and how many pages."""
    seen, pages = [], 0
    while url:
        body = get(app, url, headers).get_json()
        seen += [item["id"] for item in body["data"]]
        pages += 1
        url = body["next"] and body["next"].split("localhost", 1)[1]
    return seen, pages


def queries_for(app, url: str, headers: dict) -> int:
    assert get(app, url, headers).status_code == 200  # the kept plan and the token's use are recorded once
    db.session.remove()
    with count_queries(db.engine) as queries:
        assert get(app, url, headers).status_code == 200
    return queries.count


def update_on(action, written_on: date, body: str = "Met the schools' SENCOs.", **fields) -> ProgressUpdate:
    update = ProgressUpdate(
        action=action,
        author=action.owner,
        written_on=written_on,
        body=body,
        percent_complete=fields.pop("percent_complete", 40),
        status=fields.pop("status", ActionStatus.IN_PROGRESS),
        **fields,
    )
    db.session.add(update)
    db.session.commit()
    return update


# Progress updates ----------------------------------------------------------------------------------------


def test_progress_updates_are_listed_paged_and_filtered_by_action(app):
    finding = factories.FindingFactory()
    first = factories.ActionFactory(findings=[finding], reference="A901")
    second = factories.ActionFactory(findings=[finding])
    made = [update_on(first, today() - timedelta(days=n)).id for n in range(4)]
    made.append(update_on(second, today(), "Wrote to every family.", rag_note="Back on track").id)
    headers = token_for(Role.VIEWER)
    seen, pages = every_page(app, "/api/v1/progress-updates?limit=2", headers)
    assert seen == sorted(made) and pages == 3
    assert ids_of(app, f"/api/v1/progress-updates?action={second.id}", headers) == [made[-1]]
    last = get(app, f"/api/v1/progress-updates?action={second.id}", headers).get_json()["data"][0]
    assert last["body"] == "Wrote to every family." and last["rag_note"] == "Back on track"
    assert last["author"] == second.owner.name and last["status"] == "in_progress"
    assert ids_of(app, f"/api/v1/progress-updates?action={first.id}", headers)[0] == made[0]
    assert get(app, "/api/v1/progress-updates", headers).get_json()["data"][0]["action_reference"] == "A901"


def test_progress_updates_as_at_a_day_leave_out_later_ones(app):
    finding = factories.FindingFactory(created_at=LONG_AGO)
    action = factories.ActionFactory(findings=[finding], created_at=LONG_AGO)
    old = update_on(action, date(2026, 1, 20), created_at=datetime(2026, 1, 20, 12, tzinfo=timezone.utc))
    update_on(action, date(2026, 1, 20), "Entered late, dated back")  # entered today: not known then
    update_on(action, today())
    headers = token_for()
    body = get(app, "/api/v1/progress-updates?as_at=2026-02-01", headers).get_json()
    assert body["as_at"] == "2026-02-01" and [item["id"] for item in body["data"]] == [old.id]
    assert len(ids_of(app, "/api/v1/progress-updates", headers)) == 3
    assert ids_of(app, "/api/v1/progress-updates?as_at=2026-01-04", headers) == []


# Evidence ------------------------------------------------------------------------------------------------


def restricted_and_not():
    """A leader's restricted item, an officer's restricted item, an officer's internal document."""
    leader = factories.UserFactory(role=Role.LEADER, name="Lee Leader")
    officer = factories.UserFactory(role=Role.OFFICER, name="Olu Officer")
    finding = factories.FindingFactory()
    leaders = factories.EvidenceFactory(
        uploaded_by=leader,
        sensitivity=Sensitivity.RESTRICTED,
        title="Child A's case audit",
        findings=[finding],
    )
    officers = factories.EvidenceFactory(
        uploaded_by=officer, sensitivity=Sensitivity.RESTRICTED, title="Family B's plan", findings=[finding]
    )
    document, revision = factories.document_evidence(
        content=b"%PDF-1.4 SECRET CONTENT %%EOF", filename="waiting-times.pdf", uploaded_by=officer
    )
    document.findings.append(finding)
    db.session.commit()
    return leader, officer, leaders, officers, document, revision


def test_a_viewers_token_never_returns_restricted_evidence(app):
    _, _, leaders, officers, document, _ = restricted_and_not()
    headers = token_for(Role.VIEWER)
    for query, expected in (
        ("", [document.id]),
        ("include_restricted=true", [document.id]),
        ("include_restricted=true&sensitivity=restricted", []),
    ):
        response = get(app, f"/api/v1/evidence?{query}", headers)
        assert response.status_code == 200
        assert [item["id"] for item in response.get_json()["data"]] == expected
        assert "Child A" not in response.get_data(as_text=True)
        assert "Family B" not in response.get_data(as_text=True)


def test_an_officers_token_returns_only_their_own_restricted_evidence_and_only_when_asked(app):
    _, officer, leaders, officers, document, _ = restricted_and_not()
    headers = token_for(user=officer)
    assert ids_of(app, "/api/v1/evidence", headers) == [document.id]
    assert ids_of(app, "/api/v1/evidence?include_restricted=true", headers) == [officers.id, document.id]
    assert ids_of(app, "/api/v1/evidence?include_restricted=true&sensitivity=restricted", headers) == [
        officers.id
    ]


def test_a_leaders_token_returns_restricted_evidence_only_with_include_restricted(app):
    leader, _, leaders, officers, document, _ = restricted_and_not()
    headers = token_for(user=leader)
    assert ids_of(app, "/api/v1/evidence", headers) == [document.id]
    assert ids_of(app, "/api/v1/evidence?include_restricted=false", headers) == [document.id]
    assert ids_of(app, "/api/v1/evidence?include_restricted=true", headers) == sorted(
        [leaders.id, officers.id, document.id]
    )
    problem = problem_of(get(app, "/api/v1/evidence?sensitivity=restricted", headers), 400)
    assert [error["parameter"] for error in problem["errors"]] == ["sensitivity"]


def test_evidence_is_metadata_never_a_files_content(app):
    leader, officer, _, _, document, revision = restricted_and_not()
    response = get(app, "/api/v1/evidence?include_restricted=true", token_for(user=leader))
    text = response.get_data(as_text=True)
    assert "SECRET CONTENT" not in text and revision.storage_key not in text and revision.sha256 not in text
    item = next(item for item in response.get_json()["data"] if item["id"] == document.id)
    assert item["file"] == {
        "name": "waiting-times.pdf",
        "size_bytes": revision.size_bytes,
        "content_type": "application/pdf",
        "version": 1,
    }
    assert item["uploaded_by"] == "Olu Officer" and item["kind"] == "document"
    assert item["page"].endswith(f"/evidence/{document.id}")
    note = next(item for item in response.get_json()["data"] if item["id"] != document.id)
    assert note["file"] is None and "What happened." not in text  # a note's text is content too


def test_evidence_is_filtered_as_the_evidence_list_filters(app):
    finding = factories.FindingFactory()
    action = factories.ActionFactory(findings=[factories.FindingFactory()], reference="A907")
    accepted = factories.EvidenceFactory(status=EvidenceStatus.ACCEPTED, findings=[finding])
    link = factories.EvidenceFactory(
        kind=EvidenceKind.LINK, url="https://example.org/x", actions=[action], about_date=date(2026, 3, 2)
    )
    lapsed = factories.EvidenceFactory(
        title="Waiting list audit", review_by=date(2026, 1, 1), about_date=date(2025, 12, 1)
    )
    headers = token_for(Role.VIEWER)
    assert ids_of(app, "/api/v1/evidence?status=accepted", headers) == [accepted.id]
    assert ids_of(app, "/api/v1/evidence?kind=link", headers) == [link.id]
    assert ids_of(app, f"/api/v1/evidence?finding={finding.id}", headers) == [accepted.id]
    assert ids_of(app, "/api/v1/evidence?action=a907", headers) == [link.id]
    assert ids_of(app, "/api/v1/evidence?text=waiting+list", headers) == [lapsed.id]
    assert ids_of(app, "/api/v1/evidence?expired=1", headers) == [lapsed.id]
    assert ids_of(app, "/api/v1/evidence?about_from=2026-03-01&about_to=2026-03-31", headers) == [link.id]
    added_by = lapsed.uploaded_by.name.split()[0]
    assert lapsed.id in ids_of(app, f"/api/v1/evidence?added_by={added_by}", headers)
    assert "https://example.org/x" not in get(app, "/api/v1/evidence", headers).get_data(as_text=True)


def test_evidence_pages_by_cursor_and_as_at(app):
    old = [factories.EvidenceFactory(created_at=LONG_AGO).id for _ in range(3)]
    new = [factories.EvidenceFactory().id for _ in range(2)]
    headers = token_for()
    seen, pages = every_page(app, "/api/v1/evidence?limit=2", headers)
    assert seen == sorted(old + new) and pages == 3
    assert ids_of(app, "/api/v1/evidence?as_at=2026-02-01", headers) == old
    assert ids_of(app, "/api/v1/evidence?as_at=2026-01-04", headers) == []


# Measures ------------------------------------------------------------------------------------------------


def corrected_on(reading, previous: float, when: datetime, reason: str = "Typed wrongly") -> None:
    reading.corrections.append(
        ReadingCorrection(
            previous_value=previous,
            previous_note=reading.note,
            reason=reason,
            corrected_by_id=reading.entered_by_id,
            corrected_at=when,
        )
    )
    db.session.commit()


def test_measures_bring_their_readings_and_corrections_as_the_measure_page_shows_them(app):
    finding = factories.FindingFactory()
    owner = factories.UserFactory(name="Mo Owner")
    measure = factories.MeasureFactory(
        findings=[finding], owner=owner, target_value=18, target_date=date(2027, 3, 31), name="Weeks waited"
    )
    shown = factories.EvidenceFactory(title="Waiting list report")
    hidden = factories.EvidenceFactory(sensitivity=Sensitivity.RESTRICTED, title="Child D's case")
    first = factories.ReadingFactory(
        measure=measure, period_end=date(2026, 3, 31), value=22, evidence_id=shown.id
    )
    second = factories.ReadingFactory(
        measure=measure, period_end=date(2026, 6, 30), value=19, evidence_id=hidden.id
    )
    corrected_on(first, 24, datetime(2026, 5, 1, 12, tzinfo=timezone.utc))
    first.value = 22
    db.session.commit()
    leader = factories.UserFactory(role=Role.LEADER)
    body = get(app, "/api/v1/measures", token_for(user=leader)).get_json()
    item = body["data"][0]
    assert (item["id"], item["name"], item["owner"], item["unit"]) == (
        measure.id,
        "Weeks waited",
        "Mo Owner",
        "weeks",
    )
    assert item["target"] == {"value": 18.0, "on": "2027-03-31"} and item["latest"] == 19.0
    assert item["status"] and item["status_reason"]
    assert [(reading["period_end"], reading["value"]) for reading in item["readings"]] == [
        ("2026-03-31", 22.0),
        ("2026-06-30", 19.0),
    ]
    assert item["readings"][0]["corrections"] == [
        {
            "previous_value": 24.0,
            "previous_note": "",
            "reason": "Typed wrongly",
            "corrected_on": "2026-05-01",
            "corrected_by": "Mo Owner",
        }
    ]
    # the evidence a reading came from, as its page links it: never a restricted item's, even to a leader
    assert item["readings"][0]["evidence_id"] == shown.id and item["readings"][1]["evidence_id"] is None
    assert second.id == item["readings"][1]["id"]


def test_measures_as_at_a_day_undo_later_readings_and_corrections(app):
    measure = factories.MeasureFactory(created_at=LONG_AGO)
    reading = factories.ReadingFactory(
        measure=measure, period_end=date(2026, 1, 31), value=20, entered_at=LONG_AGO + timedelta(days=30)
    )
    factories.ReadingFactory(measure=measure, period_end=date(2026, 4, 30), value=15)  # entered today
    corrected_on(reading, 20, datetime(2026, 3, 10, 12, tzinfo=timezone.utc))
    reading.value = 17
    db.session.commit()
    later = factories.MeasureFactory()
    headers = token_for()
    then = get(app, "/api/v1/measures?as_at=2026-03-01", headers).get_json()
    assert [item["id"] for item in then["data"]] == [measure.id]
    readings = then["data"][0]["readings"]
    assert [(found["value"], found["corrections"]) for found in readings] == [(20.0, [])]
    now = get(app, "/api/v1/measures", headers).get_json()["data"]
    assert [item["id"] for item in now] == [measure.id, later.id]
    assert [found["value"] for found in now[0]["readings"]] == [17.0, 15.0]
    assert len(now[0]["readings"][0]["corrections"]) == 1
    assert ids_of(app, "/api/v1/measures?as_at=2026-01-04", headers) == []


def test_measures_page_by_cursor(app):
    made = [factories.MeasureFactory().id for _ in range(5)]
    seen, pages = every_page(app, "/api/v1/measures?limit=2", token_for())
    assert seen == made and pages == 3


# Survey summaries ----------------------------------------------------------------------------------------


def summarised_survey(**fields):
    """A survey of 3 SENCO replies (2 SENCOs, 2 teams) and 2 parents', a counted question, a free-text one,
    and two comments, one restricted."""
    survey = factories.SurveyFactory(**fields)
    sencos = factories.SurveyGroupFactory(survey=survey, audience=Audience.SENCOS)
    parents = factories.SurveyGroupFactory(survey=survey, audience=Audience.PARENTS_CARERS, position=1)
    asked = SurveyQuestion(
        survey_id=survey.id, position=0, text="How satisfied are you?", kind=QuestionKind.SINGLE_CHOICE
    )
    free = SurveyQuestion(survey_id=survey.id, position=1, text="Anything else?", kind=QuestionKind.FREE_TEXT)
    db.session.add_all([asked, free])
    db.session.flush()
    for n, (group, key, team, answer) in enumerate(
        [
            (sencos, "s1", "North", "Very satisfied"),
            (sencos, "s1", "South", "Very satisfied"),
            (sencos, "s2", "North", "Dissatisfied"),
            (parents, "p1", "", "Satisfied"),
            (parents, "p2", "", "Dissatisfied"),
        ]
    ):
        reply = SurveyReply(
            survey_id=survey.id, group_id=group.id, respondent_key=key, team=team, source_row=str(n + 2)
        )
        db.session.add(reply)
        db.session.flush()
        db.session.add(SurveyAnswer(reply_id=reply.id, question_id=asked.id, value=answer))
        db.session.add(SurveyAnswer(reply_id=reply.id, question_id=free.id, value="Free words here"))
    factories.SurveyCommentFactory(group=parents, text="Child C waited a year", restricted=True)
    factories.SurveyCommentFactory(group=sencos, text="The options were hard to find.")
    db.session.commit()
    return survey


def test_survey_summaries_count_replies_and_answers_as_the_survey_page_does(app):
    finding = factories.FindingFactory()
    survey = summarised_survey(findings=[finding], title="SPOT survey")
    leader = factories.UserFactory(role=Role.LEADER)
    response = get(app, "/api/v1/survey-summaries", token_for(user=leader))
    text = response.get_data(as_text=True)
    # counts only: no comment's text, restricted or not, even to a leader; no free-text answer
    assert "Child C" not in text and "hard to find" not in text and "Free words" not in text
    item = response.get_json()["data"][0]
    assert (item["id"], item["title"], item["finding_ids"], item["comments"]) == (
        survey.id,
        "SPOT survey",
        [finding.id],
        2,
    )
    assert [
        (group["audience"], group["replies"], group["respondents"], group["in_words"])
        for group in item["groups"]
    ] == [
        ("sencos", 3, 2, "3 replies from 2 SENCOs"),
        ("parents_carers", 2, 2, "2 replies from 2 parents and carers"),
    ]
    assert item["groups"][0]["small_base"] is True
    sencos = item["questions"][0]
    assert (sencos["question"], sencos["audience"], sencos["base"], sencos["kind"]) == (
        "How satisfied are you?",
        "sencos",
        3,
        "single_choice",
    )
    assert {(answer["value"], answer["count"], answer["percent"]) for answer in sencos["answers"]} == {
        ("Very satisfied", 2, 67),
        ("Dissatisfied", 1, 33),
    }
    assert len(item["questions"]) == 2  # the free-text question is not counted


def test_survey_summaries_filter_by_group_and_team(app):
    summarised_survey()
    headers = token_for()
    parents = get(app, "/api/v1/survey-summaries?group=parents_carers", headers).get_json()["data"][0]
    assert [group["audience"] for group in parents["groups"]] == ["parents_carers"]
    assert [question["audience"] for question in parents["questions"]] == ["parents_carers"]
    assert parents["comments"] == 1
    north = get(app, "/api/v1/survey-summaries?team=North", headers).get_json()["data"][0]
    assert [(group["audience"], group["replies"]) for group in north["groups"]] == [
        ("sencos", 2),
        ("parents_carers", 0),
    ]


def test_survey_summaries_page_by_cursor_and_as_at(app):
    old = [factories.SurveyFactory(created_at=LONG_AGO).id for _ in range(2)]
    new = [factories.SurveyFactory().id for _ in range(3)]
    headers = token_for()
    seen, pages = every_page(app, "/api/v1/survey-summaries?limit=2", headers)
    assert seen == old + new and pages == 3
    assert ids_of(app, "/api/v1/survey-summaries?as_at=2026-02-01", headers) == old


# Every resource ------------------------------------------------------------------------------------------

RESOURCES = ["progress-updates", "evidence", "measures", "survey-summaries"]


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("progress-updates", "action=first", "action"),
        ("progress-updates", "as_at=2999-01-01", "as_at"),
        ("progress-updates", "limit=501", "limit"),
        ("progress-updates", "cursor=not-ours", "cursor"),
        ("evidence", "include_restricted=yes", "include_restricted"),
        ("evidence", "status=done", "status"),
        ("evidence", "kind=video", "kind"),
        ("evidence", "sensitivity=secret", "sensitivity"),
        ("evidence", "finding=first", "finding"),
        ("evidence", "about_from=1-3-2026", "about_from"),
        ("evidence", "about_to=2026-02-30", "about_to"),
        ("evidence", "expired=yes", "expired"),
        ("evidence", "as_at=31-03-2026", "as_at"),
        ("measures", "archived=1", "archived"),
        ("measures", "as_at=2026-02-30", "as_at"),
        ("measures", "limit=0", "limit"),
        ("survey-summaries", "group=teachers", "group"),
        ("survey-summaries", "team=" + "x" * 121, "team"),
        ("survey-summaries", "cursor=eyJ9", "cursor"),
    ],
)
def test_a_bad_parameter_is_a_400_problem_naming_it(app, path, query, parameter):
    body = problem_of(get(app, f"/api/v1/{path}?{query}", token_for()), 400)
    assert [error["parameter"] for error in body["errors"]] == [parameter]
    assert body["instance"] == f"/api/v1/{path}"


def plan_with_rows(count: int) -> None:
    finding = factories.FindingFactory()
    for n in range(count):
        owner = factories.UserFactory()
        action = factories.ActionFactory(findings=[finding], owner=owner)
        update_on(action, today() - timedelta(days=n % 5))
        factories.document_evidence(uploaded_by=owner, findings=[finding], actions=[action])
        reading = factories.ReadingFactory(measure=factories.MeasureFactory(owner=owner, findings=[finding]))
        corrected_on(reading, 21, datetime(2026, 5, 1, tzinfo=timezone.utc))
        summarised_survey(findings=[finding])


@pytest.mark.parametrize("path", RESOURCES)
def test_an_unchanged_list_is_a_304_by_its_etag(app, path):
    plan_with_rows(2)
    headers = token_for()
    first = get(app, f"/api/v1/{path}", headers)
    assert first.status_code == 200 and first.get_json()["data"]
    etag = first.headers["ETag"]
    again = get(app, f"/api/v1/{path}", {**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    plan_with_rows(1)
    assert get(app, f"/api/v1/{path}", {**headers, "If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path", RESOURCES)
def test_a_page_of_20_asks_as_many_queries_as_a_page_of_2(app, path):
    plan_with_rows(20)
    headers = token_for(Role.LEADER)
    small = queries_for(app, f"/api/v1/{path}?limit=2", headers)
    large = queries_for(app, f"/api/v1/{path}?limit=20", headers)
    assert len(ids_of(app, f"/api/v1/{path}?limit=20", headers)) == 20
    assert small == large, (small, large)


@pytest.mark.parametrize("path", ["progress-updates", "measures"])
def test_today_read_in_sql_answers_as_the_plan_as_at_today_does(app, monkeypatch, path):
    """Today's progress updates and measures are chosen and paged in SQL (no plan to work out); any other day
    comes from the plan as at that day. Both ways give the same answer for today."""
    plan_with_rows(3)
    gone = factories.ActionFactory(findings=[factories.FindingFactory()])
    update_on(gone, today())
    gone.archived_at = datetime.now(timezone.utc)
    factories.MeasureFactory(archived_at=datetime.now(timezone.utc))
    db.session.commit()
    headers = token_for()
    quick = get(app, f"/api/v1/{path}?limit=2", headers).get_json()
    monkeypatch.setattr(resources_more, "today", lambda: date(1900, 1, 1))  # never today: the plan's way
    worked_out = get(app, f"/api/v1/{path}?limit=2", headers).get_json()
    assert quick == worked_out and len(quick["data"]) == 2 and quick["next"]
    every = every_page(app, f"/api/v1/{path}", headers)[0]
    monkeypatch.undo()
    assert every_page(app, f"/api/v1/{path}", headers)[0] == every and len(every) == 3  # not the archived
