"""The exports page, the downloads it leads to, and lists as CSV, through the test client."""

import csv
import hashlib
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
import sqlalchemy as sa

from config import TestConfig
from tests import factories
from tracker import create_app
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.exports import pdf
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus
from tracker.storage import DOCX
from tracker.text import FORMULA_STARTS

TODAY = today()


def _events(verb: str) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)
    ).all()


@pytest.fixture
def finding():
    finding = factories.FindingFactory(reference="AFI1", title="Waiting times")
    factories.ActionFactory(reference="A1", title="Cut the waiting list", findings=[finding])
    factories.EvidenceFactory(
        title="Waiting list summary", findings=[finding], status=EvidenceStatus.ACCEPTED
    )
    factories.document_evidence(
        title="Case audit of child K",
        filename="case-audit.pdf",
        findings=[finding],
        sensitivity=Sensitivity.RESTRICTED,
    )
    factories.document_evidence(
        content=factories.PDF_BYTES + b"% report\n", title="Waiting list report", findings=[finding]
    )
    return finding


# The page ------------------------------------------------------------------------------------


def test_the_page_offers_formats_a_date_defaulting_to_today_and_list_csvs(viewer_client):
    page = viewer_client.get("/exports").get_data(as_text=True)
    assert "Progress summary as a PDF" in page and "Evidence pack" in page
    assert f'value="{TODAY:%d}"' in page and f'value="{TODAY.year}"' in page
    assert (
        'action="/exports/actions.csv"' in page and 'action="/exports/evidence.csv"' in page
    )  # buttons: POST forms
    assert "Include restricted evidence" not in page and "Only leaders can include it" in page


def test_only_leaders_are_offered_restricted_evidence(leader_client):
    assert "Include restricted evidence" in leader_client.get("/exports").get_data(as_text=True)


def _form(what="pdf", on=TODAY, **more):
    return {"what": what, "as_at": [str(on.day), str(on.month), str(on.year)], **more}


def test_choosing_an_export_on_the_page_downloads_it(leader_client, finding):
    response = leader_client.post(
        "/exports",
        data=_form(
            "docx", TODAY - timedelta(days=2), inspection=str(finding.inspection_id), include_restricted="y"
        ),
    )
    as_at = (TODAY - timedelta(days=2)).isoformat()
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"] == f"attachment; filename=readiness-summary-{as_at}.docx"
    [event] = _events("export.summary")
    assert event.after["inspection_id"] == finding.inspection_id and event.after["include_restricted"] is True
    pack = leader_client.post("/exports", data=_form("zip"))
    assert (
        pack.mimetype == "application/zip"
        and f"evidence-pack-{TODAY.isoformat()}.zip" in pack.headers["Content-Disposition"]
    )


@pytest.mark.parametrize(
    "day, message",
    [
        (
            [str(TODAY.day), str(TODAY.month), str(TODAY.year + 1)],
            "The as-at date must be today or in the past.",
        ),
        (["31", "2", "2026"], "The as-at date must be a real date, like 31 3 2026."),
        (["", "", ""], "Enter the date the export should show the plan as at."),
    ],
)
def test_a_bad_or_future_date_is_refused_and_what_was_typed_is_kept(viewer_client, day, message):
    response = viewer_client.post("/exports", data={"what": "pdf", "as_at": day})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and "There is a problem" in page
    assert all(f'value="{part}"' in page for part in day if part)


def test_a_non_leader_asking_for_restricted_evidence_is_refused(officer_client):
    page = officer_client.post("/exports", data=_form(include_restricted="y")).get_data(as_text=True)
    assert "Only leaders can include restricted evidence in an export." in page


def _checked(page: str, name: str) -> str:
    """The value of the radio button the page shows as chosen."""
    [value] = re.findall(
        rf'<input class="govuk-radios__input" id="[^"]*" name="{name}" type="radio" value="([^"]*)" checked',
        page,
    )
    return value


def test_the_page_offers_how_much_detail_a_date_to_compare_with_and_which_evidence_for_the_pack(
    viewer_client,
):
    page = viewer_client.get("/exports").get_data(as_text=True)
    assert "How much detail" in page and "Summary: the story first, green actions one line each" in page
    assert (
        "Everything: every action, measure and evidence item in full" in page
        and _checked(page, "detail") == "summary"
    )
    assert (
        "Compare with (optional)" in page
        and "Show what changed since this date. Leave blank to compare with the last readiness snapshot."
        in page
        and 'id="compare_with-day"' in page
    )
    assert "Which evidence goes in the evidence pack" in page and _checked(page, "evidence") == "accepted"
    assert "Accepted evidence only (for inspectors)" in page and "All evidence, whatever its status" in page


def test_detail_compare_date_and_all_evidence_chosen_on_the_page_go_into_the_export(leader_client, finding):
    week_ago, month_ago = TODAY - timedelta(days=7), TODAY - timedelta(days=30)
    form = _form(
        "zip",
        week_ago,
        detail="everything",
        evidence="all",
        compare_with=[str(month_ago.day), str(month_ago.month), str(month_ago.year)],
    )
    leader_client.post("/exports", data=form).get_data()
    leader_client.post("/exports", data=_form("zip", detail="summary", evidence="accepted")).get_data()
    chosen = [
        (e.after["as_at"], e.after["detail"], e.after["compare_with"], e.after["accepted_only"])
        for e in _events("export.pack")
    ]
    assert chosen == [
        (week_ago.isoformat(), "everything", month_ago.isoformat(), False),
        (TODAY.isoformat(), "summary", None, True),
    ]
    leader_client.post("/exports", data=_form("xlsx", evidence="all"))
    assert (
        _events("export.summary")[0].after["accepted_only"] is False
    )  # which evidence is the pack's choice alone


YESTERDAY = TODAY - timedelta(days=1)


@pytest.mark.parametrize(
    "compare, message",
    [
        (
            [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "The date to compare with must be before the as-at date.",
        ),
        (
            [str(TODAY.day), str(TODAY.month), str(TODAY.year + 1)],
            "The date to compare with must be today or in the past.",
        ),
        (["30", "2", "2026"], "The date to compare with must be a real date, like 31 1 2026."),
        (["", "2", "2026"], "The date to compare with must be a real date, like 31 1 2026."),
    ],
)
def test_a_bad_date_to_compare_with_is_refused_with_the_error_summary_and_what_was_typed_is_kept(
    viewer_client, compare, message
):
    response = viewer_client.post(
        "/exports", data=_form("zip", YESTERDAY, detail="everything", evidence="all", compare_with=compare)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert (
        '<a href="#compare_with' in page and page.count(message) == 2
    )  # in the summary and beside the field
    assert all(f'value="{part}"' in page for part in compare if part)
    assert re.search(rf'id="as_at-year" name="as_at" type="text" value="{YESTERDAY.year}"', page)
    assert (
        _checked(page, "what") == "zip"
        and _checked(page, "detail") == "everything"
        and _checked(page, "evidence") == "all"
    )
    assert _events("export.pack") == []


# Downloads -----------------------------------------------------------------------------------


def test_each_summary_format_downloads_and_opens(viewer_client, finding):
    pdf = viewer_client.post(f"/exports/summary.pdf?as_at={TODAY.isoformat()}")
    assert pdf.mimetype == "application/pdf" and "attachment" in pdf.headers["Content-Disposition"]
    assert "AFI1: Waiting times" in " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages
    )
    word = docx.Document(io.BytesIO(viewer_client.post("/exports/summary.docx").data))
    assert any(p.text == "AFI1: Waiting times" and p.style.name == "Heading 2" for p in word.paragraphs)
    workbook = openpyxl.load_workbook(io.BytesIO(viewer_client.post("/exports/summary.xlsx").data))
    assert workbook["Findings"]["A4"].value == "AFI1"
    assert [e.after["format"] for e in _events("export.summary")] == ["pdf", "docx", "xlsx"]
    assert _events("export.summary")[0].after["sha256"] == hashlib.sha256(pdf.data).hexdigest()


@pytest.mark.parametrize(
    "query, message",
    [
        ("as_at=2026-02-30", "The as-at date must be a real date"),
        ("as_at=tomorrow", "The as-at date must be a real date"),
        (f"as_at={(TODAY + timedelta(days=1)).isoformat()}", "The as-at date must be today or in the past."),
        ("inspection=abc", "The inspection must be given by its number."),
        ("inspection=99999999999999", "The inspection must be given by its number."),
        ("inspection=424242", "There is no inspection with that number."),
        ("restricted=yes", "restricted=1"),
        ("detail=full", "How much detail must be given as detail=summary or detail=everything."),
        ("compare=2026-02-30", "The date to compare with must be a real date written as year-month-day"),
        ("compare=last-week", "The date to compare with must be a real date written as year-month-day"),
        ("compare=2026-W10-1", "The date to compare with must be a real date written as year-month-day"),
        (
            f"compare={(TODAY + timedelta(days=1)).isoformat()}",
            "The date to compare with must be today or in the past.",
        ),
        (
            f"as_at={(TODAY - timedelta(days=3)).isoformat()}"
            f"&compare={(TODAY - timedelta(days=3)).isoformat()}",
            "The date to compare with must be before the as-at date.",
        ),
    ],
)
@pytest.mark.parametrize("url", ["/exports/summary.pdf", "/exports/pack.zip"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unreadable_addresses_get_a_clear_400_page(viewer_client, method, url, query, message):
    response = viewer_client.open(f"{url}?{query}", method=method)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _events("export.summary") == _events("export.pack") == []


@pytest.mark.parametrize(
    "url",
    [
        "/exports/summary.pdf?restricted=1",
        "/exports/pack.zip?restricted=1",
        "/exports/evidence.csv?restricted=1",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_non_leader_asking_for_restricted_evidence_in_the_address_is_refused(officer_client, method, url):
    assert officer_client.open(url, method=method).status_code == 403


def test_an_unknown_format_or_list_is_not_found(viewer_client):
    assert viewer_client.post("/exports/summary.odt").status_code == 404
    assert viewer_client.post("/exports/users.csv").status_code == 404


# The evidence pack ---------------------------------------------------------------------------


def test_the_pack_leaves_restricted_evidence_out_by_default(leader_client, finding):
    response = leader_client.post(
        "/exports/pack.zip?evidence=all"
    )  # the fixture's documents are not accepted yet
    assert response.mimetype == "application/zip" and response.is_streamed
    body = response.get_data()
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "findings/AFI1/3-report.pdf" in names and not [n for n in names if "case-audit" in n]
    [event] = _events("export.pack")
    assert (
        event.after["include_restricted"] is False
        and event.after["sha256"] == hashlib.sha256(body).hexdigest()
    )


def test_a_leader_can_include_restricted_evidence_and_it_is_recorded(leader_client, finding):
    body = leader_client.post("/exports/pack.zip?restricted=1&evidence=all").get_data()
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert "findings/AFI1/2-case-audit.pdf" in archive.namelist()
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    for row in manifest:
        assert hashlib.sha256(archive.read(row["path"])).hexdigest() == row["sha256"]
    [event] = _events("export.pack")
    assert event.actor_id == leader_client.user.id and event.after["include_restricted"] is True
    assert (
        event.after["sha256"] == hashlib.sha256(body).hexdigest()
        and event.after["as_at"] == TODAY.isoformat()
    )


def test_an_unreadable_choice_of_evidence_for_the_pack_gets_a_clear_400_page(viewer_client):
    response = viewer_client.post("/exports/pack.zip?evidence=everything")
    assert response.status_code == 400
    assert "the address must say evidence=all; leave it out for accepted evidence only." in response.get_data(
        as_text=True
    )
    assert _events("export.pack") == []


@pytest.fixture
def reviewed(finding):
    """Beside the fixture's submitted documents, one accepted and one returned with comment."""
    factories.document_evidence(
        content=factories.PDF_BYTES + b"% accepted\n",
        title="Accepted audit",
        filename="audit.pdf",
        findings=[finding],
        status=EvidenceStatus.ACCEPTED,
        description="Audit of <b>40</b> plans",
    )
    factories.document_evidence(
        content=b"returned,minutes\n",
        title="Returned minutes",
        filename="minutes.csv",
        findings=[finding],
        status=EvidenceStatus.RETURNED,
    )
    return finding


def _pack_from(response) -> tuple[list[str], str, dict[str, dict]]:
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    manifest = {
        row["path"]: row for row in csv.DictReader(io.StringIO(archive.read("manifest.csv").decode()))
    }
    return (
        [n for n in archive.namelist() if n.startswith("findings/")],
        archive.read("index.html").decode(),
        manifest,
    )


def test_the_pack_holds_accepted_evidence_only_unless_the_address_asks_for_all(leader_client, reviewed):
    files, index, manifest = _pack_from(leader_client.post("/exports/pack.zip"))
    assert files == ["findings/AFI1/4-audit.pdf"] and set(manifest) == {"index.html", "summary.pdf", *files}
    assert "Accepted evidence only" in index and "are left out of this pack" in index
    assert "Audit of &lt;b&gt;40&lt;/b&gt; plans" in index and "Returned minutes" not in index
    assert "Waiting list report" not in index

    files, index, manifest = _pack_from(leader_client.post("/exports/pack.zip?evidence=all"))
    assert set(files) == {
        "findings/AFI1/3-report.pdf",
        "findings/AFI1/4-audit.pdf",
        "findings/AFI1/5-minutes.csv",
    }
    assert "All evidence, whatever its status" in index and "Returned minutes" in index
    assert [e.after["accepted_only"] for e in _events("export.pack")] == [True, False]


def test_the_summary_inside_a_pack_for_inspectors_holds_only_what_the_pack_holds(leader_client, reviewed):
    def summary_text(response) -> str:
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            content = archive.read("summary.pdf")
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)

    for_inspectors = summary_text(leader_client.post("/exports/pack.zip?detail=everything"))
    assert "Audit of <b>40</b> plans" in for_inspectors and "Returned minutes" not in for_inspectors
    assert "Returned minutes" in summary_text(
        leader_client.post("/exports/pack.zip?detail=everything&evidence=all")
    )


def test_each_export_records_its_detail_comparison_date_and_choice_of_evidence(viewer_client, finding):
    month_ago = TODAY - timedelta(days=30)
    assert (
        viewer_client.post(
            f"/exports/summary.xlsx?detail=everything&compare={month_ago.isoformat()}"
        ).status_code
        == 200
    )
    viewer_client.post("/exports/pack.zip").get_data()
    summary, pack = _events("export.summary") + _events("export.pack")
    assert (summary.after["detail"], summary.after["compare_with"], summary.after["accepted_only"]) == (
        "everything",
        month_ago.isoformat(),
        False,
    )
    assert (pack.after["detail"], pack.after["compare_with"], pack.after["accepted_only"]) == (
        "summary",
        None,
        True,
    )


# Lists as CSV --------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_actions_csv_keeps_the_filters_of_the_actions_page(viewer_client, finding):
    factories.ActionFactory(
        reference="A2",
        title="=cmd|' /C calc'!A0",
        findings=[finding],
        status=ActionStatus.COMPLETE,
        percent_complete=100,
    )
    rows = _csv(viewer_client.post("/exports/actions.csv?status=complete"))
    assert [row["Reference"] for row in rows] == ["A2"]
    assert rows[0]["Action"] == "'=cmd|' /C calc'!A0" and rows[0]["Findings"] == "AFI1"
    assert [row["Reference"] for row in _csv(viewer_client.post("/exports/actions.csv"))] == ["A1", "A2"]
    page = viewer_client.get("/actions?status=complete").get_data(as_text=True)
    assert "A2" in page and ">A1<" not in page
    [event] = _events("export.list_csv")[:1]
    assert event.after["list"] == "actions" and event.after["filters"] == {"status": ["complete"]}


def test_a_downloaded_csv_runs_no_formula_whichever_separator_the_spreadsheet_splits_at(
    viewer_client, finding
):
    """Full-width = + - @, a tab or carriage return first, and = after a ; or , in the text: opened as written
    (,) or by a spreadsheet whose locale separates with ; (which splits a cell at each ;),
    no cell starts a formula."""
    titles = [
        '\uff1dHYPERLINK("http://x.example")',
        "\uff0b1+1",
        "\uff0d2+3",
        "\uff20SUM(1)",
        "\tTabbed=1",
        "\rReturned=1",
        'Late;=HYPERLINK("http://x.example")',
        "Chosen,=1+1",
        "Spaced; @SUM(1)",
    ]
    for number, title in enumerate(titles, start=2):
        factories.ActionFactory(reference=f"A{number}", title=title, findings=[finding])
    text = viewer_client.post("/exports/actions.csv").data.decode("utf-8-sig")
    for separator in (",", ";"):
        cells = [
            cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator) for cell in row
        ]
        assert not [cell for cell in cells if cell.lstrip(" ").startswith(FORMULA_STARTS)], separator
    shown = {row["Reference"]: row["Action"] for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert (
        shown["A2"] == '\'\uff1dHYPERLINK("http://x.example")'
        and shown["A8"] == 'Late;\'=HYPERLINK("http://x.example")'
    )
    assert shown["A9"] == "Chosen,'=1+1" and shown["A10"] == "Spaced;' @SUM(1)"


def test_the_evidence_csv_follows_the_evidence_pages_filters_and_leaves_restricted_out(
    leader_client, officer_client, finding
):
    assert {row["Title"] for row in _csv(leader_client.post("/exports/evidence.csv"))} == {
        "Waiting list summary",
        "Waiting list report",
    }
    assert {row["Title"] for row in _csv(leader_client.post("/exports/evidence.csv?restricted=1"))} == {
        "Waiting list summary",
        "Waiting list report",
        "Case audit of child K",
    }
    assert [row["Title"] for row in _csv(officer_client.post("/exports/evidence.csv?status=accepted"))] == [
        "Waiting list summary"
    ]
    assert [
        row["Title"]
        for row in _csv(officer_client.post("/exports/evidence.csv?kind=document&about_from=99&about_from=1"))
    ] == ["Waiting list report"]  # an unreadable date filter is ignored, as on the page
    assert [e.after["include_restricted"] for e in _events("export.list_csv")] == [False, True, False, False]


def test_the_findings_and_measures_csvs_list_what_their_pages_list(viewer_client, finding):
    factories.ReadingFactory(
        measure=factories.MeasureFactory(name="+Weeks waited", target_value=30), value=44
    )
    [row] = _csv(viewer_client.post("/exports/findings.csv"))
    assert (row["Reference"], row["Finding"], row["Actions"]) == ("AFI1", "Waiting times", "1")
    [row] = _csv(viewer_client.post("/exports/measures.csv"))
    assert row["Measure"] == "'+Weeks waited" and row["Latest value"] == "44"


# Made only by a POST with the form's token ---------------------------------------------------

EXPORT_ADDRESSES = [
    "/exports/summary.pdf?restricted=1",
    "/exports/summary.docx?restricted=1",
    "/exports/summary.xlsx?restricted=1",
    "/exports/pack.zip?restricted=1&evidence=all",
    "/exports/actions.csv",
    "/exports/evidence.csv?restricted=1",
    "/exports/findings.csv",
    "/exports/measures.csv",
]
EXPORT_VERBS = ("export.summary", "export.pack", "export.list_csv")
FROM_ANOTHER_SITE = {
    "Referer": "https://elsewhere.example/page",
    "Sec-Fetch-Site": "cross-site",
    "Sec-Fetch-Mode": "navigate",
}


def _exports_recorded() -> list[AuditEvent]:
    return [event for verb in EXPORT_VERBS for event in _events(verb)]


@pytest.mark.parametrize("url", EXPORT_ADDRESSES)
def test_a_link_from_another_site_shows_what_the_export_holds_and_downloads_and_records_nothing(
    leader_client, finding, url
):
    response = leader_client.get(url, headers=FROM_ANOTHER_SITE)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and response.mimetype == "text/html"
        and "Content-Disposition" not in response.headers
    )
    assert '<h1 class="govuk-heading-l">Download ' in page and "Nothing has been downloaded yet." in page
    assert (
        '<form method="post" novalidate>' in page
        and 'name="csrf_token"' in page
        and ">\n  Download\n</button>" in page
    )
    if "restricted=1" in url:
        assert "Included, and recorded in the audit log" in page
    assert (
        "Waiting list summary" not in page and "Case audit of child K" not in page
    )  # the choices, not the data
    assert _exports_recorded() == []


def test_the_page_a_link_opens_says_what_the_address_chose(leader_client, finding):
    page = leader_client.get(
        f"/exports/pack.zip?as_at={YESTERDAY.isoformat()}&inspection={finding.inspection_id}&detail=everything"
        "&evidence=all"
    ).get_data(as_text=True)
    assert "Download the evidence pack" in page and f"{YESTERDAY.day} {YESTERDAY:%B %Y}" in page
    assert (
        finding.inspection.title in page
        and "Everything" in page
        and "All evidence, whatever its status" in page
    )
    assert "Left out" in page and "The last readiness snapshot before the as-at date" in page
    page = leader_client.get("/exports/actions.csv?status=complete&owner=Priya").get_data(as_text=True)
    assert "Download the actions list as CSV" in page and "status complete; owner Priya" in page


@pytest.fixture
def csrf_on(app, monkeypatch):
    """Forms' tokens checked, as in production (the suite's TestConfig turns the check off)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("url", EXPORT_ADDRESSES)
def test_the_download_button_without_the_forms_token_is_refused_and_with_it_downloads(
    leader_client, finding, csrf_on, url
):
    refused = leader_client.post(url, headers=FROM_ANOTHER_SITE)
    assert (
        refused.status_code == 400
        and "The form had expired or was sent from another page." in refused.get_data(as_text=True)
    )
    assert leader_client.post(url, data={"csrf_token": "not-the-token"}).status_code == 400
    assert _exports_recorded() == []
    token = _token(leader_client.get(url).get_data(as_text=True))
    response = leader_client.post(url, data={"csrf_token": token})
    response.get_data()  # a streamed pack is recorded when its last byte is sent
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    assert len(_exports_recorded()) == 1


def test_the_export_pages_form_without_its_token_is_refused(leader_client, finding, csrf_on):
    assert leader_client.post("/exports", data=_form("pdf", include_restricted="y")).status_code == 400
    assert _exports_recorded() == []
    token = _token(leader_client.get("/exports").get_data(as_text=True))
    response = leader_client.post(
        "/exports", data={**_form("pdf", include_restricted="y"), "csrf_token": token}
    )
    assert (
        response.status_code == 200
        and response.mimetype == "application/pdf"
        and len(_exports_recorded()) == 1
    )


@pytest.mark.parametrize("url", EXPORT_ADDRESSES)
def test_every_export_is_sent_no_store(leader_client, finding, url):
    response = leader_client.post(url)
    response.get_data()
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_export_pages_downloads_and_every_other_download_are_sent_no_store(client_as, finding):
    leader = client_as(factories.UserFactory(role=Role.LEADER))
    evidence, stored = factories.document_evidence(title="Minutes", findings=[finding])
    survey_id = factories.YouSaidWeDidFactory().survey_id
    downloads = [leader.post("/exports", data=_form(what)) for what in ("pdf", "docx", "xlsx", "zip")] + [
        leader.get(f"/evidence/{evidence.id}/files/{stored.id}"),
        leader.get(f"/surveys/{survey_id}/you-said-we-did.docx"),
        leader.get("/actions/import/template.csv"),
        leader.get("/actions/import/template.xlsx"),
    ]
    for response in downloads:
        response.get_data()
        response.close()
        assert response.status_code == 200 and response.headers["Content-Disposition"].startswith(
            "attachment"
        )
        assert "no-store" in response.headers["Cache-Control"], response.headers["Content-Disposition"]


@pytest.fixture
def three_an_hour(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_VIEWER_EXPORT_LIMIT", "3 per hour")


def test_a_viewers_pdf_after_their_allowance_gets_a_429_saying_when_to_try_again(
    viewer_client, finding, three_an_hour
):
    for _ in range(3):
        assert viewer_client.post("/exports/summary.pdf").status_code == 200
    assert viewer_client.post("/exports", data=_form("pdf", TODAY + timedelta(days=1))).status_code == 429
    response = viewer_client.post("/exports/summary.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and response.headers["Retry-After"] in {"3599", "3600"}
    assert (
        "You have made as many exports as a viewer can in a short time. Wait 60 minutes, then try again."
        in page
    )
    assert (
        viewer_client.post("/exports/pack.zip").status_code == 429
    )  # one allowance for PDF, Word, Excel and the pack
    assert len(_events("export.summary")) == 3 and _events("export.pack") == []
    assert (
        viewer_client.get("/exports/summary.pdf").status_code == 200
    )  # the page a link opens is not counted
    assert viewer_client.post("/exports/actions.csv").status_code == 200  # nor a list's CSV


def test_only_files_made_count_against_a_viewers_allowance(viewer_client, finding, three_an_hour):
    for _ in range(5):  # a form sent back with its errors, and a refused address, make no file
        assert viewer_client.post("/exports", data=_form("pdf", TODAY + timedelta(days=1))).status_code == 200
        assert viewer_client.post("/exports/summary.docx?detail=full").status_code == 400
    assert viewer_client.post("/exports/summary.docx").status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER])
def test_officers_and_leaders_heavy_exports_are_not_limited(client_as, finding, three_an_hour, role):
    client = client_as(role)
    assert [client.post("/exports/summary.xlsx").status_code for _ in range(5)] == [200] * 5


def test_a_viewer_export_limit_that_cannot_be_read_stops_the_app_with_one_line(database_uri):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        TRACKER_VIEWER_EXPORT_LIMIT = "plenty"

    with pytest.raises(SystemExit) as stopped:
        create_app(Config)
    assert (
        str(stopped.value) == "TRACKER_VIEWER_EXPORT_LIMIT must read like '5 per 15 minutes', not 'plenty'."
    )


# The command line ----------------------------------------------------------------------------


def test_the_command_line_writes_each_summary_and_records_it_as_the_system(runner, finding, tmp_path):
    for fmt in ("pdf", "docx", "xlsx"):
        out = tmp_path / f"summary.{fmt}"
        result = runner.invoke(
            args=["export", "summary", "--format", fmt, "--out", str(out), "--as-at", TODAY.isoformat()]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    events = _events("export.summary")
    assert [(e.actor_label, e.after["format"], e.after["include_restricted"]) for e in events] == [
        ("system", "pdf", False),
        ("system", "docx", False),
        ("system", "xlsx", False),
    ]
    assert events[0].after["sha256"] == hashlib.sha256((tmp_path / "summary.pdf").read_bytes()).hexdigest()


def test_the_command_line_pack_includes_restricted_evidence_only_when_told(runner, finding, tmp_path):
    plain, full = tmp_path / "plain.zip", tmp_path / "full.zip"
    assert runner.invoke(args=["export", "pack", "--out", str(plain), "--all-evidence"]).exit_code == 0
    assert (
        runner.invoke(
            args=["export", "pack", "--out", str(full), "--include-restricted", "--all-evidence"]
        ).exit_code
        == 0
    )
    assert not [n for n in zipfile.ZipFile(plain).namelist() if "case-audit" in n]
    assert "findings/AFI1/2-case-audit.pdf" in zipfile.ZipFile(full).namelist()
    events = _events("export.pack")
    assert [e.after["include_restricted"] for e in events] == [False, True]
    assert events[1].after["sha256"] == hashlib.sha256(full.read_bytes()).hexdigest()


def test_the_command_line_takes_detail_a_date_to_compare_with_and_all_evidence(runner, reviewed, tmp_path):
    month_ago = TODAY - timedelta(days=30)
    result = runner.invoke(
        args=[
            "export",
            "summary",
            "--format",
            "xlsx",
            "--out",
            str(tmp_path / "s.xlsx"),
            "--detail",
            "everything",
            "--compare-with",
            month_ago.isoformat(),
        ]
    )
    assert result.exit_code == 0, result.output
    [summary] = _events("export.summary")
    assert (summary.after["detail"], summary.after["compare_with"]) == ("everything", month_ago.isoformat())

    inspectors, everything = tmp_path / "inspectors.zip", tmp_path / "everything.zip"
    assert runner.invoke(args=["export", "pack", "--out", str(inspectors)]).exit_code == 0
    assert runner.invoke(args=["export", "pack", "--out", str(everything), "--all-evidence"]).exit_code == 0
    assert [n for n in zipfile.ZipFile(inspectors).namelist() if n.startswith("findings/")] == [
        "findings/AFI1/4-audit.pdf"
    ]
    assert "findings/AFI1/5-minutes.csv" in zipfile.ZipFile(everything).namelist()
    assert [e.after["accepted_only"] for e in _events("export.pack")] == [True, False]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["summary", "--format", "docx", "--out", "{tmp}/s.docx", "--detail", "full"],
            "Error: --detail must be summary or everything, not 'full'.",
        ),
        (
            ["summary", "--format", "docx", "--out", "{tmp}/s.docx", "--compare-with", "2026-02-30"],
            "Error: The date to compare with must be a real date written as year-month-day",
        ),
        (
            [
                "summary",
                "--format",
                "docx",
                "--out",
                "{tmp}/s.docx",
                "--as-at",
                "2026-03-01",
                "--compare-with",
                "2026-03-01",
            ],
            "Error: The date to compare with must be before the as-at date.",
        ),
        (
            ["pack", "--out", "{tmp}/p.zip", "--compare-with", "2999-01-01"],
            "Error: The date to compare with must be today or in the past.",
        ),
        (
            ["pack", "--out", "{tmp}/p.zip", "--detail", ""],
            "Error: --detail must be summary or everything, not ''.",
        ),
        (
            ["summary", "--format", "pdf", "--out", "{tmp}/s.pdf", "--as-at", "2026-02-30"],
            "Error: The as-at date must be a real date written as year-month-day",
        ),
        (
            ["summary", "--format", "pdf", "--out", "{tmp}/s.pdf", "--as-at", "2999-01-01"],
            "Error: The as-at date must be today or in the past.",
        ),
        (
            ["summary", "--format", "pdf", "--out", "{tmp}/s.pdf", "--inspection", "4242"],
            "Error: There is no inspection with that number.",
        ),
        (["pack", "--out", "{tmp}/missing/p.zip"], "Error: The folder"),
    ],
)
def test_command_line_errors_exit_1_with_one_line(runner, tmp_path, args, message):
    result = runner.invoke(args=["export", *[arg.replace("{tmp}", str(tmp_path)) for arg in args]])
    assert result.exit_code == 1
    assert result.output.strip().startswith(message) and len(result.output.strip().splitlines()) == 1


@pytest.fixture
def broken_renderer(monkeypatch, tmp_path):
    """A PDF renderer that stops with an error, as Typst's process would if it ran
    out of memory or was killed."""
    script = tmp_path / "broken_renderer.py"
    script.write_text("import sys\nsys.stdin.read()\nprint('MemoryError', file=sys.stderr)\nsys.exit(1)\n")
    monkeypatch.setattr(pdf, "RENDERER", script)


@pytest.mark.parametrize("url", ["/exports/summary.pdf", "/exports/pack.zip"])
def test_a_pdf_that_could_not_be_made_says_so_and_records_nothing(
    viewer_client, finding, broken_renderer, url, caplog
):
    response = viewer_client.post(url)
    assert (
        "The PDF could not be made (renderer exit code 1: MemoryError)." in caplog.text
    )  # for the administrator
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "The PDF could not be made (renderer exit code 1: MemoryError)." in page
    assert "Try again in a few minutes" in page
    assert _events("export.summary") == [] and _events("export.pack") == []


@pytest.mark.parametrize("command", [["summary", "--format", "pdf"], ["pack"]])
def test_the_command_line_says_in_one_line_when_the_pdf_could_not_be_made(
    runner, finding, broken_renderer, tmp_path, command
):
    out = tmp_path / "out"
    result = runner.invoke(args=["export", *command, "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert result.output.strip() == "Error: The PDF could not be made (renderer exit code 1: MemoryError)."


def test_the_pdf_is_laid_out_in_a_process_of_its_own_so_its_memory_goes_back(finding, tmp_path):
    """A Python process keeps most of the memory it once took: made in a child process, a worker's peak stays
    where it was however large the document."""
    status = Path("/proc/self/status")

    def peak() -> int:
        return (
            int(
                next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:")).split()[1]
            )
            // 1024
        )

    template = tmp_path / "many.typ"
    template.write_text(
        '#let data = json(bytes(sys.inputs.data))\n#set document(title: "Many pages")\n'
        '#set text(lang: "en")\n#table(columns: 2, table.header([Action], [Update]), ..data.rows.flatten())\n'
    )
    rows = [[f"Action {n}", "A long latest update. " * 30] for n in range(300)]
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from what is resident now
    before = peak()
    made = pdf.render_document(template, {"rows": rows})
    grown = peak() - before  # read before pypdf reads the PDF back
    assert len(pypdf.PdfReader(io.BytesIO(made)).pages) >= 25
    assert grown < 8  # laid out here, 30 pages took about 20 MB more
