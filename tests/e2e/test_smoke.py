"""A real browser loads the home page and switches the language."""

import pytest

# Chromium reaches the site: the database plays no part, so the SQLite pass only.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}, {"width": 1280, "height": 800}])
def test_the_home_page_loads_in_chinese_and_switches_to_english(live_server, chromium_browser, screenshots, viewport):
    context = chromium_browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="首页").is_visible()
    screenshots(page, f"home-zh-{viewport['width']}")

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Home").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshots(page, f"home-en-{viewport['width']}")
    context.close()
