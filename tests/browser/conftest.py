"""A live server on the test database, Chromium driven by Playwright, and axe-core."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from config import BASE_DIR, TestConfig
from tracker import create_app
from tracker.extensions import db

AXE_SOURCE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str:
    candidates = [
        os.environ.get("TRACKER_CHROMIUM"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium was not found: install it (apt-get install chromium) or set TRACKER_CHROMIUM.")


@pytest.fixture(scope="session")
def live_server(app, database_uri):
    """The app served over HTTP on a free port, with CSRF on as in production."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        TRACKER_STORAGE_DIR = app.config["TRACKER_STORAGE_DIR"]
        WTF_CSRF_ENABLED = True

    served = create_app(Config)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with served.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[str]:
    """Run axe-core on the page for WCAG 2.2 A and AA; one readable line per violation."""
    if not AXE_SOURCE.exists():
        pytest.fail("axe-core is missing: run make install.")
    page.wait_for_load_state()
    # evaluated through the browser's devtools protocol, which the page's Content-Security-Policy does not
    # govern: a <script> tag added to the page would be refused, having no nonce
    page.evaluate(AXE_SOURCE.read_text() + "\n;undefined")
    # resultTypes: every violation in full, while passes and the rest are summarised by one node each, which
    # this does not read: about a third less time on the dashboard's charts
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
