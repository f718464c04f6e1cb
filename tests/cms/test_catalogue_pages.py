import json
import re
from datetime import time

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from cms.models import NewsIndexPage, NewsPage
from school.models import CourseSkill
from tests.factories import CohortFactory, CourseFactory, ProgramFactory, SkillFactory, UserFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_course(catalogue):
    program = ProgramFactory(name="电子商务", name_en="E-commerce", slug="e-commerce")
    course = CourseFactory(
        code="EC-201",
        title="直播电商运营",
        title_en="Live-stream E-commerce Operations",
        program=program,
        hours=64,
        fee="2800.00",
    )
    CourseSkill.objects.create(course=course, skill=SkillFactory(name="直播带货", name_en="Live selling"), level=3)
    teacher = UserFactory(display_name="李建国")
    open_class = CohortFactory(
        course=course,
        code="EC-201-A",
        weekdays=[2, 4],
        class_starts=time(19),
        class_ends=time(21),
        capacity=30,
        seats_taken=27,
        location="洛龙区开元大道 188 号 301 教室",
    )
    open_class.instructors.add(teacher)
    CohortFactory(course=course, code="EC-201-B", capacity=20, seats_taken=20, status="full")
    page = catalogue.publish(course, featured=True)
    return page


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_course_page_shows_the_facts_skills_and_upcoming_classes_with_seats(client, live_course):
    page = get(client, "/courses/e-commerce/ec-201/")

    assert "直播电商运营" in page
    assert "64" in page and "¥2800" in page
    assert "直播带货" in page
    assert "李建国" in page and "19:00–21:00" in page
    assert "剩余 3 个名额" in page or "3 个" in page
    assert "加入候补名单" in page  # the full class offers the waiting list
    assert 'href="/classes/EC-201-A/enrol/"' in page


def test_the_course_page_describes_the_course_for_search_engines(client, live_course):
    page = get(client, "/courses/e-commerce/ec-201/")

    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(scripts[0])
    assert data["@type"] == "Course"
    assert data["name"] == "直播电商运营"
    assert data["courseCode"] == "EC-201"
    assert data["offers"] == {
        "@type": "Offer",
        "category": "Paid",
        "price": "2800.00",
        "priceCurrency": "CNY",
        "url": data["url"],
    }
    instances = data["hasCourseInstance"]
    assert [instance["name"] for instance in instances] == ["EC-201-A"]  # the full class is not open
    assert instances[0]["courseSchedule"]["byDay"] == ["https://schema.org/Tuesday", "https://schema.org/Thursday"]
    assert instances[0]["instructor"] == [{"@type": "Person", "name": "李建国"}]
    assert '<meta property="og:title" content="直播电商运营">' in page
    assert 'name="description"' in page


def test_the_course_index_lists_courses_and_finds_them_by_pinyin(client, live_course):
    CourseFactory(code="HK-101", title="母婴护理")

    assert "直播电商运营" in get(client, "/courses/")
    found = get(client, "/courses/?q=zhibo")
    assert "直播电商运营" in found
    assert 'value="zhibo"' in found  # the filter form keeps what was asked


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, live_course):
    page = get(client, "/courses/?q=烹饪&schedule=weekend")

    assert "没有符合" in page
    assert 'href="/courses/"' in page


def test_a_bad_filter_value_is_explained_not_an_error(client, live_course):
    page = get(client, "/courses/?fee_min=abc")

    assert "直播电商运营" in page
    assert "form-errors" in page


def test_the_catalogue_speaks_english_under_en(client, live_course):
    page = get(client, "/en/courses/?q=zb")

    assert '<html lang="en">' in page
    assert "Live-stream E-commerce Operations" in page
    assert 'href="/en/courses/e-commerce/ec-201/"' in page


def test_the_program_page_lists_its_courses(client, live_course):
    assert "直播电商运营" in get(client, "/courses/e-commerce/")


def test_the_home_page_shows_programs_featured_courses_next_classes_and_news(client, live_course):
    home = live_course.get_site().root_page
    news_index = home.add_child(instance=NewsIndexPage(title="新闻动态", slug="news"))
    news_index.add_child(
        instance=NewsPage(title="秋季班结业典礼", slug="graduation", intro="结业", date=days_from_today(-1))
    )

    page = get(client, "/")

    assert 'href="/courses/e-commerce/"' in page
    assert "直播电商运营" in page
    assert "EC-201" in page or days_from_today(30).strftime("%Y") in page
    assert "秋季班结业典礼" in page


def test_sitemap_and_robots(client, live_course):
    sitemap = get(client, "/sitemap.xml")
    robots = get(client, "/robots.txt")

    assert "/courses/e-commerce/ec-201/" in sitemap
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots


def queries_for(client, path) -> int:
    client.get(path)  # warm the per-process caches (content types, site root paths)
    cache.clear()  # measure a page built from the database, not one from the page cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def add_courses(catalogue, count):
    program = ProgramFactory(slug=f"program-{count}")
    for _ in range(count):
        course = CourseFactory(program=program)
        CohortFactory(course=course)
        CohortFactory(course=course, weekdays=[6, 7])
        CourseSkill.objects.create(course=course, skill=SkillFactory(), level=2)
        catalogue.publish(course, featured=True)


@pytest.mark.parametrize(
    "path", ["/", "/courses/", "/courses/?schedule=weekend&sort=start", "/courses/e-commerce/ec-201/"]
)
def test_pages_run_the_same_number_of_queries_with_10_or_200_courses(client, catalogue, live_course, path):
    add_courses(catalogue, 10)
    with_10 = queries_for(client, path)
    add_courses(catalogue, 190)
    with_200 = queries_for(client, path)

    assert with_10 == with_200
    assert with_200 <= 20
