"""Reminder choices in Chromium, on the demo, with the digest job run against a real SMTP server (aiosmtpd):
the officer signs in from the keyboard, lands on My actions with "Needs your attention", turns the reminders
about actions with no update for a while off on "Your reminders" and finds the choice kept; the day's email
then lists their overdue action and none of the stale ones, and its link opens the action on the live server.
Set back to weekly, the stale actions stay out of a weekday's email and come on the Monday after. The page
passes axe once saved.

The job runs in this process, on the live server's database (the same database_uri), with this app's
settings pointed at the SMTP server and at the live server's address for links."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import lxml.html
import pytest
from playwright.sync_api import expect

from tests import reminder_servers
from tests.browser.conftest import axe_violations
from tests.factories import DEMO_PASSWORD
from tests.reminder_plans import at
from tracker.dates import today
from tracker.extensions import db
from tracker.reminders.jobs import send_reminders

pytestmark = pytest.mark.browser
PANEL = "section[aria-labelledby='needs-your-attention']"
OFFICER = "officer@demo.example"
STALE = "Actions with no update for a while"
MONDAY = 0

smtp_server = reminder_servers.smtp_server  # fixture: a real SMTP server on a free loopback port


def groups(html: str) -> dict[str, list[str]]:
    """An email's groups, each heading without its count, with the items listed under it."""
    return {
        h2.text_content().rpartition(" (")[0]: [a.text_content() for a in h2.getnext().iter("a")]
        for h2 in lxml.html.fromstring(html).iter("h2")
    }


def titles_under(panel, heading: str) -> list[str]:
    """The items listed under one of the panel's headings, as their links read."""
    group = panel.locator("h3", has_text=heading).locator("xpath=following-sibling::ul[1]")
    return group.locator("a").all_inner_texts()


def focused(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def tab_to(page, text: str) -> None:
    """Press Tab until the link or button reading `text` has the focus, as a keyboard user does."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page) == text:
            return
    raise AssertionError(f"Tab never reached {text!r}")


def choose(page, question: str, answer: str) -> None:
    """Move the question's choice with the arrow keys, as a keyboard user does, until `answer` is chosen."""
    group = page.get_by_role("group", name=question)
    group.locator("input:checked").focus()
    for _ in range(3):
        if group.get_by_label(answer, exact=True).is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{answer!r} could not be chosen for {question!r}")


def save_choices(page) -> None:
    tab_to(page, "Save your choices")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your reminder choices have been saved."
    )


def digests_to_officer(smtp, since: int = 0) -> list[reminder_servers.Received]:
    return smtp.to(OFFICER)[since:]


def send(on: date) -> None:
    """The job's run at 9am London on that day, as `flask reminders send --as-of` runs it; nothing fails."""
    db.session.commit()  # no transaction of this process is open while the live server writes
    summary = send_reminders(on, at(on, 9))
    db.session.commit()
    assert summary.failures == []


def test_turning_stale_reminders_off_keeps_them_out_of_the_next_digest_until_weekly_brings_them_on_monday(
    app, demo, page, live_server, smtp_server, monkeypatch
):
    settings = smtp_server.settings(TRACKER_BASE_URL=live_server, TRACKER_REMINDER_HOUR="7")
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)  # the job runs in this process, with this app's config
    smtp = smtp_server.handler
    on = today()

    # signs in from the keyboard and lands on My actions, "Needs your attention" first
    page.goto("/login")
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the first field of the page's main content
    assert page.evaluate("document.activeElement.autocomplete") == "username"
    page.keyboard.type(OFFICER)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/actions/mine")  # #main-content kept from /login
    expect(page.locator("h1")).to_have_text("My actions")
    panel = page.locator(PANEL)
    expect(panel.locator("h2")).to_have_text("Needs your attention")
    expect(panel.locator("h3")).to_have_text(["Overdue actions (1)", "Actions due soon (2)", f"{STALE} (4)"])
    overdue = titles_under(panel, "Overdue actions")
    due_soon = titles_under(panel, "Actions due soon")
    stale = titles_under(panel, STALE)
    assert (
        overdue == ["A8: One clear local offer page on SEND options and who to contact"] and len(stale) == 4
    )

    # "Your reminders", from the account links: stale actions off, saved, and kept on reload
    tab_to(page, "Your reminders")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/account/reminders")
    expect(page.locator("h1")).to_have_text("Your reminders")
    stale_question = page.get_by_role("group", name=STALE)
    expect(stale_question.get_by_label("Daily", exact=True)).to_be_checked()  # everyone starts on daily
    choose(page, STALE, "Off")
    save_choices(page)
    problems = axe_violations(page)
    page.reload()
    expect(stale_question.get_by_label("Off", exact=True)).to_be_checked()
    expect(
        page.get_by_role("group", name="Overdue actions").get_by_label("Daily", exact=True)
    ).to_be_checked()

    # the day's digest: the overdue action, none of the stale ones, every link to the live server
    send(on)
    [mail] = digests_to_officer(smtp)
    assert mail.message["Subject"] == "3 things need your attention in the Inspection Readiness Tracker"
    # the panel's list, less the stale actions (one of which is also due soon, and stays under that)
    assert groups(mail.html) == {"Overdue actions": overdue, "Actions due soon": due_soon}
    assert STALE not in mail.text
    links = {a.text_content(): a.get("href") for a in lxml.html.fromstring(mail.html).iter("a")}
    assert all(href.startswith(live_server + "/") for href in links.values()), links
    assert f"Overdue actions (1)\n\n- {overdue[0]}\n" in mail.text
    assert f"  {links[overdue[0]]}\n" in mail.text
    assert f"{live_server}/account/reminders" in mail.text

    # the email's link, followed in the browser, opens the action
    inbox = page.context.new_page()
    inbox.set_content(mail.html)
    inbox.get_by_role("link", name=overdue[0]).click()
    inbox.wait_for_url(links[overdue[0]])
    expect(inbox.locator("h1")).to_have_text(overdue[0].removeprefix("A8: "))
    inbox.close()

    # weekly again: a weekday's digest says nothing of stale actions; Monday's lists them
    page.bring_to_front()
    choose(page, STALE, "Weekly, on Mondays")
    save_choices(page)
    problems += axe_violations(page)
    page.reload()
    expect(stale_question.get_by_label("Weekly, on Mondays", exact=True)).to_be_checked()

    weekday = on + timedelta(days=1)
    if weekday.weekday() == MONDAY:
        weekday += timedelta(days=1)
    send(weekday)
    told = len(digests_to_officer(smtp))
    for later in digests_to_officer(
        smtp, since=1
    ):  # any news of the day (an action newly due soon), never stale
        assert STALE not in groups(later.html) and STALE not in later.text

    monday = weekday + timedelta(days=(MONDAY - weekday.weekday()) % 7)
    send(monday)
    [mondays] = digests_to_officer(smtp, since=told)
    assert set(stale) <= set(groups(mondays.html)[STALE])
    assert f"{STALE} (" in mondays.text
    assert problems == []
