"""The panel "Needs your attention" on My actions: each kind for the person it is for and nobody else,
someone else's restricted evidence never shown to a viewer or an officer, one sentence when nothing needs
attention, and the panel's items exactly `attention_for`'s (the email digest's list). Past ten of a kind, the
first ten and "and 3 more" linking to the page that lists them all, for every kind; ten, no such line. Then
where each role lands after signing in, with the password alone, the two-step code or a recovery code, and a
`next` address winning."""

from datetime import timedelta

import lxml.html
import pyotp
import pytest
from flask import url_for

from tests import factories
from tracker.auth import mfa
from tracker.dates import format_date, today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.information_requests.models import InformationRequest, InspectionPeriod, RequestCategory
from tracker.measures.models import Frequency
from tracker.models import Role, utcnow
from tracker.reminders.attention import attention_for
from tracker.reminders.models import ReminderKind

NOTHING = "Nothing needs your attention today."


def panel(client) -> dict[str, list[tuple[str, str, str]]] | str:
    """What the panel on My actions shows: each heading with its items (link text, address, why), or its one
    sentence when it lists nothing."""
    response = client.get("/actions/mine")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    (section,) = tree.xpath("//section[@aria-labelledby='needs-your-attention']")
    assert section.xpath("string(.//h2)") == "Needs your attention"
    headings = section.xpath(".//h3")
    if not headings:
        return " ".join(section.xpath("string(.//p[1])").split())
    shown = {}
    for heading in headings:
        items = heading.xpath("following-sibling::ul[1]/li")
        shown[heading.text_content().strip()] = [
            (
                item.xpath("string(a)").strip(),
                item.xpath("string(a/@href)"),
                " ".join(item.xpath("string(span)").split()),
            )
            for item in items
        ]
    return shown


def make_request(owner, number: int, due_in: timedelta, **fields) -> InformationRequest:
    period = db.session.query(InspectionPeriod).first() or InspectionPeriod(notified_on=today())
    row = InformationRequest(
        period=period,
        number=number,
        wording=fields.pop("wording", f"Request {number}"),
        category=RequestCategory.DATA,
        owner_id=owner.id,
        due_at=utcnow() + due_in,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def people():
    return {
        "leader": factories.UserFactory(role=Role.LEADER, name="Jo Whitfield"),
        "priya": factories.UserFactory(role=Role.OFFICER, name="Priya Shah"),
        "tom": factories.UserFactory(role=Role.OFFICER, name="Tom Reeves"),
        "viewer": factories.UserFactory(role=Role.VIEWER, name="Alex Morgan"),
    }


@pytest.fixture
def plan(people):
    """One item of every kind for Priya, evidence waiting for the leader's review, and Tom's restricted
    evidence in each state that could be news."""
    priya, tom, now = people["priya"], people["tom"], utcnow()
    items = {
        "overdue": factories.ActionFactory(
            reference="A1", title="Publish the leaflets", owner=priya, due_date=today() - timedelta(days=3)
        ),
        "due_soon": factories.ActionFactory(
            reference="A2", title="Train the call handlers", owner=priya, due_date=today() + timedelta(days=5)
        ),
        "stale": factories.ActionFactory(
            reference="A3",
            title="Review the local offer",
            owner=priya,
            due_date=today() + timedelta(days=120),
            created_at=now - timedelta(days=60),
        ),
        "returned": factories.EvidenceFactory(
            title="SPOT leaflet draft",
            uploaded_by=priya,
            status=EvidenceStatus.RETURNED,
            reviewed_at=now - timedelta(days=1),
        ),
        "review_due": factories.EvidenceFactory(
            title="Waiting times report",
            uploaded_by=priya,
            status=EvidenceStatus.ACCEPTED,
            review_by=today() - timedelta(days=10),
        ),
        "to_review": factories.EvidenceFactory(title="Co-production charter", uploaded_by=priya),
        "measure": factories.MeasureFactory(
            name="Weeks to an autism assessment",
            owner=priya,
            frequency=Frequency.QUARTERLY,
            created_at=now - timedelta(days=200),
        ),
        "request": make_request(priya, 1, timedelta(hours=3), wording="The case file of Child B"),
    }
    for title, fields in [
        ("Case review: Child A returned", {"status": EvidenceStatus.RETURNED, "reviewed_at": now}),
        (
            "Case review: Child A past review",
            {"status": EvidenceStatus.ACCEPTED, "review_by": today() - timedelta(days=1)},
        ),
        ("Case review: Child A waiting", {}),
    ]:
        items[title] = factories.EvidenceFactory(
            title=title, uploaded_by=tom, sensitivity=Sensitivity.RESTRICTED, **fields
        )
    return items


def test_each_kind_shows_for_the_person_it_is_for_and_nobody_else(client_as, people, plan):
    priya = panel(client_as(people["priya"]))
    assert priya == {
        "Inspectors' requests due soon or overdue (1)": [
            (
                f"Request {plan['request'].reference}: {RequestCategory.DATA.label}",
                f"/requests/{plan['request'].id}",
                priya["Inspectors' requests due soon or overdue (1)"][0][2],
            )
        ],
        "Overdue actions (1)": [
            (
                "A1: Publish the leaflets",
                f"/actions/{plan['overdue'].id}",
                f"Overdue: it was due {format_date(today() - timedelta(days=3))}.",
            )
        ],
        "Actions due soon (1)": [
            (
                "A2: Train the call handlers",
                f"/actions/{plan['due_soon'].id}",
                f"Due in 5 days, on {format_date(today() + timedelta(days=5))}.",
            )
        ],
        "Actions with no update for a while (1)": [
            (
                "A3: Review the local offer",
                f"/actions/{plan['stale'].id}",
                "No progress update yet, 60 days on.",
            )
        ],
        "Evidence returned to you (1)": [
            (
                "SPOT leaflet draft",
                f"/evidence/{plan['returned'].id}",
                "Returned to you for changes: the reviewer's comment is on its page.",
            )
        ],
        "Evidence past its review-by date (1)": [
            (
                "Waiting times report",
                f"/evidence/{plan['review_due'].id}",
                f"Past its review-by date, {format_date(today() - timedelta(days=10))}: "
                "check it is still current.",
            )
        ],
        "Measures with no reading for their period (1)": [
            ("Weeks to an autism assessment", f"/measures/{plan['measure'].id}", "No readings yet.")
        ],
    }
    assert priya["Inspectors' requests due soon or overdue (1)"][0][2].startswith("Due at ")

    leader = panel(client_as(people["leader"]))
    assert list(leader) == ["Evidence waiting for review (2)"]
    assert sorted(title for title, _, why in leader["Evidence waiting for review (2)"]) == [
        "Case review: Child A waiting",  # a leader may see restricted evidence
        "Co-production charter",
    ]

    tom = panel(client_as(people["tom"]))  # his own restricted evidence, each with its tag
    assert list(tom) == ["Evidence returned to you (1)", "Evidence past its review-by date (1)"]
    page = client_as(people["tom"]).get("/actions/mine").get_data(as_text=True)
    assert page.count(">Restricted<") == 2

    assert panel(client_as(people["viewer"])) == NOTHING


def test_someone_elses_restricted_evidence_never_shows_to_a_viewer_or_an_officer(client_as, people, plan):
    for who in ("priya", "viewer"):
        page = client_as(people[who]).get("/actions/mine").get_data(as_text=True)
        assert "Child A" not in page, who
        assert "Child B" not in page, who  # a request is named by its number and category, never its wording


def test_with_nothing_to_attend_to_the_panel_says_so_in_one_sentence(client_as):
    officer = factories.UserFactory(role=Role.OFFICER)
    factories.ActionFactory(owner=officer, due_date=today() + timedelta(days=200))  # nothing to say yet
    assert panel(client_as(officer)) == NOTHING


def test_the_panel_links_to_the_choice_of_how_often_the_same_list_comes_by_email(officer_client):
    page = officer_client.get("/actions/mine").get_data(as_text=True)
    assert "The same list comes by email." in page
    assert 'href="/account/reminders">Choose how often you hear about each kind</a>' in page


def test_the_panel_lists_exactly_what_attention_for_gives_the_digest(app, client_as, people, plan):
    for who in ("priya", "leader", "tom", "viewer"):
        person = people[who]
        shown = panel(client_as(person))
        with app.test_request_context():
            expected = {}
            for item in attention_for(person, today(), utcnow()):
                expected.setdefault(item.kind, []).append(
                    (item.title, url_for(item.endpoint, **item.values), item.why)
                )
            expected_shown = {
                f"{kind.label} ({len(items)})": items
                for kind, items in sorted(
                    expected.items(), key=lambda pair: list(ReminderKind).index(pair[0])
                )
            }
        assert shown == (expected_shown or NOTHING), who
        if expected_shown:
            assert list(shown) == list(expected_shown), who  # in the same order: most pressing kind first


# Past ten of a kind, a count and a link to the page that lists them all -------------------------------------


def more_lines(client) -> dict[str, tuple[str, str]]:
    """Each kind's "and N more" line on My actions: its heading, the link's words (its hidden words, which say
    the kind to a screen reader, included) and its address."""
    tree = lxml.html.fromstring(client.get("/actions/mine").get_data(as_text=True))
    (section,) = tree.xpath("//section[@aria-labelledby='needs-your-attention']")
    lines = {}
    for heading in section.xpath(".//h3"):
        found = heading.xpath(
            "following-sibling::ul[1]/following-sibling::*[1][self::p]/a[starts-with(., 'and ')]"
        )
        if found:
            lines[heading.text_content().strip()] = (
                " ".join(found[0].text_content().split()),
                found[0].get("href"),
            )
    return lines


def thirteen(kind: str, person, someone):
    """13 items of one kind for `person` (a leader); their titles in attention_for's order within a kind."""
    now, numbers = utcnow(), range(1, 14)
    if kind in ("overdue", "due_soon", "stale"):
        due, created = {
            "overdue": (today() - timedelta(days=3), now),
            "due_soon": (today() + timedelta(days=5), now),
            "stale": (today() + timedelta(days=120), now - timedelta(days=60)),
        }[kind]
        for n in numbers:
            factories.ActionFactory(
                reference=f"K{n:02}", title="Step", owner=person, due_date=due, created_at=created
            )
        return [f"K{n:02}: Step" for n in numbers]
    if kind == "request":  # the soonest due first
        for n in numbers:
            make_request(person, n, timedelta(hours=3, minutes=n))
        return [f"Request R{n}: {RequestCategory.DATA.label}" for n in numbers]
    if kind == "measure":
        for n in numbers:
            factories.MeasureFactory(
                name=f"Measure {n:02}",
                owner=person,
                frequency=Frequency.QUARTERLY,
                created_at=now - timedelta(days=200),
            )
        return [f"Measure {n:02}" for n in numbers]
    fields = {
        "returned": {"uploaded_by": person, "status": EvidenceStatus.RETURNED, "reviewed_at": now},
        "review_due": {
            "uploaded_by": person,
            "status": EvidenceStatus.ACCEPTED,
            "review_by": today() - timedelta(days=1),
        },
        "to_review": {"uploaded_by": someone},
    }[kind]
    for n in numbers:
        factories.EvidenceFactory(title=f"Evidence {n:02}", **fields)
    return [f"Evidence {n:02}" for n in numbers]


@pytest.mark.parametrize(
    ("kind", "heading", "all_of_them"),
    [
        ("request", "Inspectors' requests due soon or overdue", "/requests/mine"),
        ("overdue", "Overdue actions", "/actions/mine"),
        ("due_soon", "Actions due soon", "/actions/mine"),
        ("stale", "Actions with no update for a while", "/actions/mine"),
        ("returned", "Evidence returned to you", "/evidence/mine?status=returned"),
        ("to_review", "Evidence waiting for review", "/evidence/review"),
        ("review_due", "Evidence past its review-by date", "/evidence/mine?status=accepted&expired=1"),
        ("measure", "Measures with no reading for their period", "/measures"),
    ],
)
def test_past_ten_of_a_kind_the_rest_are_counted_with_a_link_to_the_page_that_lists_them_all(
    app, client_as, people, kind, heading, all_of_them
):
    leader = people["leader"]
    titles = thirteen(kind, leader, people["priya"])
    client = client_as(leader)

    shown = panel(client)[f"{heading} (13)"]
    more = more_lines(client)

    assert [title for title, _, _ in shown] == titles[:10]  # attention_for's order: the first ten
    assert more == {f"{heading} (13)": (f"and 3 more {heading.lower()}", all_of_them)}
    listed = client.get(all_of_them)
    assert listed.status_code == 200
    with app.test_request_context():
        not_named = [url_for(i.endpoint, **i.values) for i in attention_for(leader, today(), utcnow())[10:]]
    assert len(not_named) == 3
    assert all(f'href="{address}"' in listed.get_data(as_text=True) for address in not_named)


def test_ten_of_a_kind_are_all_shown_with_no_more_line(client_as, people):
    leader = people["leader"]
    for n in range(10):
        factories.EvidenceFactory(title=f"Evidence {n:02}", uploaded_by=people["priya"])
    client = client_as(leader)

    assert len(panel(client)["Evidence waiting for review (10)"]) == 10
    assert more_lines(client) == {}
    page = lxml.html.fromstring(client.get("/actions/mine").get_data(as_text=True))
    assert " more" not in page.xpath("string(//section[@aria-labelledby='needs-your-attention'])")


# Where people land after signing in ------------------------------------------------------------------------

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0


def sign_in(client, user, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": user.email, "password": factories.PASSWORD})


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.OFFICER, "/actions/mine"),
        (Role.LEADER, "/"),
        (Role.VIEWER, "/"),
        (Role.ADMIN, "/admin/users"),
    ],
)
def test_each_role_lands_on_its_home_by_password_code_or_recovery_code(app, monkeypatch, role, landing):
    monkeypatch.setattr(mfa, "clock", lambda: NOW)
    with_password = factories.UserFactory(role=role)
    assert sign_in(app.test_client(), with_password).headers["Location"] == landing

    with_code = factories.UserFactory(role=role, totp_secret=SECRET, totp_enabled_at=utcnow())
    client = app.test_client()
    assert sign_in(client, with_code).headers["Location"] == "/login/code"
    response = client.post("/login/code", data={"code": pyotp.TOTP(SECRET).at(NOW)})
    assert response.headers["Location"] == landing

    codes = mfa.regenerate_recovery_codes(with_code, factories.PASSWORD)
    client = app.test_client()
    sign_in(client, with_code)
    assert client.post("/login/recovery-code", data={"code": codes[0]}).headers["Location"] == landing
    assert client.get("/login").headers["Location"] == landing  # signed in already: home again


def test_a_next_address_on_this_site_wins_over_an_officers_home(app, monkeypatch):
    monkeypatch.setattr(mfa, "clock", lambda: NOW)
    officer = factories.UserFactory(role=Role.OFFICER)
    assert sign_in(app.test_client(), officer, "/measures").headers["Location"] == "/measures"
    assert sign_in(app.test_client(), officer, "//evil.example/").headers["Location"] == "/actions/mine"
    with_code = factories.UserFactory(role=Role.OFFICER, totp_secret=SECRET, totp_enabled_at=utcnow())
    client = app.test_client()
    sign_in(client, with_code, "/evidence")
    assert (
        client.post("/login/code", data={"code": pyotp.TOTP(SECRET).at(NOW)}).headers["Location"]
        == "/evidence"
    )


def test_an_officer_signing_in_sees_the_panel_first(client, people, plan):
    response = sign_in(client, people["priya"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">My actions</h1>' in page
    assert page.index("Needs your attention") < page.index("open action")
    assert "A1: Publish the leaflets" in page


def test_within_a_kind_the_most_pressing_come_first(client_as, people):
    """The earliest due first, then the longest without an update: the ten shown are the ten that matter most,
    not the first ten by name."""
    officer = people["priya"]
    for reference, days_late in (("A1", 2), ("Z1", 40), ("M1", 9)):
        factories.ActionFactory(
            reference=reference, title="Step", owner=officer, due_date=today() - timedelta(days=days_late)
        )

    shown = panel(client_as(officer))["Overdue actions (3)"]

    assert [title for title, _, _ in shown] == ["Z1: Step", "M1: Step", "A1: Step"]
    assert [why for _, _, why in shown] == [
        f"Overdue: it was due {format_date(today() - timedelta(days=days))}." for days in (40, 9, 2)
    ]


def test_evidence_a_leader_returns_is_the_first_thing_its_uploader_sees_after_signing_in(app, client_as):
    """Through the leader's own review form: returned with a comment, the evidence waits on the officer's
    My actions, where an officer lands, with why it is there; its page holds the reviewer's comment."""
    officer = factories.UserFactory(role=Role.OFFICER)
    item = factories.EvidenceFactory(
        title="SPOT leaflet draft", uploaded_by=officer, status=EvidenceStatus.SUBMITTED
    )
    assert panel(client_as(officer)) == NOTHING
    reviewed = client_as(Role.LEADER).post(
        f"/evidence/{item.id}/review",
        data={"decision": "return", "comment": "Add the date it went to families."},
    )
    assert reviewed.status_code == 302

    client = app.test_client()
    landing = sign_in(client, officer).headers["Location"]
    assert landing == "/actions/mine"
    assert panel(client) == {
        "Evidence returned to you (1)": [
            (
                "SPOT leaflet draft",
                f"/evidence/{item.id}",
                "Returned to you for changes: the reviewer's comment is on its page.",
            )
        ]
    }
    assert "Add the date it went to families." in client.get(f"/evidence/{item.id}").get_data(as_text=True)
