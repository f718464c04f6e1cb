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


def test_signed_in_people_get_the_cached_page_with_their_own_header(client, course_page, student):
    client.get(url_of(course_page))
    client.force_login(student)

    response = client.get(url_of(course_page))
    page = response.content.decode()

    assert response["X-Page-Cache"] == "hit"
    assert student.display_name in page
    assert "退出" in page and "csrfmiddlewaretoken" in page  # their own sign-out form
    assert "private" in response["Cache-Control"]  # no cache on the way may keep their page


def test_a_signed_in_visit_stores_a_copy_that_is_nobody_s(client, course_page, student):
    client.force_login(student)
    first = client.get(url_of(course_page))
    client.logout()

    anonymous = client.get(url_of(course_page))

    assert first["X-Page-Cache"] == "miss" and student.display_name in first.content.decode()
    assert anonymous["X-Page-Cache"] == "hit"
    assert student.display_name not in anonymous.content.decode()
    assert "csrfmiddlewaretoken" not in anonymous.content.decode()
    assert "登录" in anonymous.content.decode()


def test_two_students_each_see_their_own_parts_of_one_cached_page(client, course_page):
    from tests.factories import StudentProfileFactory

    first, second = StudentProfileFactory(), StudentProfileFactory()
    pages = []
    for profile in (first, second):
        client.force_login(profile.user)
        pages.append(client.get(url_of(course_page)))

    assert [page["X-Page-Cache"] for page in pages] == ["miss", "hit"]
    for page, profile, other in ((pages[0], first, second), (pages[1], second, first)):
        text = page.content.decode()
        assert profile.user.display_name in text and f"?ref={profile.referral_code}" in text
        assert other.user.display_name not in text and other.referral_code not in text


def test_a_message_for_a_signed_in_visitor_shows_on_a_cached_page(client, rf, course_page, student):
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse

    client.get(url_of(course_page))
    client.force_login(student)
    # The cookie a redirect after an action leaves, e.g. "enrolled" on the way back to the course page.
    storage, carrier = CookieStorage(rf.get("/")), HttpResponse()
    storage.add(25, "报名成功")
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value

    response = client.get(url_of(course_page))

    assert response["X-Page-Cache"] == "hit"
    assert "报名成功" in response.content.decode()
    assert "报名成功" not in client.get(url_of(course_page)).content.decode()  # shown once


def test_people_who_edit_pages_are_never_served_from_the_cache(client, course_page, staff_user):
    client.get(url_of(course_page))
    client.force_login(staff_user)

    response = client.get(url_of(course_page))

    assert "X-Page-Cache" not in response
    assert staff_user.display_name in response.content.decode()


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


def test_a_seat_taken_in_another_course_keeps_this_page_and_the_catalogue(
    client, catalogue, course_page, django_capture_on_commit_callbacks
):
    from school.services.enrolment import enrol
    from tests.factories import StudentFactory

    other = CohortFactory(course=CourseFactory(code="HK-101", title="家政服务"), capacity=10)
    catalogue.publish(other.course)
    index_url = course_page.get_parent().get_parent().url
    client.get(url_of(course_page))
    client.get(index_url)
    with django_capture_on_commit_callbacks(execute=True):
        enrol(student=StudentFactory(), cohort=other)

    assert client.get(url_of(course_page))["X-Page-Cache"] == "hit"
    assert client.get(index_url)["X-Page-Cache"] == "hit"
    assert (
        client.get(url_of(catalogue.program_pages[other.course.program_id].get_children().get()))["X-Page-Cache"]
        == "miss"
    )


def test_every_public_page_is_the_same_for_everyone_but_its_personal_parts(client):
    """What lets signed-in people share the cached copy: outside the {% personal %} parts, each page a
    student sees is the page an anonymous visitor sees. A page with a form of its own (a CSRF token) is
    never stored from anyone's visit."""
    from django.core.cache import cache

    from wagtail.models import Page

    from cms.cache import _PERSONAL
    from cms.demo import seed_pages
    from school.demo import seed_catalogue
    from tests.factories import JobPostingFactory, StudentProfileFactory

    seed_catalogue()
    seed_pages()
    posting = JobPostingFactory()
    member = StudentProfileFactory()
    urls = [page.url for page in Page.objects.live().public().specific() if page.url]
    urls += ["/jobs/", "/en/jobs/", f"/jobs/{posting.pk}/", f"/en/jobs/{posting.pk}/", "/en" + urls[-1]]
    assert len(urls) > 10
    compared = 0
    for url in urls:
        cache.clear()
        client.logout()
        anonymous = client.get(url)
        cache.clear()
        client.force_login(member.user)
        signed_in = client.get(url)
        assert anonymous.status_code == signed_in.status_code == 200, url
        if anonymous.cookies:  # a page with a form: never stored, from anyone's visit
            assert "X-Page-Cache" not in anonymous and "X-Page-Cache" not in signed_in, url
            continue
        assert signed_in["X-Page-Cache"] == "miss", url
        assert member.user.display_name in signed_in.content.decode(), url
        assert _PERSONAL.sub("", anonymous.content.decode()) == _PERSONAL.sub("", signed_in.content.decode()), url
        compared += 1
    assert compared >= len(urls) - 2


def test_a_student_applies_from_a_cached_posting_page_with_their_own_form(catalogue):
    import re

    from django.test import Client

    from jobs.models import Application
    from tests.factories import JobPostingFactory, StudentProfileFactory

    posting = JobPostingFactory()
    student = StudentProfileFactory().user
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/jobs/{posting.pk}/")  # stored by an anonymous visit
    browser.force_login(student)

    page = browser.get(f"/jobs/{posting.pk}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    applied = browser.post(f"/jobs/{posting.pk}/apply/", {"csrfmiddlewaretoken": token, "message": "您好"})

    assert page["X-Page-Cache"] == "hit"
    assert applied.status_code == 302
    assert Application.objects.filter(posting=posting, graduate=student).exists()
    # The page, still from the cache, now tells them they applied.
    after = browser.get(f"/jobs/{posting.pk}/")
    assert after["X-Page-Cache"] == "hit" and "您已于" in after.content.decode()
