"""A student's own pages: profile, enrolling from a course page, the dashboard, inbox and calendar."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from wagtail.models import Site

import pytest

from accounts.models import Notification
from school.identity import decrypt
from school.models import ClassSession, Enrollment, EnrolmentSettings, StudentProfile
from school.services.enrolment import enrol
from tests.factories import CohortFactory, StudentFactory, StudentProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask_id_card(db):
    EnrolmentSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"ask_id_card": True}
    )


@pytest.fixture
def catalogue_course_page(catalogue):
    cohort = CohortFactory()
    return catalogue.publish(cohort.course)


@pytest.fixture
def signed_in(client):
    profile = StudentProfileFactory()
    client.force_login(profile.user)
    client.user = profile.user
    return client


def test_enrolling_asks_for_the_profile_first_then_comes_back(client, student):
    cohort = CohortFactory()
    client.force_login(student)
    enrol_url = reverse("school:enrol", args=[cohort.code])

    first = client.get(enrol_url)
    assert first.status_code == 302 and reverse("school:profile") in first.url

    saved = client.post(first.url, {"real_name": "刘芳", "education": "college", "district": "jianxi"})
    assert saved.url == enrol_url
    assert StudentProfile.objects.get(user=student).real_name == "刘芳"


def test_a_student_enrols_from_the_class_page_and_sees_it_on_the_dashboard(signed_in):
    cohort = CohortFactory(capacity=5)

    page = signed_in.get(reverse("school:enrol", args=[cohort.code]))
    assert "确认报名" in page.content.decode()
    response = signed_in.post(reverse("school:enrol", args=[cohort.code]), follow=True)

    assert Enrollment.objects.get(student=signed_in.user).status == "enrolled"
    assert cohort.code in response.content.decode()
    assert "已报名" in response.content.decode()


def test_a_full_class_offers_the_waiting_list_and_shows_the_position(signed_in):
    cohort = CohortFactory(capacity=1)
    enrol(student=StudentFactory(), cohort=cohort)

    page = signed_in.get(reverse("school:enrol", args=[cohort.code])).content.decode()
    assert "加入候补名单" in page
    dashboard = signed_in.post(reverse("school:enrol", args=[cohort.code]), follow=True).content.decode()

    assert "候补第 1 位" in dashboard


def test_a_refused_enrolment_explains_why(signed_in):
    cohort = CohortFactory(status="planned")

    response = signed_in.post(reverse("school:enrol", args=[cohort.code]), follow=True)

    assert "该班级暂不接受报名" in response.content.decode()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "language, shown, refused",
    [
        ("zh-hans", "您在这个班级已有名额：候补中。", "您已报名这个班级。"),
        (
            "en",
            "You already have a place in this class: On the waiting list.",
            "You are already enrolled in this class.",
        ),
    ],
)
def test_the_class_page_shows_the_students_place_and_refuses_a_second_one_writing_nothing(
    signed_in, language, shown, refused
):
    cohort = CohortFactory(capacity=1)
    enrol(student=StudentFactory(), cohort=cohort)
    enrol(student=signed_in.user, cohort=cohort)
    with translation.override(language):
        address = reverse("school:enrol", args=[cohort.code])  # /en/… in English

    page = signed_in.get(address).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = signed_in.post(address).content.decode()

    assert shown in page
    assert refused in again and shown in again
    written = [q["sql"] for q in queries.captured_queries if q["sql"].split(None, 1)[0].upper() in {"INSERT", "UPDATE"}]
    # The session (its messages) is the only thing saved.
    assert all("django_session" in sql for sql in written), written
    assert Enrollment.objects.filter(student=signed_in.user).count() == 1


def test_a_student_withdraws_but_cannot_touch_anothers_enrolment(signed_in):
    mine = enrol(student=signed_in.user, cohort=CohortFactory())
    theirs = enrol(student=StudentFactory(), cohort=CohortFactory())

    signed_in.post(reverse("school:withdraw", args=[mine.pk]))
    response = signed_in.post(reverse("school:withdraw", args=[theirs.pk]))

    assert Enrollment.objects.get(pk=mine.pk).status == "withdrawn"
    assert response.status_code == 404
    assert Enrollment.objects.get(pk=theirs.pk).status == "enrolled"


def test_a_shared_course_link_credits_the_referrer(client, catalogue_course_page):
    referrer = StudentProfileFactory()
    visitor = StudentProfileFactory()
    client.get(catalogue_course_page.url + f"?ref={referrer.referral_code}")
    client.force_login(visitor.user)

    client.post(reverse("school:enrol", args=[catalogue_course_page.course.cohorts.get().code]))

    assert Enrollment.objects.get(student=visitor.user).referred_by == referrer.user


def test_the_inbox_shows_messages_and_marks_them_read(signed_in):
    enrol(student=signed_in.user, cohort=CohortFactory())

    page = signed_in.get(reverse("school:inbox")).content.decode()

    assert "报名成功" in page
    assert not Notification.objects.filter(recipient=signed_in.user, read_at__isnull=True).exists()


def test_the_calendar_feed_lists_the_sessions_of_my_classes(client):
    profile = StudentProfileFactory()
    cohort = CohortFactory(code="EC-201-A")
    enrol(student=profile.user, cohort=cohort)
    ClassSession.objects.create(
        cohort=cohort, date=cohort.start_date, starts=cohort.class_starts, ends=cohort.class_ends
    )

    feed = client.get(reverse("school:calendar", args=[profile.calendar_token]))

    assert feed["Content-Type"].startswith("text/calendar")
    assert "EC-201-A" in feed.content.decode()
    assert client.get(reverse("school:calendar", args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize(
    ("number", "message"),
    [("41030219950312123X", "校验位"), ("410302199502301231", "出生日期"), ("12345", "18 位")],
)
def test_the_id_card_number_is_checked_when_staff_ask_for_it(signed_in, ask_id_card, number, message):
    response = signed_in.post(reverse("school:profile"), {"real_name": "刘芳", "id_card": number})

    assert message in response.content.decode()


def test_a_valid_id_card_number_is_stored_encrypted_and_shown_masked(signed_in, ask_id_card):
    signed_in.post(reverse("school:profile"), {"real_name": "刘芳", "id_card": "410302199503121231"})

    profile = StudentProfile.objects.get(user=signed_in.user)
    assert profile.id_card_masked == "410302********1231"
    assert "19950312" not in profile.id_card_encrypted
    assert decrypt(profile.id_card_encrypted) == "410302199503121231"
    assert "410302********1231" in signed_in.get(reverse("school:profile")).content.decode()
