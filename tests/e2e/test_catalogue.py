"""A visitor finds a course on a phone and on a desktop, in Chinese and in English."""

import pytest

from cms.demo import seed_pages
from school.demo import seed_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
WORDS = {
    "zh-hans": {
        "prefix": "",
        "search": "搜索",
        "show": "查看课程",
        "filters": "筛选",
        "when": "上课时间",
        "upcoming": "近期开班",
        "enrol": "报名",
    },
    "en": {
        "prefix": "/en",
        "search": "Search",
        "show": "Show courses",
        "filters": "Filters",
        "when": "When",
        "upcoming": "Upcoming classes",
        "enrol": "Enrol",
    },
}


def no_sideways_scrolling(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_visitor_finds_a_course_by_pinyin_filters_by_time_and_reaches_sign_in(
    live_server, chromium_browser, screenshots, viewport, language
):
    seed_catalogue()
    seed_pages()
    words = WORDS[language]
    context = chromium_browser.new_context(viewport=viewport)
    page = context.new_page()
    shot = f"{language}-{viewport['width']}"

    page.goto(f"{live_server.url}{words['prefix']}/courses/")
    no_sideways_scrolling(page, viewport)
    page.get_by_label(words["search"]).fill("zhibo")
    page.get_by_role("button", name=words["show"]).click()
    page.wait_for_load_state()
    assert "q=zhibo" in page.url
    title = "直播电商运营" if language == "zh-hans" else "Live-stream E-commerce Operations"
    assert page.get_by_role("link", name=title).is_visible()
    screenshots(page, f"search-{shot}")

    if page.locator("details.filters__more").get_attribute("open") is None:
        page.get_by_text(words["filters"], exact=True).click()
    page.get_by_label(words["when"]).select_option("evening")
    page.get_by_role("button", name=words["show"]).click()
    page.wait_for_load_state()
    assert "schedule=evening" in page.url and "q=zhibo" in page.url  # the state stays in the address
    no_sideways_scrolling(page, viewport)

    page.get_by_role("link", name=title).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=title).is_visible()
    assert page.get_by_role("heading", name=words["upcoming"]).is_visible()
    no_sideways_scrolling(page, viewport)
    screenshots(page, f"course-{shot}")

    page.get_by_role("link", name=words["enrol"], exact=True).first.click()
    page.wait_for_load_state()
    assert "/accounts/sign-in/" in page.url and "next=" in page.url
    context.close()
