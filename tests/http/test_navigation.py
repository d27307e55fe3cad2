"""The header's account area holds the signed-in person's account links and Sign out; the service navigation
below it holds only the service's pages, for every role."""

import lxml.html
import pytest

from tracker.models import Role

SERVICE_PAGES = [
    "/",
    "/findings",
    "/actions",
    "/actions/mine",
    "/evidence",
    "/measures",
    "/surveys",
    "/criteria",
    "/self-evaluation",
    "/requests",
]
ADMIN_PAGES = ["/admin/users", "/admin/audit", "/admin/sso", "/admin/teams", "/admin/reminders"]
ACCOUNT_LINKS = [
    ("Change password", "/account/password"),
    ("Two-step verification", "/account/two-step"),
    ("Your sessions", "/account/sessions"),
    ("Your reminders", "/account/reminders"),
    ("API tokens", "/account/api-tokens"),
]


def links(area) -> list[tuple[str, str]]:
    return [(link.text_content().strip(), link.get("href")) for link in area.iter("a")]


@pytest.mark.parametrize(
    ("role", "service", "account"),
    [
        (Role.LEADER, SERVICE_PAGES, ACCOUNT_LINKS),
        (Role.OFFICER, SERVICE_PAGES, ACCOUNT_LINKS),
        (Role.VIEWER, SERVICE_PAGES, ACCOUNT_LINKS),
        (Role.ADMIN, ADMIN_PAGES, ACCOUNT_LINKS[:3]),  # no plan: no reminders of it, no API tokens
    ],
)
def test_account_links_sit_in_the_headers_account_area_not_the_service_navigation(
    client_as, role, service, account
):
    page = lxml.html.fromstring(client_as(role).get("/account/sessions").get_data(as_text=True))
    (header,) = page.xpath("//header[@class='govuk-template__header']")
    (account_area,) = header.xpath(
        ".//div[contains(@class, 'govuk-generic-header')]//nav[@aria-label='Your account']"
    )
    (menu,) = header.xpath(
        ".//div[contains(@class, 'govuk-service-navigation')]//nav[@aria-label='Main menu']"
    )
    assert links(account_area) == account
    assert [button.text_content() for button in account_area.xpath(".//form//button")] == ["Sign out"]
    (sign_out,) = account_area.xpath(".//form")
    assert sign_out.get("method") == "post" and sign_out.get("action") == "/logout"
    assert sign_out.xpath(".//input[@name='csrf_token']")
    in_menu = [href for _, href in links(menu)]
    assert [href for href in in_menu if href in service] == service
    assert not [href for href in in_menu if href.startswith("/account")]
    assert not menu.xpath(".//form | .//button[@type='submit']")
    current = account_area.xpath(".//a[@aria-current='page']")
    assert [link.text_content() for link in current] == ["Your sessions"]


def test_signed_out_the_header_has_no_account_area(client):
    page = lxml.html.fromstring(client.get("/login").get_data(as_text=True))
    assert not page.xpath("//nav[@aria-label='Your account']")
    assert "Sign out" not in page.text_content()
