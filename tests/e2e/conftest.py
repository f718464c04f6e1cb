"""Browser journeys: one Chromium for the whole package, and a `site` per journey run in each language
at each screen size."""

from django.db import connections

import pytest

from tests.conftest import launched_chromium
from tests.e2e.site import DESKTOP, PHONE, Site, mark_playwright_loop, unmark_playwright_loop


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    # The database fixtures of the test about to run see the thread's own connection (see site.py).
    unmark_playwright_loop()
    try:
        return (yield)
    finally:
        mark_playwright_loop()


@pytest.fixture(scope="package")
def chromium_browser(django_db_setup, live_server):
    # Shared by every test in tests/e2e: starting Chromium costs about a second. Started after the test
    # database exists and closed before it is dropped (a package fixture ends before session ones).
    with launched_chromium() as browser:
        unmark_playwright_loop()
        yield browser
        mark_playwright_loop()
    unmark_playwright_loop()


@pytest.fixture(autouse=True)
def _database_connections_of_this_thread():
    # Set up after the database fixtures, so torn down before them: close the connections the test's
    # own queries opened while the loop was marked, then leave the thread's own to the fixtures.
    yield
    connections.close_all()
    unmark_playwright_loop()


@pytest.fixture(
    params=[
        (PHONE, "zh-hans"),
        (PHONE, "en"),
        (DESKTOP, "zh-hans"),
        (DESKTOP, "en"),
    ],
    ids=["phone-zh", "phone-en", "desktop-zh", "desktop-en"],
)
def site(request, live_server, chromium_browser, screenshots):
    viewport, language = request.param
    site = Site(
        live_server=live_server,
        browser=chromium_browser,
        screenshots=screenshots,
        viewport=viewport,
        language=language,
    )
    yield site
    site.close()
