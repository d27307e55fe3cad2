"""Information requests over HTTP: opening a period and its timetable, logging a request (a due time in the
past refused), changing it, answering it (status rules), attaching and uploading evidence, closing it, viewers
reading only, officers updating only their own, a request that names a child hidden like restricted evidence,
and the ZIP export read back with zipfile."""

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import LONDON, add_working_days, is_working_day, today
from tracker.evidence.models import EvidenceItem, Sensitivity
from tracker.extensions import db
from tracker.information_requests.models import (
    InformationRequest,
    InspectionPeriod,
    RequestCategory,
    RequestEvidence,
    RequestStatus,
)
from tracker.models import Role, utcnow


def last_working_day() -> date:
    day = today()
    return day if is_working_day(day) else add_working_days(day, -1)


def day_parts(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def make_period(leader=None, notified_on: date | None = None, closed: bool = False) -> InspectionPeriod:
    period = InspectionPeriod(
        notified_on=notified_on or last_working_day(), opened_by_id=getattr(leader, "id", None)
    )
    if closed:
        period.closed_at, period.open_marker = utcnow(), None
    db.session.add(period)
    db.session.commit()
    return period


def make_request(
    period, owner, number: int = 1, due_in: timedelta = timedelta(days=2), **fields
) -> InformationRequest:
    row = InformationRequest(
        period_id=period.id,
        number=number,
        wording=fields.pop("wording", f"Request {number}"),
        category=fields.pop("category", RequestCategory.DATA),
        owner_id=owner.id,
        due_at=utcnow() + due_in,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def request_form(owner, due: datetime | None = None, **more) -> dict:
    due = (due or datetime.now(LONDON) + timedelta(days=3)).astimezone(LONDON)
    return {
        "wording": "The SEND self-evaluation and the strategic plan.",
        "category": "self_evaluation",
        "owner_id": str(owner.id),
        "due_on": day_parts(due.date()),
        "due_time": f"{due:%H:%M}",
    } | more


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_leader_opens_a_period_and_its_page_shows_the_timetable_with_day_dates(client_as):
    leader = client_as(Role.LEADER)
    notified = last_working_day()
    page = leader.post(
        "/requests/periods/new", data={"notified_on": day_parts(notified)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The inspection period is open." in page
    on_site = add_working_days(notified, 10)
    assert f"{on_site:%A} {on_site.day} {on_site:%B %Y}" in page and "Week 3: fieldwork on site" in page
    assert "govuk-summary-list" in page
    assert (
        db.session.scalar(sa.select(AuditEvent.verb).where(AuditEvent.entity_type == "inspection_period"))
        == "inspection_period.opened"
    )


def test_a_period_links_the_inspection_that_fits_its_dates(client_as):
    leader = client_as(Role.LEADER)
    notified = last_working_day()
    inspection = factories.InspectionFactory(
        title="Area SEND inspection 2026", start_date=add_working_days(notified, 10)
    )
    leader.post("/requests/periods/new", data={"notified_on": day_parts(notified)})
    assert db.session.scalar(sa.select(InspectionPeriod.inspection_id)) == inspection.id


def test_a_second_open_period_and_a_weekend_notification_are_refused(client_as):
    leader = client_as(Role.LEADER)
    make_period()
    page = leader.post("/requests/periods/new", data={"notified_on": day_parts(last_working_day())}).get_data(
        as_text=True
    )
    assert "An inspection period is already open" in page
    saturday = today() - timedelta(days=(today().weekday() - 5) % 7 or 7)
    page = leader.post("/requests/periods/new", data={"notified_on": day_parts(saturday)}).get_data(
        as_text=True
    )
    assert "is not a working day in England" in page
    assert count(InspectionPeriod) == 1


def test_a_leader_logs_a_request_with_its_owner_and_due_time(client_as):
    leader = client_as(Role.LEADER)
    officer = factories.UserFactory(role=Role.OFFICER, name="Sam Officer")
    make_period()
    page = leader.post("/requests/new", data=request_form(officer), follow_redirects=True).get_data(
        as_text=True
    )
    assert "R1 logged, owned by Sam Officer." in page
    row = db.session.scalar(sa.select(InformationRequest))
    assert (
        row.status is RequestStatus.OPEN
        and row.owner_id == officer.id
        and row.category is RequestCategory.SELF_EVALUATION
    )
    assert (
        db.session.scalar(sa.select(AuditEvent.verb).where(AuditEvent.entity_type == "information_request"))
        == "information_request.logged"
    )


def test_a_due_time_in_the_past_is_refused_when_logging_and_the_input_is_kept(client_as):
    leader = client_as(Role.LEADER)
    officer = factories.UserFactory(role=Role.OFFICER)
    make_period()
    an_hour_ago = datetime.now(LONDON) - timedelta(hours=1)
    page = leader.post(
        "/requests/new", data=request_form(officer, due=an_hour_ago, wording="Case audits for six children.")
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "govuk-error-summary" in body
    assert (
        "has already passed. Enter a time still to come" in body and "Case audits for six children." in body
    )
    assert count(InformationRequest) == 0


def test_a_time_that_is_not_a_time_is_refused(client_as):
    leader = client_as(Role.LEADER)
    make_period()
    body = leader.post("/requests/new", data=request_form(leader.user, due_time="25:99")).get_data(
        as_text=True
    )
    assert "Enter the time it is due in 24-hour or 12-hour form" in body
    assert count(InformationRequest) == 0


def test_logging_without_an_open_period_says_to_open_one(client_as):
    leader = client_as(Role.LEADER)
    body = leader.post("/requests/new", data=request_form(leader.user)).get_data(as_text=True)
    assert "Open an inspection period before logging requests" in body


def test_an_overdue_request_is_changed_keeping_its_past_due_time(client_as):
    leader = client_as(Role.LEADER)
    row = make_request(make_period(), leader.user, due_in=timedelta(hours=-3))
    data = request_form(leader.user, due=row.due_at, wording="Reworded.", version=str(row.version))
    page = leader.post(f"/requests/{row.id}/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "R1 saved." in page


def test_a_leader_changes_a_request_and_a_stale_form_is_caught(client_as):
    leader = client_as(Role.LEADER)
    owner = factories.UserFactory(role=Role.OFFICER)
    row = make_request(make_period(), owner)
    data = request_form(owner, wording="Updated wording.", version=str(row.version))
    leader.post(f"/requests/{row.id}/edit", data=data)
    db.session.refresh(row)
    assert row.wording == "Updated wording."
    body = leader.post(f"/requests/{row.id}/edit", data=data | {"wording": "Older form."}).get_data(
        as_text=True
    )
    assert "since you opened it" in body and "Older form." in body


def test_a_request_is_marked_as_naming_a_child_only_once_its_uploaded_files_are_restricted(client_as):
    leader, owner = client_as(Role.LEADER), factories.UserFactory(role=Role.OFFICER)
    row = make_request(make_period(), owner)
    client_as(owner).post(
        f"/requests/{row.id}/upload",
        data={
            "title": "Case notes",
            "about_date": day_parts(today()),
            "sensitivity": "internal",
            "file": (io.BytesIO(factories.PDF_BYTES), "notes.pdf"),
        },
        content_type="multipart/form-data",
    )
    data = request_form(
        owner, names_child="y", version=str(row.version), wording="Case notes for a named child."
    )
    page = leader.post(f"/requests/{row.id}/edit", data=data).get_data(as_text=True)
    assert (
        "Files uploaded for this request are not restricted: “Case notes”" in page
        and "Case notes for a named child." in page
    )
    db.session.refresh(row)
    assert not row.names_child
    item = db.session.scalar(sa.select(EvidenceItem))
    item.sensitivity = Sensitivity.RESTRICTED
    db.session.commit()
    assert leader.post(f"/requests/{row.id}/edit", data=data).status_code == 302
    db.session.refresh(row)
    assert row.names_child


def test_the_owner_answers_sends_and_a_leader_closes(client_as):
    owner = factories.UserFactory(role=Role.OFFICER)
    officer, leader = client_as(owner), client_as(Role.LEADER)
    row = make_request(make_period(), owner)
    body = officer.post(
        f"/requests/{row.id}/respond", data={"status": "sent", "version": str(row.version)}
    ).get_data(as_text=True)
    assert "Write a response note or attach evidence before marking the request as sent" in body
    officer.post(
        f"/requests/{row.id}/respond",
        data={"status": "sent", "response": "Sent by secure email at 10am.", "version": str(row.version)},
    )
    db.session.refresh(row)
    assert row.status is RequestStatus.SENT
    body = officer.post(
        f"/requests/{row.id}/respond",
        data={"status": "closed", "response": row.response, "version": str(row.version)},
    ).get_data(as_text=True)
    assert "Only a leader closes a request" in body
    leader.post(
        f"/requests/{row.id}/respond",
        data={"status": "closed", "response": row.response, "version": str(row.version)},
    )
    db.session.refresh(row)
    assert row.status is RequestStatus.CLOSED
    assert officer.get(f"/requests/{row.id}/respond").status_code == 403  # closed: only a leader reopens it


def test_attaching_evidence_from_the_tracker_and_taking_it_off(client_as):
    leader = client_as(Role.LEADER)
    row = make_request(make_period(), leader.user)
    evidence = factories.EvidenceFactory(title="EHCP timeliness dashboard")
    archived = factories.EvidenceFactory(title="Old dashboard", archived_at=utcnow())
    page = leader.get(f"/requests/{row.id}/evidence").get_data(as_text=True)
    assert "EHCP timeliness dashboard" in page and "Old dashboard" not in page
    body = leader.post(f"/requests/{row.id}/evidence", data={"evidence_ids": [str(archived.id)]}).get_data(
        as_text=True
    )
    assert "is archived: restore it before attaching it" in body
    page = leader.post(
        f"/requests/{row.id}/evidence", data={"evidence_ids": [str(evidence.id)]}, follow_redirects=True
    ).get_data(as_text=True)
    assert "1 evidence item attached to R1." in page and "EHCP timeliness dashboard" in page
    leader.post(f"/requests/{row.id}/evidence/{evidence.id}/remove")
    assert count(RequestEvidence) == 0 and db.session.get(EvidenceItem, evidence.id) is not None


def test_a_file_uploaded_for_a_request_is_stored_as_evidence_and_attached(client_as):
    owner = factories.UserFactory(role=Role.OFFICER)
    officer = client_as(owner)
    row = make_request(make_period(), owner)
    page = officer.post(
        f"/requests/{row.id}/upload",
        data={
            "title": "Health commissioning template",
            "about_date": day_parts(today()),
            "sensitivity": "internal",
            "file": (io.BytesIO(factories.PDF_BYTES), "health-template.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "uploaded and attached to R1" in page
    item = db.session.scalar(sa.select(EvidenceItem))
    assert item.files[0].filename == "health-template.pdf" and item.source == "Information request R1"
    assert db.session.scalar(sa.select(RequestEvidence.uploaded_for)) is True


def test_a_file_uploaded_for_a_request_can_be_changed_without_choosing_a_finding(client_as):
    owner = factories.UserFactory(role=Role.OFFICER)
    officer = client_as(owner)
    row = make_request(make_period(), owner)
    officer.post(
        f"/requests/{row.id}/upload",
        data={
            "title": "Board minutes",
            "about_date": day_parts(today()),
            "sensitivity": "internal",
            "file": (io.BytesIO(factories.PDF_BYTES), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    item = db.session.scalar(sa.select(EvidenceItem))
    page = officer.post(
        f"/evidence/{item.id}/edit",
        data={"title": "Board minutes, March", "about_date": day_parts(today()), "sensitivity": "internal"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Board minutes, March” saved." in page


def test_a_file_for_a_request_that_names_a_child_must_be_restricted(client_as):
    leader = client_as(Role.LEADER)
    row = make_request(make_period(), leader.user, names_child=True)
    body = leader.post(
        f"/requests/{row.id}/upload",
        data={
            "title": "Case file",
            "about_date": day_parts(today()),
            "sensitivity": "internal",
            "file": (io.BytesIO(factories.PDF_BYTES), "case.pdf"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "This request names a child, so what is sent for it is restricted" in body
    assert count(EvidenceItem) == 0


def test_viewers_read_requests_but_change_nothing(client_as):
    viewer = client_as(Role.VIEWER)
    owner = factories.UserFactory(role=Role.OFFICER)
    row = make_request(make_period(), owner, wording="Minutes of the SEND partnership board.")
    page = viewer.get("/requests").get_data(as_text=True)
    assert "Minutes of the SEND partnership board." in page and "Log a request" not in page
    page = viewer.get(f"/requests/{row.id}").get_data(as_text=True)
    assert "Update the status or response" not in page and "Change the request" not in page
    for url in (
        f"/requests/{row.id}/respond",
        f"/requests/{row.id}/evidence",
        f"/requests/{row.id}/upload",
        f"/requests/{row.id}/edit",
        "/requests/new",
        "/requests/periods/new",
    ):
        assert viewer.post(url, data={}).status_code == 403


def test_an_officer_updates_only_the_requests_they_own(client_as):
    owner, other = factories.UserFactory(role=Role.OFFICER), factories.UserFactory(role=Role.OFFICER)
    row = make_request(make_period(), owner)
    page = client_as(other).get(f"/requests/{row.id}").get_data(as_text=True)
    assert "Update the status or response" not in page
    assert (
        client_as(other).post(f"/requests/{row.id}/respond", data={"status": "in_progress"}).status_code
        == 403
    )
    assert client_as(owner).get(f"/requests/{row.id}/respond").status_code == 200
    assert client_as(owner).get(f"/requests/{row.id}/edit").status_code == 403  # the wording is the leader's


def test_a_request_naming_a_child_is_hidden_from_those_who_may_not_see_restricted_evidence(client_as):
    owner, other = factories.UserFactory(role=Role.OFFICER), factories.UserFactory(role=Role.OFFICER)
    period = make_period()
    secret = make_request(
        period, owner, wording="Case file for the child chosen at random.", names_child=True
    )
    make_request(period, owner, number=2, wording="Waiting times for autism assessment.")
    for who in (Role.VIEWER, other):
        client = client_as(who)
        page = client.get("/requests").get_data(as_text=True)
        assert "Waiting times for autism assessment." in page and "child chosen at random" not in page
        assert client.get(f"/requests/{secret.id}").status_code == 404
    for who in (Role.LEADER, owner):
        assert "child chosen at random" in client_as(who).get("/requests").get_data(as_text=True)


def test_the_periods_page_counts_only_the_requests_each_person_may_see(client_as):
    owner = factories.UserFactory(role=Role.OFFICER)
    period = make_period()
    make_request(period, owner, wording="Case file for the child chosen at random.", names_child=True)
    make_request(period, owner, number=2, wording="Waiting times for autism assessment.")
    counted = r'govuk-table__cell--numeric">\s*{}\s*<'
    assert re.search(
        counted.format(1), client_as(Role.VIEWER).get("/requests/periods").get_data(as_text=True)
    )
    assert re.search(
        counted.format(2), client_as(Role.LEADER).get("/requests/periods").get_data(as_text=True)
    )


def test_restricted_evidence_on_a_request_is_not_shown_to_those_who_may_not_see_it(client_as):
    viewer = client_as(Role.VIEWER)
    row = make_request(make_period(), factories.UserFactory(role=Role.OFFICER))
    secret = factories.EvidenceFactory(title="A child's plan", sensitivity=Sensitivity.RESTRICTED)
    db.session.add(RequestEvidence(request_id=row.id, evidence_id=secret.id))
    db.session.commit()
    page = viewer.get(f"/requests/{row.id}").get_data(as_text=True)
    assert "A child's plan" not in page and "1 restricted evidence item attached" in page


def test_overdue_requests_are_flagged_and_the_lists_sort_by_due_time(client_as):
    leader = client_as(Role.LEADER)
    owner = factories.UserFactory(role=Role.OFFICER)
    period = make_period()
    make_request(period, owner, number=1, wording="Later one", due_in=timedelta(days=5))
    make_request(period, owner, number=2, wording="Late one", due_in=timedelta(hours=-2))
    make_request(period, leader.user, number=3, wording="Mine soon", due_in=timedelta(hours=3))
    page = leader.get("/requests").get_data(as_text=True)
    assert page.index("Late one") < page.index("Mine soon") < page.index("Later one")
    assert "Overdue" in page and "1 overdue" in page
    mine = leader.get("/requests/mine").get_data(as_text=True)
    assert "Mine soon" in mine and "Later one" not in mine


def test_closing_the_period_keeps_its_requests_and_stops_changes(client_as):
    leader = client_as(Role.LEADER)
    period = make_period()
    row = make_request(period, leader.user)
    page = leader.post(f"/requests/periods/{period.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "The inspection period is closed." in page and "Request 1" in page
    assert leader.get(f"/requests/{row.id}/respond").status_code == 403
    assert "Open an inspection period" in leader.get("/requests").get_data(as_text=True)


def _zip(client, url="/exports/information-requests.zip", data=None) -> zipfile.ZipFile:
    response = client.post(url, data=data or {})
    assert response.status_code == 200 and response.mimetype == "application/zip", response.get_data(
        as_text=True
    )[:400]
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_the_zip_holds_each_request_with_its_status_response_and_files(client_as):
    leader = client_as(Role.LEADER)
    owner = factories.UserFactory(role=Role.OFFICER, name="Ola Owner")
    period = make_period()
    first = make_request(
        period, owner, wording="Self-evaluation", status=RequestStatus.SENT, response="Sent on Tuesday."
    )
    make_request(period, owner, number=2, wording="Waiting times data")
    document, revision = factories.document_evidence(title="SEF 2026")
    db.session.add(RequestEvidence(request_id=first.id, evidence_id=document.id))
    db.session.commit()
    archive = _zip(leader)
    names = archive.namelist()
    assert {"index.html", "index.csv", "manifest.csv"} <= set(names)
    assert f"requests/R1/{document.id}-report.pdf" in names
    assert archive.read(f"requests/R1/{document.id}-report.pdf") == factories.PDF_BYTES
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert [(r["Reference"], r["Status"], r["Owner"], r["Response"]) for r in rows] == [
        ("R1", "Sent", "Ola Owner", "Sent on Tuesday."),
        ("R2", "Open", "Ola Owner", ""),
    ]
    html = archive.read("index.html").decode("utf-8")
    assert "Self-evaluation" in html and "SEF 2026" in html
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "export.requests_pack"))
    assert event.after["completed"] is True and len(event.after["sha256"]) == 64


def test_the_zip_leaves_out_child_naming_requests_and_restricted_files_unless_a_leader_includes_them(
    client_as,
):
    leader, officer = client_as(Role.LEADER), client_as(Role.OFFICER)
    period = make_period()
    make_request(period, leader.user, wording="Case file for a named child", names_child=True)
    open_one = make_request(period, leader.user, number=2, wording="Board minutes")
    secret, _ = factories.document_evidence(
        content=factories.PDF_BYTES + b"%secret", filename="plan.pdf", sensitivity=Sensitivity.RESTRICTED
    )
    db.session.add(RequestEvidence(request_id=open_one.id, evidence_id=secret.id))
    db.session.commit()
    for client in (leader, officer):
        archive = _zip(client)
        assert "named child" not in archive.read("index.csv").decode("utf-8-sig")
        assert not any(name.endswith("plan.pdf") for name in archive.namelist())
    archive = _zip(leader, "/exports/information-requests.zip?restricted=1")
    assert "named child" in archive.read("index.csv").decode("utf-8-sig")
    assert any(name.endswith("plan.pdf") for name in archive.namelist())
    assert officer.post("/exports/information-requests.zip?restricted=1").status_code == 403
    body = officer.post(
        "/exports/information-requests", data={"period": str(period.id), "include_restricted": "y"}
    )
    assert "Only leaders can include requests that name a child" in body.get_data(as_text=True)


def test_a_get_of_the_zip_address_shows_what_it_holds_and_makes_nothing(client_as):
    leader = client_as(Role.LEADER)
    make_period()
    page = leader.get("/exports/information-requests.zip").get_data(as_text=True)
    assert "Download the information requests as a ZIP" in page and "Nothing has been downloaded yet" in page
    assert (
        db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.verb == "export.requests_pack")) is None
    )
