"""Importing a plan through the pages: upload, preview every row, confirm; all or nothing."""

import io

import sqlalchemy as sa

from tests import factories
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import Action

HEADER = "reference,title,intended_outcome,findings,owner_email,partner,due_date,status,percent_complete\n"


def upload(client, text: str, name: str = "plan.csv"):
    return client.post("/actions/import", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def confirm(client, page: str):
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    name = page.split('name="name" type="hidden" value="')[1].split('"')[0]
    return client.post("/actions/import/confirm", data={"token": token, "name": name}, follow_redirects=True)


def test_a_clean_file_is_previewed_then_imported_and_a_second_import_changes_nothing(leader_client):
    factories.FindingFactory(reference="AFI1")
    factories.UserFactory(email="priya@council.example", role=Role.OFFICER)
    text = HEADER + "A1,Publish leaflets,Parents know where to go,AFI1,Priya@Council.example,council,2027-03-31,in progress,20\n"
    preview = upload(leader_client, text).get_data(as_text=True)
    assert "Check the import of plan.csv" in preview and "Create" in preview
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0  # the preview writes nothing
    done = confirm(leader_client, preview).get_data(as_text=True)
    assert "Imported plan.csv: 1 created, 0 updated, 0 unchanged." in done and "Publish leaflets" in done
    again = upload(leader_client, text).get_data(as_text=True)
    assert "Unchanged" in again
    assert "Imported plan.csv: 0 created, 0 updated, 1 unchanged." in confirm(leader_client, again).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 1


def test_bad_rows_are_listed_with_their_row_and_nothing_is_written(leader_client):
    factories.FindingFactory(reference="AFI1")
    text = HEADER + ("A1,Good row,Outcome,AFI1,nobody@council.example,council,2027-03-31,in progress,20\n"
                     "A2,Bad date,Outcome,AFI9,nobody@council.example,council,31/02/2027,in progress,20\n")
    page = upload(leader_client, text).get_data(as_text=True)
    assert "Nothing was imported: fix these rows and upload the file again" in page
    assert "Row 2: Owner email nobody@council.example is not an active user." in page
    assert "Row 3: " in page and "Unknown finding reference AFI9." in page
    assert "Import these actions" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


def test_an_unusable_file_is_refused_on_the_upload_page(leader_client):
    page = upload(leader_client, "MZ\x90\x00binary", "plan.exe").get_data(as_text=True)
    assert "There is a problem" in page and "Choose a .csv, .xlsx or .ods file" in page
    page = upload(leader_client, "", "plan.csv").get_data(as_text=True)
    assert "There is a problem" in page
    page = leader_client.post("/actions/import", data={}).get_data(as_text=True)
    assert "Choose a .csv, .xlsx or .ods file to import." in page


def test_an_expired_or_forged_confirmation_writes_nothing(leader_client):
    response = leader_client.post("/actions/import/confirm", data={"token": "../../etc/passwd", "name": "x.csv"}, follow_redirects=True)
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
