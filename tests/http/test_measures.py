"""Measures through the test client: define, change, archive; add, refuse, correct and import readings."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.dates import today
from tracker.evidence.models import Sensitivity
from tracker.extensions import db
from tracker.measures.models import (
    Direction,
    Frequency,
    Measure,
    MeasureMilestone,
    MeasureReading,
    ReadingCorrection,
)
from tracker.models import Role


def date_fields(prefix: str, value: date) -> dict:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def measure_form(owner, **changes) -> dict:
    form = {
        "name": "Longest wait for an autism assessment",
        "description": "Weeks waited by the longest waiting child.",
        "unit": "weeks",
        "direction": "lower_is_better",
        "baseline_value": "56",
        **date_fields("baseline_date", date(2025, 10, 31)),
        "target_value": "18",
        **date_fields("target_date", date(2027, 3, 31)),
        "frequency": "quarterly",
        "source": "ICB pathway report",
        "owner_id": str(owner.id),
    }
    form.update(changes)
    return form


def events(verb: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    return db.session.scalars(query.where(AuditEvent.verb == verb) if verb else query).all()


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def owner():
    return factories.UserFactory(role=Role.OFFICER, name="Tom Reeves")


@pytest.fixture
def measure(owner):
    return factories.MeasureFactory(
        name="Average wait for occupational therapy",
        owner=owner,
        baseline_value=22.0,
        baseline_date=date(2025, 10, 31),
        target_value=12.0,
        target_date=date(2027, 3, 31),
    )


def add_readings(measure, *pairs):
    for period_end, value in pairs:
        db.session.add(
            MeasureReading(measure=measure, period_end=period_end, value=value, entered_by=measure.owner)
        )
    db.session.commit()


# Defining measures -------------------------------------------------------------------------------


def test_a_leader_defines_a_measure_with_milestones_and_the_findings_it_evidences(leader_client, owner):
    finding = factories.FindingFactory(reference="AFI3", title="Autism assessment waits")
    form = measure_form(
        owner,
        finding_ids=[str(finding.id)],
        **date_fields("milestones-0-due_on", date(2026, 3, 31)),
        **{"milestones-0-value": "45", "milestones-0-label": "First clinic open"},
        **date_fields("milestones-1-due_on", date(2026, 9, 30)),
        **{"milestones-1-value": "33"},
    )
    response = leader_client.post("/measures/new", data=form)
    measure = db.session.scalar(sa.select(Measure))
    assert response.status_code == 302 and response.headers["Location"] == f"/measures/{measure.id}"
    assert (measure.unit, measure.direction, measure.frequency) == (
        "weeks",
        Direction.LOWER_IS_BETTER,
        Frequency.QUARTERLY,
    )
    assert [(m.due_on, m.value, m.label) for m in measure.milestones] == [
        (date(2026, 3, 31), 45, "First clinic open"),
        (date(2026, 9, 30), 33, ""),
    ]
    page = text(leader_client.get(f"/measures/{measure.id}"))
    assert "Measure Longest wait for an autism assessment saved." in page
    assert "AFI3: Autism assessment waits" in page and "First clinic open" in page
    assert "No data: no readings yet." in page
    [created] = events("measure.created")
    assert created.after["target_value"] == 18 and created.after["findings"] == ["AFI3"]
    assert created.after["milestones"] == ["2026-03-31: 45 (First clinic open)", "2026-09-30: 33"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the measure&#39;s name."),
        ({"name": "   "}, "Enter the measure&#39;s name."),
        ({"unit": ""}, "Choose the unit the measure is counted in."),
        ({"target_value": ""}, "Enter the target value."),
        ({"target_value": "eighteen"}, "Enter the target as a number, like 18 or 90."),
        ({"baseline_value": ""}, "Enter both the baseline value and the date it was measured, or neither."),
        (
            {**date_fields("target_date", date(2025, 1, 1))},
            "The target date must be after the baseline date.",
        ),
        ({"unit": "%", "target_value": "120"}, "A percentage must be from 0 to 100."),
        ({**date_fields("milestones-2-due_on", date(2026, 6, 30))}, "Enter the value of milestone 3."),
        ({"milestones-0-value": "40"}, "Enter the date of milestone 1."),
        (
            {**date_fields("milestones-0-due_on", date(2028, 1, 1)), "milestones-0-value": "20"},
            "Milestone 1 must fall after the baseline date and before the target date.",
        ),
        ({"owner_id": ""}, "Choose the measure&#39;s owner from the list."),
    ],
)
def test_bad_measure_input_is_explained_and_kept(leader_client, owner, changes, message):
    form = measure_form(owner, description="Keep this description", **changes)
    response = leader_client.post("/measures/new", data=form)
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert "Keep this description" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Measure)) == 0
    assert events() == []


def test_typed_numbers_that_are_not_numbers_stay_in_the_box(leader_client, owner):
    page = text(leader_client.post("/measures/new", data=measure_form(owner, baseline_value="about 56")))
    assert "Enter the baseline as a number, like 56 or 12.5." in page and 'value="about 56"' in page


def test_two_measures_cannot_share_a_name(leader_client, owner, measure):
    page = text(
        leader_client.post(
            "/measures/new", data=measure_form(owner, name="average wait for OCCUPATIONAL therapy")
        )
    )
    assert "There is already a measure called average wait for OCCUPATIONAL therapy." in page


def test_a_viewer_cannot_own_a_measure(leader_client):
    viewer = factories.UserFactory(role=Role.VIEWER)
    page = text(leader_client.post("/measures/new", data=measure_form(viewer)))
    assert "Choose an owner from the list of active leaders and officers." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Measure)) == 0


def test_a_leader_changes_a_measure_and_the_audit_log_says_from_what_to_what(leader_client, owner, measure):
    finding = factories.FindingFactory(reference="AFI4")
    form = measure_form(
        owner,
        name=measure.name,
        baseline_value="22",
        target_value="10",
        finding_ids=[str(finding.id)],
        **date_fields("milestones-0-due_on", date(2026, 6, 30)),
        **{"milestones-0-value": "18"},
    )
    page = text(leader_client.get(f"/measures/{measure.id}/edit"))
    assert 'value="22"' in page and 'value="12"' in page  # the form opens with the saved values
    response = leader_client.post(f"/measures/{measure.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(measure)
    assert measure.target_value == 10 and [m.value for m in measure.milestones] == [18]
    [updated] = events("measure.updated")
    assert updated.before["target_value"] == 12 and updated.after["target_value"] == 10
    assert updated.before["findings"] == [] and updated.after["findings"] == ["AFI4"]
    assert updated.after["milestones"] == ["2026-06-30: 18"]
    form.pop("milestones-0-due_on"), form.pop("milestones-0-value")
    leader_client.post(f"/measures/{measure.id}/edit", data=form)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureMilestone)) == 0
    leader_client.post(f"/measures/{measure.id}/edit", data=form)  # saving again changes nothing
    assert len(events("measure.updated")) == 2


def test_an_edit_keeps_the_link_to_an_archived_finding(leader_client, owner, measure):
    live, archived = factories.FindingFactory(reference="AFI4"), factories.FindingFactory(reference="AFI9")
    archived.archived_at = archived.created_at
    measure.findings = [live, archived]
    db.session.commit()
    page = text(leader_client.get(f"/measures/{measure.id}/edit"))
    assert "AFI9: " in page and "(archived)" in page
    form = measure_form(
        owner,
        name=measure.name,
        baseline_value="22",
        target_value="12",
        finding_ids=[str(live.id), str(archived.id)],
    )
    assert leader_client.post(f"/measures/{measure.id}/edit", data=form).status_code == 302
    assert sorted(f.reference for f in db.session.get(Measure, measure.id).findings) == ["AFI4", "AFI9"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"owner_id": "not-a-number"}, "Choose an owner from the list of active leaders and officers."),
        (
            {"finding_ids": ["999999", "x"]},
            "One of the chosen findings no longer exists. Reload the page and choose again.",
        ),
    ],
)
def test_choices_that_no_longer_exist_are_explained_not_a_500(leader_client, owner, changes, message):
    response = leader_client.post("/measures/new", data=measure_form(owner, **changes))
    assert response.status_code == 200 and message in text(response)


def test_a_leader_archives_and_restores_a_measure(leader_client, measure):
    link = f'href="/measures/{measure.id}"'
    page = text(
        leader_client.post(f"/measures/{measure.id}/edit", data={"archive": "1"}, follow_redirects=True)
    )
    leader_client.post(
        f"/measures/{measure.id}/edit", data={"archive": "1"}
    )  # a second press changes nothing
    assert (
        "Measure Average wait for occupational therapy archived." in page and "Restore this measure" in page
    )
    assert link not in text(leader_client.get("/measures"))
    assert link in text(leader_client.get("/measures?archived=1"))
    leader_client.post(f"/measures/{measure.id}/edit", data={"archive": "0"})
    assert [event.verb for event in events()] == ["measure.archived", "measure.restored"]
    assert link in text(leader_client.get("/measures"))


# Readings ----------------------------------------------------------------------------------------


def test_the_owner_adds_a_reading_and_sees_it_with_its_status(client_as, owner, measure):
    client = client_as(owner)
    response = client.post(
        f"/measures/{measure.id}/readings/new",
        data={
            **date_fields("period_end", date(2026, 9, 30)),
            "value": "16",
            "note": "Triage clinic started in July.",
        },
    )
    assert response.status_code == 302
    page = text(client.get(f"/measures/{measure.id}"))
    assert "Reading for the period ending 30 September 2026 added." in page
    assert "Off track: 16 weeks on 30 September 2026, expected 15.5 weeks or lower by then" in page
    assert "Triage clinic started in July." in page
    assert "<title>30 September 2026: 16 weeks</title>" in page  # the chart
    assert '<td class="govuk-table__cell">Reading</td>' in page  # and the table beside it
    [created] = events("measure_reading.created")
    assert created.after == {
        "measure": measure.name,
        "period_end": "2026-09-30",
        "value": 16,
        "note": "Triage clinic started in July.",
        "evidence_id": None,
    }
    assert created.actor_id == owner.id


@pytest.mark.parametrize("who", [Role.OFFICER, Role.VIEWER, Role.ADMIN])
@pytest.mark.parametrize("path", ["readings/new", "readings/import"])
def test_only_the_owner_and_leaders_record_readings(client_as, measure, who, path):
    expected = 403
    assert client_as(who).get(f"/measures/{measure.id}/{path}").status_code == expected
    assert client_as(who).post(f"/measures/{measure.id}/{path}", data={}).status_code == expected
    assert client_as(Role.LEADER).get(f"/measures/{measure.id}/{path}").status_code == 200
    assert client_as(measure.owner).get(f"/measures/{measure.id}/{path}").status_code == 200


def test_the_reading_buttons_show_only_to_those_who_may(client_as, owner, measure):
    add_readings(measure, (date(2026, 6, 30), 19))
    owner_page = text(client_as(owner).get(f"/measures/{measure.id}"))
    assert "Add a reading" in owner_page and "Import readings" in owner_page and ">Correct<" in owner_page
    assert "Change this measure" not in owner_page and "Archive this measure" not in owner_page
    for who in (Role.OFFICER, Role.VIEWER):
        page = text(client_as(who).get(f"/measures/{measure.id}"))
        assert "Add a reading" not in page and ">Correct<" not in page and "Change this measure" not in page
    leader_page = text(client_as(Role.LEADER).get(f"/measures/{measure.id}"))
    assert (
        "Add a reading" in leader_page
        and "Change this measure" in leader_page
        and "Archive this measure" in leader_page
    )


def test_an_archived_measure_takes_no_readings_from_its_owner(client_as, owner, measure):
    measure.archived_at = measure.created_at
    db.session.commit()
    assert client_as(owner).get(f"/measures/{measure.id}/readings/new").status_code == 403
    page = text(
        client_as(Role.LEADER).post(
            f"/measures/{measure.id}/readings/new",
            data={**date_fields("period_end", date(2026, 9, 30)), "value": "16"},
        )
    )
    assert "This measure is archived: restore it before changing its readings." in page


def test_a_second_reading_for_a_period_points_to_the_correction_page(client_as, owner, measure):
    add_readings(measure, (date(2026, 9, 30), 16))
    reading = db.session.scalar(sa.select(MeasureReading))
    page = text(
        client_as(owner).post(
            f"/measures/{measure.id}/readings/new",
            data={**date_fields("period_end", date(2026, 9, 30)), "value": "15", "note": "Keep me"},
        )
    )
    assert (
        "There is already a reading for the period ending 30 September 2026 (16 weeks). "
        "To change it, correct that reading."
    ) in page
    assert f'href="/measures/{measure.id}/readings/{reading.id}/edit"' in page and "Keep me" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 1


@pytest.mark.parametrize(
    ("unit", "fields", "message"),
    [
        ("weeks", {"value": ""}, "Enter the value, like 40 or 12.5."),
        ("weeks", {"value": "lots"}, "Enter a number, like 40 or 12.5."),
        ("weeks", {"value": "-1"}, "A number of weeks cannot be below 0."),
        ("%", {"value": "101"}, "A percentage must be from 0 to 100."),
        ("weeks", {"period_end": ["", "", ""]}, "Enter the last day of the period the reading covers."),
        ("weeks", {"period_end": ["31", "2", "2026"]}, "Enter a real date, like 30 9 2026."),
    ],
)
def test_bad_readings_are_explained(leader_client, measure, unit, fields, message):
    measure.unit = unit
    db.session.commit()
    form = {**date_fields("period_end", date(2026, 9, 30)), "value": "16", **fields}
    page = text(leader_client.post(f"/measures/{measure.id}/readings/new", data=form))
    assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 0


def test_a_reading_for_a_period_still_to_end_is_refused(leader_client, measure):
    later = today() + timedelta(days=1)
    page = text(
        leader_client.post(
            f"/measures/{measure.id}/readings/new", data={**date_fields("period_end", later), "value": "16"}
        )
    )
    assert "The period end cannot be in the future" in page


def test_a_reading_points_to_evidence_the_person_may_see(client_as, owner, measure):
    report = factories.EvidenceFactory(title="Therapy activity report, Q2", uploaded_by=owner)
    secret = factories.EvidenceFactory(title="Child C case notes", sensitivity=Sensitivity.RESTRICTED)
    client = client_as(owner)
    form_page = text(client.get(f"/measures/{measure.id}/readings/new"))
    assert "Therapy activity report, Q2" in form_page and "Child C case notes" not in form_page
    refused = text(
        client.post(
            f"/measures/{measure.id}/readings/new",
            data={
                **date_fields("period_end", date(2026, 9, 30)),
                "value": "16",
                "evidence_id": str(secret.id),
            },
        )
    )
    assert "Choose evidence from the list, or no evidence." in refused
    client.post(
        f"/measures/{measure.id}/readings/new",
        data={**date_fields("period_end", date(2026, 9, 30)), "value": "16", "evidence_id": str(report.id)},
    )
    assert db.session.scalar(sa.select(MeasureReading.evidence_id)) == report.id
    assert "Therapy activity report, Q2" in text(client_as(Role.VIEWER).get(f"/measures/{measure.id}"))


def test_a_correction_needs_a_reason_and_keeps_the_earlier_value(client_as, owner, measure):
    add_readings(measure, (date(2026, 6, 30), 19), (date(2026, 9, 30), 17))
    reading = db.session.scalar(sa.select(MeasureReading).where(MeasureReading.value == 17))
    client, url = client_as(owner), f"/measures/{measure.id}/readings/{reading.id}/edit"
    assert 'value="17"' in text(client.get(url))
    for blank in ("", "   "):
        page = text(client.post(url, data={"value": "16", "note": "", "reason": blank}))
        assert "Give a reason for correcting the reading." in page and 'value="16"' in page
    for blank in ("", "   "):  # spaces are no value: asked for, never a server error
        page = text(client.post(url, data={"value": blank, "note": "", "reason": "Recounted"}))
        assert "Enter the corrected value, like 40 or 12.5." in page and "Recounted" in page
    page = text(client.post(url, data={"value": "17", "note": "", "reason": "No change really"}))
    assert "The value and the note are the same as before" in page
    response = client.post(
        url,
        data={
            "value": "16",
            "note": "From the validated extract.",
            "reason": "The first figure counted cancelled referrals.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(reading)
    [correction] = db.session.scalars(sa.select(ReadingCorrection)).all()
    assert (reading.value, correction.previous_value, correction.corrected_by_id) == (16, 17, owner.id)
    page = text(client_as(Role.VIEWER).get(f"/measures/{measure.id}"))
    assert (
        "The first figure counted cancelled referrals." in page and "17 weeks" in page and "corrected" in page
    )
    assert "better than the last reading (19 weeks)" in page
    [event] = events("measure_reading.corrected")
    assert event.before == {"value": 17, "note": ""}
    assert event.after == {
        "value": 16,
        "note": "From the validated extract.",
        "reason": "The first figure counted cancelled referrals.",
    }


def test_a_reading_of_another_measure_is_not_found(leader_client, measure):
    other = factories.MeasureFactory()
    add_readings(other, (date(2026, 9, 30), 3))
    reading = db.session.scalar(sa.select(MeasureReading))
    assert leader_client.get(f"/measures/{measure.id}/readings/{reading.id}/edit").status_code == 404


def test_another_officer_cannot_correct_a_reading(client_as, measure):
    add_readings(measure, (date(2026, 9, 30), 17))
    reading = db.session.scalar(sa.select(MeasureReading))
    assert (
        client_as(Role.OFFICER)
        .post(f"/measures/{measure.id}/readings/{reading.id}/edit", data={"value": "1", "reason": "x"})
        .status_code
        == 403
    )
    assert db.session.scalar(sa.select(MeasureReading.value)) == 17


# Importing readings ------------------------------------------------------------------------------


def upload(client, measure, content: str, filename: str = "readings.csv"):
    import io

    return client.post(
        f"/measures/{measure.id}/readings/import",
        data={"file": (io.BytesIO(content.encode("utf-8")), filename)},
        content_type="multipart/form-data",
    )


CLEAN = "period_end,value,note\n2025-12-31,22,As the inspection found\n31/03/2026,21,\n2026-06-30,19,\n"


def test_a_clean_file_is_imported_and_importing_it_again_changes_nothing(client_as, owner, measure):
    client = client_as(owner)
    response = upload(client, measure, "\ufeff" + CLEAN)
    assert response.status_code == 302
    assert "Imported readings.csv: 3 readings added, 0 already there." in text(
        client.get(f"/measures/{measure.id}")
    )
    assert [
        (r.period_end, r.value)
        for r in db.session.scalars(sa.select(MeasureReading).order_by(MeasureReading.period_end))
    ] == [(date(2025, 12, 31), 22), (date(2026, 3, 31), 21), (date(2026, 6, 30), 19)]
    assert len(events("measure_reading.created")) == 3 and len(events("measure.readings_imported")) == 1
    before = len(events())
    response = upload(client, measure, CLEAN)
    assert "0 readings added, 3 already there." in text(client.get(response.headers["Location"]))
    assert len(events()) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 3


def test_every_bad_row_is_reported_by_number_and_nothing_is_saved(leader_client, measure):
    content = (
        "period_end,value,note\n2026-03-31,21,\n2026-13-01,20,\n30/06/2026,nineteen,\n,18,\n"
        "2026-09-30,-2,\n2026-03-31,21,\n2026-06-30,,\n"
    )
    page = text(upload(leader_client, measure, content))
    assert "Nothing was imported: the file has 6 problems. Fix the file and import it again." in page
    for problem in [
        "Row 3: the period end “2026-13-01” is not a date. Write it as YYYY-MM-DD or DD/MM/YYYY",
        "Row 4: the value “nineteen” is not a number.",
        "Row 5: enter the period end.",
        "Row 6: a number of weeks cannot be below 0.",
        "Row 7: the period ending 31 March 2026 is already on row 2.",
        "Row 8: enter the value.",
    ]:
        assert problem in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 0
    assert events() == []


def test_an_import_may_not_overwrite_a_reading_it_must_be_corrected(leader_client, measure):
    add_readings(measure, (date(2026, 6, 30), 19))
    page = text(upload(leader_client, measure, "period_end,value\n2026-06-30,18\n2026-09-30,16\n"))
    assert (
        "Row 2: there is already a reading of 19 weeks for the period ending 30 June 2026. "
        "To change it, correct that reading on the measure&#39;s page instead."
    ) in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 1
    response = upload(leader_client, measure, "period_end,value\n2026-06-30,19\n2026-09-30,16\n")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 2


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            "date,figure\n2026-06-30,19\n",
            "readings.csv",
            "The first row must name the columns period_end and value",
        ),
        ("period_end,value\n", "readings.csv", "The file has no readings in it"),
        (
            "period_end,value\n2026-06-30,19\n",
            "readings.pdf",
            "Choose a .csv, .xlsx or .ods file: other files cannot be imported.",
        ),
    ],
)
def test_files_that_cannot_be_read_are_explained(leader_client, measure, content, filename, message):
    page = text(upload(leader_client, measure, content, filename))
    assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 0


def test_an_import_without_a_file_asks_for_one(leader_client, measure):
    assert "Choose a CSV file of readings to import." in text(
        leader_client.post(f"/measures/{measure.id}/readings/import", data={})
    )


# Lists and sections ------------------------------------------------------------------------------


def test_the_demo_measures_list_shows_status_and_why(demo, client_as):
    viewer = db.session.scalar(sa.select(User).where(User.email == "viewer@demo.example"))
    page = text(client_as(viewer).get("/measures"))
    assert (
        "Off track: 40 weeks on 30 September 2026, expected 31.4 weeks or lower by then; "
        "better than the last reading (44 weeks)"
    ) in page
    assert "No data: no readings yet." in page  # EHC plans within 20 weeks
    assert "Tom Reeves" in page and "18 weeks by 31 March 2027" in page
    assert "Add a measure" not in page


def test_a_findings_page_shows_its_measures_with_their_status(client_as, measure):
    finding = factories.FindingFactory()
    measure.findings = [finding]
    db.session.commit()
    add_readings(measure, (date(2026, 9, 30), 12))
    page = text(client_as(Role.VIEWER).get(f"/findings/{finding.id}"))
    assert "Measures for this finding" in page and f'href="/measures/{measure.id}"' in page
    assert "On track: 12 weeks on 30 September 2026" in page


def test_a_measure_page_loads_in_a_fixed_number_of_queries(app, client_as, measure):
    from sqlalchemy import event

    add_readings(measure, (date(2026, 3, 31), 21))
    db.session.add(
        ReadingCorrection(
            reading_id=db.session.scalar(sa.select(MeasureReading.id)),
            previous_value=1,
            reason="x",
            corrected_by_id=measure.owner_id,
        )
    )
    db.session.commit()
    client = client_as(Role.LEADER)
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    def queries() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/measures/{measure.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        # the signed-in person is loaded by Flask-Login, or not when the session still holds them
        return len([sql for sql in statements if not re.search(r'WHERE "?user"?\.id = ', sql)])

    few = queries()
    add_readings(measure, *[(date(2020 + i // 12, i % 12 + 1, 1), i) for i in range(24)])
    for reading in db.session.scalars(sa.select(MeasureReading)).all():
        db.session.add(
            ReadingCorrection(
                reading_id=reading.id,
                previous_value=1,
                reason="x",
                corrected_by_id=factories.UserFactory().id,
            )
        )
    db.session.commit()
    assert queries() == few


def test_a_reading_too_large_to_draw_is_refused(client_as):
    from tests import factories as f

    owner = f.UserFactory(role=Role.OFFICER)
    measure = f.MeasureFactory(owner=owner)
    page = (
        client_as(owner)
        .post(
            f"/measures/{measure.id}/readings/new",
            data={"period_end": ["30", "6", "2026"], "value": "1e308", "note": ""},
        )
        .get_data(as_text=True)
    )
    assert "Enter a number below one billion." in page
