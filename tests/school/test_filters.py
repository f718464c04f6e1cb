import datetime

import pytest

from school.models import Cohort, CourseSkill
from school.selectors import filter_courses
from tests.factories import CohortFactory, CourseFactory, ProgramFactory, SkillFactory, days_from_today

pytestmark = pytest.mark.django_db


def codes(query):
    return [course.code for course in filter_courses(query).qs]


def test_filter_by_program_and_skill():
    ecommerce = ProgramFactory(slug="e-commerce")
    live = CourseFactory(code="EC-201", program=ecommerce)
    CourseFactory(code="HK-101")
    skill = SkillFactory(slug="live-streaming")
    CourseSkill.objects.create(course=live, skill=skill, level=3)

    assert codes({"program": "e-commerce"}) == ["EC-201"]
    assert codes({"skill": "live-streaming"}) == ["EC-201"]


def test_filter_by_when_the_class_meets():
    evening = CohortFactory(
        course__code="EV-1", weekdays=[2, 4], class_starts=datetime.time(19), class_ends=datetime.time(21)
    )
    weekend = CohortFactory(course__code="WE-1", weekdays=[6, 7])
    CohortFactory(course__code="DAY-1", weekdays=[1, 3])

    assert evening.time_of_week == Cohort.TimeOfWeek.EVENING
    assert codes({"schedule": "evening"}) == ["EV-1"]
    assert codes({"schedule": "weekend"}) == [weekend.course.code]
    assert codes({"schedule": "weekday"}) == ["DAY-1"]


def test_one_class_must_meet_every_class_condition_together():
    course = CourseFactory(code="EC-201")
    CohortFactory(course=course, weekdays=[6], delivery="on_site")
    CohortFactory(course=course, weekdays=[1], delivery="online")

    assert codes({"schedule": "weekend", "delivery": "online"}) == []
    assert codes({"schedule": "weekend", "delivery": "on_site"}) == ["EC-201"]


def test_filter_by_start_month_fee_and_subsidy():
    start = days_from_today(40)
    CohortFactory(course__code="A", course__fee="0", course__subsidised=True, start_date=start)
    CohortFactory(course__code="B", course__fee="2800", start_date=days_from_today(100))

    assert codes({"start_month": start.strftime("%Y-%m")}) == ["A"]
    assert codes({"subsidised": "true"}) == ["A"]
    assert codes({"fee_min": "1000"}) == ["B"]
    assert codes({"fee_max": "1000"}) == ["A"]


def test_finished_and_cancelled_classes_do_not_count():
    CohortFactory(course__code="OLD", status="cancelled", weekdays=[6])

    assert codes({"schedule": "weekend"}) == []


def test_sort_by_next_class_puts_courses_without_classes_last():
    CourseFactory(code="NONE")
    CohortFactory(course__code="LATE", start_date=days_from_today(90))
    CohortFactory(course__code="SOON", start_date=days_from_today(10))

    assert codes({"sort": "start"}) == ["SOON", "LATE", "NONE"]
    assert codes({"sort": "-fee"})[0] in {"NONE", "LATE", "SOON"}


def test_bad_filter_values_are_reported_and_ignored():
    CourseFactory(code="A")

    course_filter = filter_courses({"fee_min": "lots", "schedule": "midnight"})

    assert [course.code for course in course_filter.qs] == ["A"]
    assert set(course_filter.form.errors) == {"fee_min", "schedule"}
