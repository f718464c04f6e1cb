from django.urls import reverse

import pytest

from tests.factories import CohortFactory, CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_page(catalogue):
    course = CourseFactory(code="EC-201", title="直播电商运营")
    CohortFactory(course=course, code="EC-201-A", capacity=30, seats_taken=10)
    return catalogue.publish(course)


URL = "/courses/{program}/ec-201/"


def url_of(page):
    return page.url


def test_a_visitor_gets_the_cached_page_the_second_time(client, course_page):
    first = client.get(url_of(course_page))
    second = client.get(url_of(course_page))

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_a_change_to_a_class_shows_at_once(client, course_page):
    client.get(url_of(course_page))
    cohort = course_page.course.cohorts.get()
    cohort.seats_taken = 29
    cohort.save()

    response = client.get(url_of(course_page))

    assert response["X-Page-Cache"] == "miss"
    assert (
        "剩余 1" in response.content.decode()
        or "1 个名额" in response.content.decode()
        or "1 seat" in response.content.decode()
    )


def test_publishing_an_edit_shows_at_once(client, course_page):
    client.get(url_of(course_page))
    course_page.intro = "全新的课程介绍"
    course_page.save_revision().publish()

    assert "全新的课程介绍" in client.get(url_of(course_page)).content.decode()


def test_signed_in_people_are_never_served_from_the_cache(client, course_page, student):
    client.get(url_of(course_page))
    client.force_login(student)

    response = client.get(url_of(course_page))

    assert "X-Page-Cache" not in response
    assert student.display_name in response.content.decode()


def test_each_language_is_cached_apart(client, course_page):
    client.get(url_of(course_page))

    english = client.get("/en" + url_of(course_page))

    assert english["X-Page-Cache"] == "miss"
    assert '<html lang="en">' in english.content.decode()


def test_forms_are_never_cached(client):
    page = client.get(reverse("accounts:sign_up"))

    assert "X-Page-Cache" not in page


def test_made_up_query_strings_are_not_cached(client, course_page):
    first = client.get(url_of(course_page) + "?utm_source=wechat")

    assert "X-Page-Cache" not in first
    assert first.status_code == 200


def test_the_same_filters_in_another_order_share_one_cached_page(client, course_page):
    index = course_page.get_parent().get_parent()
    client.get(index.url + "?schedule=evening&q=zhibo")

    assert client.get(index.url + "?q=zhibo&schedule=evening")["X-Page-Cache"] == "hit"


def test_health_checks_and_the_api_skip_the_cache(client, course_page):
    assert "X-Page-Cache" not in client.get("/healthz")
    assert "X-Page-Cache" not in client.get("/api/v1/courses/")


def test_an_enrolment_updates_the_seats_shown_at_once(client, course_page, django_capture_on_commit_callbacks):
    from school.services.enrolment import enrol
    from tests.factories import StudentFactory

    before = client.get(url_of(course_page)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        enrol(student=StudentFactory(), cohort=course_page.course.cohorts.get())

    after = client.get(url_of(course_page))

    assert "剩余 20 个（共 30 个）" in before
    assert after["X-Page-Cache"] == "miss"
    assert "剩余 19 个（共 30 个）" in after.content.decode()
