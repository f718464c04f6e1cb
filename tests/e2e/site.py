"""The site as people see it in a browser: in one language, on one screen, each person in a browser
context of their own."""

import asyncio
import contextlib
import re

from tests.e2e import checks

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

# Playwright's sync API marks its event loop as running in this thread between calls. While it is
# marked, Django keeps database connections per async context instead of per thread, so the database
# fixtures (serialized data, flush) would work on a connection other than the one the test database
# was set up on. With one browser for many tests, the loop is unmarked while fixtures run and marked
# again while the test drives the browser.
_playwright_loop = None


def unmark_playwright_loop() -> None:
    global _playwright_loop
    _playwright_loop = asyncio._get_running_loop() or _playwright_loop
    asyncio._set_running_loop(None)


def mark_playwright_loop() -> None:
    if _playwright_loop is not None and not _playwright_loop.is_closed():
        asyncio._set_running_loop(_playwright_loop)


@contextlib.contextmanager
def playwright_calls():
    """For a fixture that drives the browser while it is being set up (the loop is unmarked then)."""
    mark_playwright_loop()
    try:
        yield
    finally:
        unmark_playwright_loop()


def field(scope, label: str):
    """The form field labelled `label` (any case, with or without Django's label suffix), as a person
    finds it by the words beside it."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(str(label))}\s*[:：]?\s*\*?\s*$", re.IGNORECASE))


class Site:
    """The site as people see it in one language on one screen. `open(user)` gives a page in a
    browser context of its own, signed in as `user` by its session cookie (where signing in is not
    what the journey is about); `arrive(page)` runs the checks after each navigation."""

    def __init__(self, *, live_server, browser, screenshots, viewport, language):
        self.live_server = live_server
        self.browser = browser
        self.screenshots = screenshots
        self.viewport = viewport
        self.language = language
        self.contexts = []

    @property
    def english(self) -> bool:
        return self.language == "en"

    @property
    def phone(self) -> bool:
        return self.viewport == PHONE

    def url(self, path: str) -> str:
        """A public page in this run's language (Chinese at /…, English at /en/…)."""
        return f"{self.live_server.url}{'/en' if self.english else ''}{path}"

    def admin_url(self, path: str) -> str:
        return f"{self.live_server.url}{path}"

    def open(self, user=None):
        from django.conf import settings
        from django.test import Client

        context = self.browser.new_context(
            viewport=self.viewport,
            locale="en-US" if self.english else "zh-CN",
            has_touch=self.phone,
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": self.live_server.url}]
            )
        page = context.new_page()
        checks.watch_content_security_policy(page)
        return page

    def goto(self, page, url: str):
        page.goto(url)
        self.arrive(page)
        return page

    def arrive(self, page, *, accessibility: bool = True) -> None:
        """What every page must pass. The touch-target check runs on the phone, where a finger is
        the pointer, and not in Wagtail's admin, whose controls (sidebar, sort headers, pagination)
        Wagtail draws at its own sizes; the rest at both sizes, admin included (under its looser CSP)."""
        page.wait_for_load_state()
        checks.no_content_security_policy_violation(page)
        checks.fits_the_screen(page)
        checks.inputs_bring_up_the_right_keyboard(page)
        if self.phone and "/admin/" not in page.url:
            checks.targets_are_big_enough(page)
        if accessibility:
            checks.no_serious_accessibility_violation(page)

    def shot(self, page, name: str) -> None:
        self.screenshots(page, name)

    def close(self):
        for context in self.contexts:
            context.close()
