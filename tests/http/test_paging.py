"""One paging rule for every list: a page past the end shows the last page, with its rows and page links."""

import re
from datetime import date, timedelta

import pytest

from tests import factories


def make_measures():
    for n in range(26):
        factories.MeasureFactory(name=f"Measure {n:02}")
    return "/measures", "Measure 25", "No measures yet"


def make_surveys():
    for n in range(26):
        factories.SurveyFactory(title=f"Survey {n:02}", opened_on=date(2026, 5, 1) - timedelta(days=n))
    return "/surveys", "Survey 25", "No surveys yet"


def make_evidence():
    for n in range(26):
        factories.EvidenceFactory(title=f"Evidence {n:02}", about_date=date(2026, 6, 1) - timedelta(days=n))
    return "/evidence", "Evidence 25", "No evidence"


@pytest.mark.parametrize("make", [make_measures, make_surveys, make_evidence])
def test_a_page_past_the_end_shows_the_last_page(leader_client, make):
    address, last_row, empty = make()
    page = leader_client.get(f"{address}?page=999").get_data(as_text=True)
    assert last_row in page and empty not in page
    assert re.search(r'govuk-pagination__item--current">\s*<a[^>]*aria-current="page">\s*2\s*</a>', page)
    first = leader_client.get(address).get_data(as_text=True)
    assert last_row not in first
