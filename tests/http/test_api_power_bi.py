"""The page for analysts (/account/api-tokens/power-bi) and its example Power Query: the page shows the one
.pq file as it is, with the readiness history's columns; Microsoft's own parser (@microsoft/powerquery-parser,
run by tests/power_query_parse.mjs) parses the query and refuses broken M; and the address the query calls,
with a real token, answers the shape the query reads (docs/api.md, "Readiness history")."""

import html
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests import factories
from tracker.api import tokens
from tracker.api.analysts import POWER_QUERY, power_query_text
from tracker.api.history import HISTORY_COLUMNS
from tracker.dates import today
from tracker.extensions import db
from tracker.readiness.services import take_snapshot

ROOT = Path(__file__).resolve().parents[2]
PARSE = ROOT / "tests" / "power_query_parse.mjs"
LONG_AGO = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("who", ["leader_client", "officer_client", "viewer_client"])
def test_the_page_shows_how_to_connect_the_columns_and_the_query_file_as_it_is(request, who):
    client = request.getfixturevalue(who)
    tokens_page = client.get("/account/api-tokens").get_data(as_text=True)
    assert 'href="/account/api-tokens/power-bi"' in tokens_page
    page = client.get("/account/api-tokens/power-bi")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Connect Power BI to the tracker</h1>' in text
    for words in ("Get data &gt; Web", "Blank query", "Anonymous access", "follow <code>next</code>"):
        assert words.lower() in text.lower(), words
    assert "http://localhost/api/v1/readiness-history.csv?key=irt_..." in text
    headers = re.findall(r'<th scope="row" class="govuk-table__header"><code>([a-z_<>]+)</code></th>', text)
    assert [header.replace("<wbr>", "") for header in headers] == list(HISTORY_COLUMNS)
    [shown] = re.findall(r'<pre [^>]*id="power-query-text"><code>(.*?)</code></pre>', text, re.S)
    assert html.unescape(shown) == POWER_QUERY.read_text(encoding="utf-8")


def test_an_administrator_is_not_shown_the_page(admin_client):
    assert admin_client.get("/account/api-tokens/power-bi").status_code == 403


def parse(text: str) -> tuple[int, str]:
    node = shutil.which("node")
    assert node, "node is needed: make install"
    done = subprocess.run(
        [node, str(PARSE), "-"], input=text, capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


def test_microsofts_parser_reads_the_example_query_and_refuses_broken_m():
    code, said = parse(power_query_text())
    assert (code, said.strip()) == (0, '{"ok":true}')
    broken = power_query_text().replace("Rows = List.Combine(", "Rows = List.Combine(,", 1)
    code, said = parse(broken)
    assert code == 1 and '"ok":false' in said and '"stage":"Parse"' in said
    unclosed = power_query_text().replace("\nin\n    Typed", "\n    Typed", 1)
    assert parse(unclosed)[0] == 1


def _query_of_the_example() -> tuple[str, dict[str, str], list[str]]:
    """What the example reads: its path, its first page's query, and the columns it builds its table from."""
    text = power_query_text()
    [path] = re.findall(r'Path = "([^"]+)"', text)
    [first] = re.findall(r"Page\(\[(.*?)\]\)", text)
    query = dict(re.findall(r'(\w+) = "([^"]*)"', first))
    [listed] = re.findall(r"Columns = \{(.*?)\}", text, re.S)
    return path, query, re.findall(r'"([a-z_]+)"', listed)


def test_the_address_the_query_calls_answers_the_shape_it_reads(app):
    path, first, columns = _query_of_the_example()
    assert path == "api/v1/readiness-history" and first == {"limit": "500"}
    assert columns == list(HISTORY_COLUMNS)
    for n in range(3):
        factories.FindingFactory(reference=f"AFI{n}", created_at=LONG_AGO)
    db.session.commit()
    take_snapshot(None, date(2026, 2, 1))
    take_snapshot(None, today())
    _, value = tokens.make_token(factories.UserFactory(), "Power BI", today() + timedelta(days=30))
    client = app.test_client()

    def page(query: dict) -> dict:
        """As the query's Page: the path and query apart, with the token added as key."""
        answer = client.get(f"/{path}?{urlencode({**query, 'key': value}, doseq=True)}")
        assert answer.status_code == 200 and answer.mimetype == "application/json"
        return answer.get_json()

    body = page(first)
    assert set(body) == {"as_at", "next", "data"} and body["next"] is None and len(body["data"]) == 6
    for row in body["data"]:
        assert list(row) == columns
    # following next as the query does (Uri.Parts(next)[Query]), a page at a time
    rows, body = [], page({"limit": "4"})
    while True:
        rows += body["data"]
        if body["next"] is None:
            break
        assert "key" not in body["next"]
        body = page({name: values[0] for name, values in parse_qs(urlsplit(body["next"]).query).items()})
    assert len(rows) == len({row["id"] for row in rows}) == 6
