import pytest

from school.models import CourseSkill
from tests.factories import CohortFactory, CourseFactory, ProgramFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_course():
    course = CourseFactory(
        code="EC-201", title="直播电商运营", program=ProgramFactory(slug="e-commerce"), fee="2800.00"
    )
    CourseSkill.objects.create(course=course, skill=SkillFactory(slug="live-selling"), level=3)
    CohortFactory(course=course, code="EC-201-A", capacity=30, seats_taken=27, weekdays=[6, 7])
    CourseFactory(code="HK-101", title="母婴护理")
    return course


def test_programs_are_listed(client, live_course):
    slugs = [program["slug"] for program in client.get("/api/v1/programs/").json()]

    assert "e-commerce" in slugs


def test_courses_filter_like_the_catalogue_page(client, live_course):
    by_pinyin = client.get("/api/v1/courses/", {"q": "zhibo"}).json()
    by_schedule = client.get("/api/v1/courses/", {"schedule": "weekend"}).json()

    assert [course["code"] for course in by_pinyin["results"]] == ["EC-201"]
    assert [course["code"] for course in by_schedule["results"]] == ["EC-201"]
    course = by_pinyin["results"][0]
    assert course["fee"] == "2800.00"
    assert course["skills"] == [
        {"slug": "live-selling", "name": course["skills"][0]["name"], "name_en": "", "level": 3}
    ]
    assert course["upcoming_cohorts"][0]["seats_left"] == 3


def test_a_course_by_its_code(client, live_course):
    assert client.get("/api/v1/courses/EC-201/").json()["title"] == "直播电商运营"
    assert client.get("/api/v1/courses/NOPE/").status_code == 404


def test_cohorts_show_seats_left(client, live_course):
    cohorts = client.get("/api/v1/cohorts/", {"course": "ec-201"}).json()["results"]

    assert cohorts == [cohorts[0]]
    assert cohorts[0]["seats_left"] == 3
    assert cohorts[0]["weekdays"] == [6, 7]
    assert cohorts[0]["time_of_week"] == "weekend"


def test_a_bad_filter_gets_a_clear_400(client, live_course):
    response = client.get("/api/v1/courses/", {"fee_min": "abc", "schedule": "midnight"})

    assert response.status_code == 400
    assert set(response.json()) == {"fee_min", "schedule"}


def test_the_catalogue_api_is_read_only(client, live_course, staff_user):
    client.force_login(staff_user)

    assert client.post("/api/v1/courses/", {"code": "X"}).status_code == 405
    assert client.delete("/api/v1/courses/EC-201/").status_code == 405


def test_the_catalogue_endpoints_are_in_the_schema(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    assert {"/api/v1/programs/", "/api/v1/courses/", "/api/v1/cohorts/", "/api/v1/courses/{code}/"} <= set(paths)


def test_the_catalogue_api_answers_in_the_callers_language(client, live_course):
    chinese = client.get("/api/v1/courses/", {"fee_min": "abc"})
    english = client.get("/api/v1/courses/", {"fee_min": "abc"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "请输入数字" in str(chinese.json())
    assert "Enter a number" in str(english.json())
