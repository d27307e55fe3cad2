"""Importing a plan through the pages: upload, choose how to read each column and see every row's outcome,
import; all or nothing, with the council's own layout, words and opening state."""

import io
import re
from datetime import date

import lxml.html
import sqlalchemy as sa

from tests import factories
from tests.council_plans import COMMUNICATION, HEADINGS, ROWS, council_world, priority_action_plan
from tests.fuzz.html_forms import read_forms
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.extensions import db
from tracker.mapping import SavedMapping
from tracker.models import Role
from tracker.plan.models import Action, ActionStatus, Finding, Partner, ProgressUpdate
from tracker.plan.rag import Rag
from tracker.plan.services import last_update_on, load_action, rag_of, stale_of

HEADER = "reference,title,intended_outcome,findings,owner_email,partner,due_date,status,percent_complete\n"


def upload(client, content: bytes | str, name: str = "plan.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/actions/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def choices(page: str) -> dict[str, str]:
    """What the mapping page would send as it stands, by field name."""
    [form] = [
        form for form in read_forms(page, "/actions/import") if form.action == "/actions/import/confirm"
    ]
    return dict(form.defaults())


def send(client, page: str, button: str = "submit", **changes):
    """Press a button on the mapping page, with some choices changed."""
    return client.post(
        "/actions/import/confirm", data={**choices(page), **changes, button: "pressed"}, follow_redirects=True
    )


def label_of(page: str, text: str) -> str:
    """The name of the select labelled `text`."""
    [label] = [
        label for label in lxml.html.fromstring(page).xpath("//label") if label.text_content().strip() == text
    ]
    return label.get("for")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def action(reference: str) -> Action:
    return load_action(db.session.scalar(sa.select(Action.id).where(Action.reference == reference)))


def test_a_clean_file_is_previewed_then_imported_and_a_second_import_changes_nothing(leader_client):
    factories.FindingFactory(reference="AFI1")
    factories.UserFactory(email="priya@council.example", role=Role.OFFICER)
    text = HEADER + (
        "A1,Publish leaflets,Parents know where to go,AFI1,Priya@Council.example,council,2027-03-31,in "
        "progress,20\n"
    )
    preview = upload(leader_client, text).get_data(as_text=True)
    assert "Check how plan.csv will be imported" in preview and "Create" in preview
    assert count(Action) == 0  # the preview writes nothing
    done = send(leader_client, preview).get_data(as_text=True)
    assert "Imported plan.csv: 1 created, 0 updated, 0 unchanged." in done and "Publish leaflets" in done
    again = upload(leader_client, text).get_data(as_text=True)
    assert "Unchanged" in again
    assert "Imported plan.csv: 0 created, 0 updated, 1 unchanged." in send(leader_client, again).get_data(
        as_text=True
    )
    assert count(Action) == 1


def test_a_councils_own_plan_imports_with_the_suggested_mapping_unchanged(leader_client):
    world = council_world()
    page = upload(leader_client, priority_action_plan(), "PAP tracker.xlsx").get_data(as_text=True)

    assert "Row 3 (rows above it are titles)" in page
    assert "Left out" in page and "Priority 2: waiting times" in page  # the section heading merged across
    assert "Warning:" in page and "“TBC” is not a date yet" in page
    sent = choices(page)
    assert [sent[f"column_{index}"] for index in range(len(HEADINGS))] == [
        "reference",
        "findings",
        "description",
        "owner",
        "partner",
        "due_date",
        "rag",
        "percent_complete",
        "progress",
        "evidence",
    ]
    done = send(leader_client, page).get_data(as_text=True)
    assert "Imported PAP tracker.xlsx: 5 created, 0 updated, 0 unchanged." in done

    first, newsletter, training, triage, therapists = (
        action(ref) for ref in ("1.1", "1.2", "1.3", "2.1", "2.2")
    )
    assert (first.title, first.description) == (
        "Rewrite the local offer pages with the parent carer forum",
        ROWS[0][2],
    )
    assert [a.owner for a in (first, newsletter, training, triage, therapists)] == [
        world["priya"],
        world["priya"],
        world["ann"],
        world["jo"],
        world["sam"],
    ]
    assert triage.contributors == [world["priya"]]
    assert [a.partner for a in (first, newsletter, training, triage, therapists)] == [
        Partner.COUNCIL,
        Partner.BOTH,
        Partner.OTHER,
        Partner.ICB,
        Partner.ICB,
    ]
    assert [a.due_date for a in (first, newsletter, training, triage, therapists)] == [
        date(2027, 3, 31),
        date(2027, 3, 31),
        date(2027, 6, 30),
        date(2027, 3, 31),
        date(2027, 6, 30),
    ]
    assert [{f.reference for f in a.findings} for a in (first, newsletter, training, triage, therapists)] == [
        {"AFI1"},
        {"AFI1"},
        {"AFI1"},
        {"AFI2"},
        {"AFI2"},
    ]
    assert [(a.status, a.percent_complete) for a in (first, newsletter, training, triage, therapists)] == [
        (ActionStatus.IN_PROGRESS, 40),
        (ActionStatus.IN_PROGRESS, 10),
        (ActionStatus.NOT_STARTED, 0),
        (ActionStatus.COMPLETE, 100),
        (ActionStatus.IN_PROGRESS, 25),
    ]
    # the council's RAG is the opening state, kept as an override with the reason "imported"; blue is complete
    assert [
        (a.rag_override, a.rag_override_reason) for a in (first, newsletter, training, triage, therapists)
    ] == [
        ("green", "imported"),
        ("amber", "imported"),
        ("red", "imported"),
        (None, None),
        ("amber", "imported"),
    ]
    assert [
        rag_of(a, last_update_on(a)).colour for a in (first, newsletter, training, triage, therapists)
    ] == [Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREEN, Rag.AMBER]
    # the first progress update is dated on the day of the import, so no action is stale on import day
    for imported in (first, newsletter, training, triage, therapists):
        [update] = imported.updates
        assert update.written_on == today() and not stale_of(imported, update.written_on)
    assert first.updates[0].body == (
        "Draft pages reviewed with the forum in November.\n\n"
        "Evidence named in the plan: Forum minutes, 12 November"
    )
    assert newsletter.updates[0].body == "Imported from PAP tracker.xlsx."
    assert (
        training.updates[0].body == "Waiting for the training budget.\n\nThe plan gave no target date (TBC)."
    )
    assert (first.intended_outcome, count(Finding)) == ("Not stated in the imported plan.", 2)
    verbs = set(db.session.scalars(sa.select(AuditEvent.verb)))
    assert {
        "action.created",
        "progress_update.created",
        "action.rag_overridden",
        "saved_mapping.saved",
    } <= verbs

    again = upload(leader_client, priority_action_plan(), "PAP tracker.xlsx").get_data(as_text=True)
    assert "Imported PAP tracker.xlsx: 0 created, 0 updated, 5 unchanged." in send(
        leader_client, again
    ).get_data(as_text=True)
    assert count(ProgressUpdate) == 5


def test_the_columns_chosen_are_remembered_for_the_same_headings(leader_client):
    council_world()
    page = upload(leader_client, priority_action_plan(), "plan.xlsx").get_data(as_text=True)
    evidence = f"column_{HEADINGS.index('Evidence')}"
    checked = send(leader_client, page, "check", **{evidence: "ignore"}).get_data(as_text=True)
    assert count(Action) == 0  # checking again writes nothing
    assert "Imported" in send(leader_client, checked).get_data(as_text=True)
    assert "Evidence named" not in action("1.1").updates[0].body
    assert count(SavedMapping) == 1

    later = upload(leader_client, priority_action_plan(), "plan-v2.xlsx").get_data(as_text=True)
    assert choices(later)[evidence] == "ignore"


def test_changed_choices_are_shown_before_anything_is_imported(leader_client):
    council_world()
    page = upload(leader_client, priority_action_plan(), "plan.xlsx").get_data(as_text=True)
    evidence = f"column_{HEADINGS.index('Evidence')}"
    shown = send(leader_client, page, **{evidence: "ignore"}).get_data(as_text=True)
    assert "Your choices changed what the rows hold" in shown and count(Action) == 0
    assert "Imported plan.xlsx: 5 created" in send(leader_client, shown).get_data(as_text=True)


def test_a_partner_the_vocabulary_does_not_know_is_asked_about_and_remembered(leader_client):
    council_world()
    rows = [
        [
            "1.1",
            COMMUNICATION,
            "Hold a forum for schools.",
            "Priya Shah",
            "Schools Forum",
            "Mar-27",
            "G",
            0.2,
            None,
            None,
        ]
    ]
    page = upload(leader_client, priority_action_plan(rows), "plan.xlsx").get_data(as_text=True)
    field = label_of(page, "“Schools Forum”")
    assert choices(page)[field] == ""
    refused = send(leader_client, page).get_data(as_text=True)
    assert "Choose which partner “Schools Forum” means." in refused and count(Action) == 0
    changed = send(leader_client, refused, **{field: "other"}).get_data(as_text=True)
    assert "Your choices changed what the rows hold" in changed and count(Action) == 0
    assert "Imported" in send(leader_client, changed).get_data(as_text=True)
    assert action("1.1").partner is Partner.OTHER

    later = upload(
        leader_client, priority_action_plan([[*rows[0][:4], "schools forum", *rows[0][5:]]]), "b.xlsx"
    )
    assert choices(later.get_data(as_text=True))[field] == "other"


def test_an_unknown_name_or_an_ambiguous_one_left_unresolved_writes_nothing_and_keeps_the_choices(
    leader_client,
):
    world = council_world()
    other_sam = factories.UserFactory(name="Sam Patel", email="sam.patel@council.example")
    rows = [
        ["1.1", COMMUNICATION, "Rewrite the pages.", "Sam Patel", "LA", "Mar-27", "G", 0.2, None, None],
        ["1.2", COMMUNICATION, "Publish a newsletter.", "Nobody Known", "LA", "Mar-27", "G", 0.2, None, None],
    ]
    page = upload(leader_client, priority_action_plan(rows), "plan.xlsx").get_data(as_text=True)
    assert "People with the same name" in page and "Who is “Sam Patel”?" in page
    partner = f"column_{HEADINGS.index('Partner')}"
    refused = send(leader_client, page, **{partner: "partner"}).get_data(as_text=True)
    assert "Error: Check how plan.xlsx will be imported" in refused
    assert "Choose who “Sam Patel” is." in refused
    assert (
        "Owner “Nobody Known” is not an active user: check the name, or add them as a user first." in refused
    )
    assert (count(Action), count(SavedMapping)) == (0, 0)

    person = label_of(refused, "Who is “Sam Patel”?")
    fixed = [rows[0], [*rows[1][:3], "Priya Shah", *rows[1][4:]]]
    page = upload(leader_client, priority_action_plan(fixed), "plan.xlsx").get_data(as_text=True)
    page = send(leader_client, page, "check", **{person: str(other_sam.id)}).get_data(as_text=True)
    assert "Imported plan.xlsx: 2 created" in send(leader_client, page).get_data(as_text=True)
    assert action("1.1").owner == other_sam != world["sam"]


def test_findings_the_tracker_lacks_are_created_only_when_asked(leader_client):
    world = council_world()
    rows = [
        [
            "1.1",
            "AFI7: Too few young people help shape the services they use.",
            "Set up a youth panel.",
            "Priya Shah",
            "LA",
            "Mar-27",
            "G",
            0.2,
            None,
            None,
        ],
        [
            "1.2",
            "AFI7: Too few young people help shape the services they use.",
            "Pay young advisers.",
            "Priya Shah",
            "LA",
            "Mar-27",
            "G",
            0.2,
            None,
            None,
        ],
    ]
    page = upload(leader_client, priority_action_plan(rows), "plan.xlsx").get_data(as_text=True)
    assert "New findings" in page and "Create these new findings" in page
    refused = send(leader_client, page).get_data(as_text=True)
    assert "No finding matches" in refused and count(Action) == 0 and count(Finding) == 2
    checked = send(
        leader_client,
        refused,
        "check",
        create_findings="y",
        inspection_id=str(world["inspection"].id),
        theme_id=str(world["theme"].id),
    ).get_data(as_text=True)
    assert "Imported plan.xlsx: 2 created" in send(leader_client, checked).get_data(as_text=True)
    created = db.session.scalar(sa.select(Finding).where(Finding.reference == "AFI7"))
    assert (created.inspection, created.wording, created.title) == (
        world["inspection"],
        "Too few young people help shape the services they use.",
        "Too few young people help shape the services they use",
    )
    assert {a.reference for a in created.actions} == {"1.1", "1.2"}


def test_a_numbered_heading_too_long_for_a_reference_becomes_the_new_findings_wording(leader_client):
    world = council_world()
    long_number = ".".join(
        str(n) for n in range(1, 18)
    )  # 1.2.3...17: 41 characters, longer than a reference holds
    rows = [
        [
            "1.1",
            f"{long_number}: Waiting times are too long.",
            "Open a clinic.",
            "Priya Shah",
            "LA",
            "Mar-27",
            "G",
            0.2,
            None,
            None,
        ]
    ]
    page = upload(leader_client, priority_action_plan(rows), "plan.xlsx").get_data(as_text=True)
    checked = send(
        leader_client,
        page,
        "check",
        create_findings="y",
        inspection_id=str(world["inspection"].id),
        theme_id=str(world["theme"].id),
    ).get_data(as_text=True)
    assert "Imported plan.xlsx: 1 created" in send(leader_client, checked).get_data(as_text=True)
    created = action("1.1").findings[0]
    assert len(created.reference) <= 40 and created.wording.startswith(long_number)


def test_bad_rows_are_listed_with_their_row_and_nothing_is_written(leader_client):
    factories.FindingFactory(reference="AFI1")
    text = HEADER + (
        "A1,Good row,Outcome,AFI1,nobody@council.example,council,2027-03-31,in progress,20\n"
        "A2,Bad date,Outcome,AFI9,nobody@council.example,council,31/02/2027,in progress,20\n"
    )
    page = upload(leader_client, text).get_data(as_text=True)
    assert "Nothing can be imported yet: there is a problem" in page
    assert "Row 2: Owner “nobody@council.example” is not an active user" in page
    assert "Row 3: " in page and "Unknown finding reference AFI9." in page
    done = send(leader_client, page).get_data(as_text=True)
    assert "Nothing can be imported yet" in done
    assert count(Action) == 0 and count(SavedMapping) == 0


def test_an_unusable_file_is_refused_on_the_upload_page(leader_client):
    page = upload(leader_client, "MZ\x90\x00binary", "plan.exe").get_data(as_text=True)
    assert "There is a problem" in page and "Choose a .csv, .xlsx or .ods file" in page
    page = upload(leader_client, "", "plan.csv").get_data(as_text=True)
    assert "There is a problem" in page
    page = leader_client.post("/actions/import", data={}).get_data(as_text=True)
    assert "Choose a .csv, .xlsx or .ods file to import." in page


def test_an_expired_or_forged_confirmation_writes_nothing(leader_client):
    response = leader_client.post(
        "/actions/import/confirm", data={"token": "../../etc/passwd", "name": "x.csv"}, follow_redirects=True
    )
    assert "That import has expired. Upload the file again." in response.get_data(as_text=True)


def test_templates_download_in_both_formats(leader_client):
    csv_file = leader_client.get("/actions/import/template.csv")
    assert csv_file.headers["Content-Disposition"].startswith("attachment") and b"reference" in csv_file.data
    xlsx_file = leader_client.get("/actions/import/template.xlsx")
    assert xlsx_file.data[:2] == b"PK"
    assert leader_client.get("/actions/import/template.exe").status_code == 302


def test_an_upload_over_the_size_limit_gets_a_clear_page(app, leader_client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = upload(leader_client, HEADER + "x" * 4096)
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def _plan_of(numbers: range, world: dict) -> bytes:
    """An action for each number, naming its own finding (by wording) and owner (by name), half already in the
    tracker."""
    rows = [
        [
            f"{n}.1",
            f"Finding number {n} about something the inspectors saw",
            f"Do thing {n}.",
            f"Officer {n}",
            "LA" if n % 2 else "Joint",
            "Mar-27",
            "GAR"[n % 3],
            (n % 100) / 100,
            f"Progress on {n}",
            None,
        ]
        for n in numbers
    ]
    for n in numbers[::2]:
        factories.ActionFactory(reference=f"{n}.1", owner=world["people"][n], findings=[world["findings"][n]])
    return priority_action_plan(rows)


def test_the_mapping_page_and_the_import_ask_the_same_number_of_questions_whatever_the_plans_size(
    app, leader_client
):
    from bench.queries import count_queries

    inspection = factories.InspectionFactory()
    world = {
        "people": [factories.UserFactory(name=f"Officer {n}") for n in range(40)],
        "findings": [
            factories.FindingFactory(
                inspection=inspection, wording=f"Finding number {n} about something the inspectors saw"
            )
            for n in range(40)
        ],
    }
    counts = []
    for numbers in (range(0, 6), range(10, 40)):
        content, size = _plan_of(numbers, world), len(numbers)
        db.session.remove()
        with count_queries(db.engine) as preview:
            page = upload(leader_client, content, f"plan-{size}.xlsx").get_data(as_text=True)
        assert "Nothing can be imported yet" not in page, re.findall(r"Row \d+: [^<]*", page)[:5]
        with count_queries(db.engine) as imported:
            done = send(leader_client, page).get_data(as_text=True)
        assert f"Imported plan-{size}.xlsx: {size // 2} created, {size // 2} updated" in done
        counts.append((preview.count, imported.count))
    (small_preview, small_import), (large_preview, large_import) = counts
    assert small_preview == large_preview, counts  # the mapping page: the same questions for 6 rows or 30
    # the import writes each row through the services (the action, its links, update, override and their audit
    # events, with the services' own checks): a bounded number of statements a row,
    # never a query per other row
    assert (large_import - small_import) / (30 - 6) <= 10, counts
