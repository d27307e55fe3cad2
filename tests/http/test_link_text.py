"""Links that make sense out of context (WCAG 2.4.4 and 2.4.9), and counts that agree with their nouns, on
every page of the demo that the reflow test opens (its URL map), each seen by the first of leader,
administrator and officer that may open it.

A link's name is what a screen reader's list of links reads: its aria-label, or else all its text, the
visually hidden parts too. No name is only a word like "Change" or "View", or only a number; and two links
on a page with the same name go to the same place."""

import re

import lxml.html
import sqlalchemy as sa

from tests.browser.test_reflow import VISITORS, demo_ids, pages, visitor
from tracker.auth.models import User
from tracker.extensions import db

AMBIGUOUS = {
    "change",
    "edit",
    "view",
    "download",
    "here",
    "click here",
    "more",
    "read more",
    "see more",
    "see all",
    "details",
    "link",
    "open",
    "remove",
    "delete",
    "select",
    "show",
    "this",
}
NOUNS = "findings|actions|items|comments|replies|events|requests|days|changes|measures|readings|surveys|files"
# "1 amber findings", "1 actions": a count of one with a plural noun, up to two words between
ONE_WITH_MANY = re.compile(rf"(?<![\d,.])\b1 (?:[a-z-]+ ){{0,2}}(?:{NOUNS})\b")


def _demo_pages(app, client_as):
    """(address, page) of each page of the demo that answers with HTML."""
    people = {
        role: db.session.scalar(sa.select(User).where(User.email == email))
        for role, email in VISITORS.items()
    }
    clients = {role: client_as(person) for role, person in people.items()}
    for endpoint, url in pages(app, demo_ids()):
        role = visitor(endpoint, people)
        if role is None or endpoint in ("auth.sso_start", "auth.sso_callback", "auth.signed_out"):
            continue
        with clients[role].get(url) as answer:
            if answer.status_code == 200 and answer.mimetype == "text/html":
                yield url, answer.get_data(as_text=True)


def _name(link) -> str:
    return " ".join((link.get("aria-label") or link.text_content()).split())


def test_every_link_says_where_it_goes_and_one_name_goes_to_one_place(app, demo, client_as):
    problems, seen = [], 0
    for url, page in _demo_pages(app, client_as):
        seen += 1
        places: dict[str, set[str]] = {}
        for link in lxml.html.fromstring(page).iter("a"):
            if link.get("href") is None:
                continue
            name = _name(link)
            if not name or name.lower().strip(" .") in AMBIGUOUS or name.replace(",", "").isdigit():
                problems.append(f"{url}: a link named {name!r} to {link.get('href')}")
            places.setdefault(name.lower(), set()).add(link.get("href"))
        problems += [
            f"{url}: links named {name!r} go to {sorted(hrefs)}"
            for name, hrefs in places.items()
            if len(hrefs) > 1
        ]
    assert seen > 60
    assert problems == [], "\n".join(problems)


def test_no_count_of_one_meets_a_plural_noun(app, demo, client_as):
    problems = []
    for url, page in _demo_pages(app, client_as):
        body = lxml.html.fromstring(page).find(".//main")
        text = " ".join(body.text_content().split()) if body is not None else ""
        problems += [f"{url}: {found!r}" for found in ONE_WITH_MANY.findall(text)]
    assert problems == [], "\n".join(problems)
