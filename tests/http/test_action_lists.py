"""The lists people work from: filters kept in the address, sorting, pages and "my actions"."""

import re
from datetime import datetime, timedelta, timezone

from tests import factories
from tracker.dates import today
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus, Partner, ProgressUpdate


def titles(page: str, candidates) -> list[str]:
    """The candidate titles in the order the page shows them."""
    return sorted((title for title in candidates if title in page), key=page.index)


def long_ago(days: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)


def test_filters_narrow_the_list_and_stay_in_the_address(viewer_client):
    theme = factories.ThemeFactory(name="Waiting times and access")
    waits = factories.FindingFactory(theme=theme, reference="AFI3")
    other = factories.FindingFactory()
    owner = factories.UserFactory(name="Tom Reeves")
    factories.ActionFactory(
        title="Autism assessment capacity",
        findings=[waits],
        owner=owner,
        partner=Partner.ICB,
        start_date=today() - timedelta(days=300),
    )
    factories.ActionFactory(
        title="Local offer page",
        findings=[other],
        partner=Partner.COUNCIL,
        due_date=today() - timedelta(days=3),
    )
    factories.ActionFactory(
        title="Closed piece of work", findings=[other], status=ActionStatus.COMPLETE, percent_complete=100
    )
    everything = ["Autism assessment capacity", "Local offer page", "Closed piece of work"]
    cases = {
        f"theme={theme.id}": ["Autism assessment capacity"],
        f"finding={waits.id}": ["Autism assessment capacity"],
        "owner=REEVES": ["Autism assessment capacity"],
        f"owner={owner.email.split('@')[0]}": ["Autism assessment capacity"],
        "owner=100%25": [],  # a typed % is a character to find, not a wildcard
        "partner=icb": ["Autism assessment capacity"],
        "status=complete": ["Closed piece of work"],
        "only=overdue": ["Local offer page"],
        "text=OFFER": ["Local offer page"],
        "text=l_cal": [],  # _ and % are characters to find, not wildcards
        "text=%25": [],
        "rag=green": ["Closed piece of work"],
    }
    for query, expected in cases.items():
        page = viewer_client.get(f"/actions?{query}").get_data(as_text=True)
        assert [t for t in everything if t in page] == expected, query
    page = viewer_client.get("/actions?partner=icb&sort=title").get_data(as_text=True)
    assert (
        "partner=icb" in page and "1 action matches these filters" in page
    )  # sort and page links keep the filter


def test_nonsense_in_the_address_is_ignored_not_an_error(viewer_client):
    factories.ActionFactory(title="Still listed", findings=[factories.FindingFactory()])
    for query in [
        "status=bogus",
        "rag=purple",
        "theme=abc",
        "page=-3",
        "sort=drop table",
        "owner=99999999999999999999",
    ]:
        response = viewer_client.get(f"/actions?{query}")
        assert response.status_code == 200, query


def test_stale_means_no_update_for_the_configured_days(viewer_client):
    finding = factories.FindingFactory()
    quiet = factories.ActionFactory(
        title="Gone quiet", findings=[finding], start_date=today() - timedelta(days=90)
    )
    busy = factories.ActionFactory(
        title="Recently updated", findings=[finding], start_date=today() - timedelta(days=90)
    )
    db.session.add(
        ProgressUpdate(
            action=quiet,
            author=quiet.owner,
            written_on=today() - timedelta(days=30),
            body="x",
            percent_complete=10,
            status=ActionStatus.IN_PROGRESS,
        )
    )
    db.session.add(
        ProgressUpdate(
            action=busy,
            author=busy.owner,
            written_on=today() - timedelta(days=29),
            body="x",
            percent_complete=10,
            status=ActionStatus.IN_PROGRESS,
        )
    )
    db.session.commit()
    page = viewer_client.get("/actions?only=stale").get_data(as_text=True)
    assert "Gone quiet" in page and "Recently updated" not in page


def test_columns_sort_both_ways(viewer_client):
    finding = factories.FindingFactory()
    for reference, title in [("A2", "Bravo"), ("A10", "Alpha"), ("A1", "Charlie")]:
        factories.ActionFactory(reference=reference, title=title, findings=[finding])
    assert titles(
        viewer_client.get("/actions?sort=reference").get_data(as_text=True), ["Bravo", "Alpha", "Charlie"]
    ) == ["Charlie", "Bravo", "Alpha"]
    assert titles(
        viewer_client.get("/actions?sort=title&order=desc").get_data(as_text=True),
        ["Bravo", "Alpha", "Charlie"],
    ) == ["Charlie", "Bravo", "Alpha"]


def test_the_list_has_pages(viewer_client):
    finding = factories.FindingFactory()
    for number in range(30):
        factories.ActionFactory(
            reference=f"P{number:02d}", title=f"Paged action {number:02d}", findings=[finding]
        )
    first = viewer_client.get("/actions?sort=reference").get_data(as_text=True)
    second = viewer_client.get("/actions?sort=reference&page=2").get_data(as_text=True)
    assert "Paged action 00" in first and "Paged action 25" not in first
    assert "Paged action 25" in second and "Paged action 00" not in second
    assert "page=2" in first


def test_a_long_list_links_to_the_first_the_last_and_the_neighbouring_pages(viewer_client):
    finding = factories.FindingFactory()
    for number in range(26 * 7):
        factories.ActionFactory(
            reference=f"L{number:03d}", title=f"Long list action {number:03d}", findings=[finding]
        )
    page = viewer_client.get("/actions?sort=reference&page=4").get_data(as_text=True)
    linked = re.findall(r'class="govuk-link govuk-pagination__link" href="[^"]*page=(\d+)"', page)
    assert linked == ["3", "1", "3", "4", "5", "8", "5"]  # previous, 1, 3 4 5, 8, next
    assert page.count("govuk-pagination__item--ellipsis") == 2


def test_my_actions_title_is_the_page_name_however_many_pages(client_as):
    me = factories.UserFactory(role=Role.OFFICER)
    finding = factories.FindingFactory()
    for number in range(30):
        factories.ActionFactory(title=f"Mine {number}", owner=me, findings=[finding])
    page = client_as(me).get("/actions/mine").get_data(as_text=True)
    assert re.search(r"<title>\s*My actions[^<]*</title>", page)


def test_my_actions_puts_what_needs_an_update_first(client_as):
    me = factories.UserFactory(role=Role.OFFICER)
    finding = factories.FindingFactory()
    factories.ActionFactory(title="Fresh and on time", owner=me, findings=[finding], created_at=long_ago(1))
    factories.ActionFactory(title="Quiet for months", owner=me, findings=[finding], created_at=long_ago(120))
    contributed = factories.ActionFactory(
        title="I only contribute", findings=[finding], created_at=long_ago(1)
    )
    contributed.contributors.append(me)
    factories.ActionFactory(title="Someone else's", findings=[finding])
    factories.ActionFactory(
        title="Already done", owner=me, findings=[finding], status=ActionStatus.COMPLETE, percent_complete=100
    )
    db.session.commit()
    page = client_as(me).get("/actions/mine").get_data(as_text=True)
    shown = titles(page, ["Fresh and on time", "Quiet for months", "I only contribute"])
    assert shown[0] == "Quiet for months" and set(shown) == {
        "Fresh and on time",
        "Quiet for months",
        "I only contribute",
    }
    assert "Someone else&#39;s" not in page and "Already done" not in page
    assert "Needs an update" in page


def test_the_list_downloads_as_csv_with_its_filters(viewer_client):
    finding = factories.FindingFactory()
    factories.ActionFactory(title="Council action", findings=[finding], partner=Partner.COUNCIL)
    factories.ActionFactory(title="ICB action", findings=[finding], partner=Partner.ICB)
    page = viewer_client.get("/actions?partner=icb&name=x&_anchor=y").get_data(as_text=True)
    link = (
        page.split('action="/exports/actions.csv')[1].split('"')[0].replace("&amp;", "&")
    )  # a button: a POST form
    assert (
        "partner=icb" in link and "name=x" in link
    )  # the page's query, as data: the CSV reads only its filters
    csv_text = viewer_client.post("/exports/actions.csv" + link).get_data(as_text=True)
    assert "ICB action" in csv_text and "Council action" not in csv_text


def test_each_filter_in_force_shows_as_a_tag_whose_link_removes_only_that_filter(viewer_client):
    theme = factories.ThemeFactory(name="Waiting times and access")
    finding = factories.FindingFactory(theme=theme, reference="AFI3", title="Long waits")
    owner = factories.UserFactory(name="Tom Reeves", email="tom@council.example")
    factories.ActionFactory(title="Autism assessment capacity", findings=[finding], owner=owner)
    factories.ActionFactory(title="Local offer page", findings=[factories.FindingFactory()])
    query = (
        f"owner=TOM%40council&theme={theme.id}&finding={finding.id}&partner=council&status=in_progress"
        "&rag=red&only=overdue&only=stale&text=autism&sort=title"
    )
    page = viewer_client.get(f"/actions?{query}").get_data(as_text=True)
    tags = dict(
        (text, href.replace("&amp;", "&"))
        for href, text in re.findall(
            r'<a class="moj-filter__tag" href="([^"]+)">'
            r'<span class="govuk-visually-hidden">Remove this filter: </span>([^<]+)</a>',
            page,
        )
    )
    assert list(tags) == [
        "Search: autism",
        "Theme: Waiting times and access",
        "Finding: AFI3: Long waits",
        "Owner: TOM@council",
        "Partner: Council",
        "Status: In progress",
        "RAG: Red",
        "Show only: Overdue actions",
        "Show only: Stale actions",
    ]
    assert 'name="owner" type="text" value="TOM@council"' in page  # typed, kept in the box as typed
    without_owner = tags["Owner: TOM@council"]
    assert "owner=" not in without_owner and "theme=" in without_owner and "sort=title" in without_owner
    assert (
        "only=stale" in tags["Show only: Overdue actions"]
        and "only=overdue" not in tags["Show only: Overdue actions"]
    )

    owned = viewer_client.get("/actions?owner=tom%40COUNCIL").get_data(as_text=True)
    assert "Autism assessment capacity" in owned and "Local offer page" not in owned
    assert re.search(
        r'href="/actions"><span class="govuk-visually-hidden">[^<]*</span>Owner: tom@COUNCIL', owned
    )
    assert "moj-filter__tag" not in viewer_client.get("/actions").get_data(as_text=True)
