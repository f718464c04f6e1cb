"""The enrolment state machine, as students and staff drive it through the services."""

import datetime

from django.db import connection
from django.utils import timezone

import pytest

from accounts.models import Notification
from school.errors import EnrolmentError
from school.models import Cohort, Enrollment, EnrollmentEvent
from school.services import enrolment as service
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    StaffFactory,
    StudentFactory,
    StudentProfileFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db
Status = Enrollment.Status


def waitlist_positions(cohort):
    return {
        row["student_id"]: row["position"]
        for row in Enrollment.objects.filter(cohort=cohort).waitlist().values("student_id", "position")
    }


def test_a_student_takes_a_seat_and_is_told(django_capture_on_commit_callbacks):
    cohort = CohortFactory(capacity=2)
    student = StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = service.enrol(student=student, cohort=cohort)

    cohort.refresh_from_db()
    assert enrollment.status == Status.ENROLLED
    assert cohort.seats_taken == 1
    notification = Notification.objects.get(recipient=student)
    assert cohort.code in notification.body
    assert list(enrollment.events.values_list("from_status", "to_status", "actor")) == [("", "enrolled", student.pk)]


def test_a_full_class_puts_students_on_a_waiting_list_with_positions():
    cohort = CohortFactory(capacity=1)
    first, second, third = StudentFactory(), StudentFactory(), StudentFactory()

    service.enrol(student=first, cohort=cohort)
    service.enrol(student=second, cohort=cohort)
    service.enrol(student=third, cohort=cohort)

    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.FULL
    assert waitlist_positions(cohort) == {second.pk: 1, third.pk: 2}


def test_when_a_seat_frees_the_first_on_the_waiting_list_is_promoted_and_told():
    cohort = CohortFactory(capacity=1)
    first, second, third = StudentFactory(), StudentFactory(), StudentFactory()
    seat = service.enrol(student=first, cohort=cohort)
    service.enrol(student=second, cohort=cohort)
    service.enrol(student=third, cohort=cohort)

    service.withdraw(enrollment=seat, actor=first)

    assert Enrollment.objects.get(student=second).status == Status.ENROLLED
    assert waitlist_positions(cohort) == {third.pk: 1}
    cohort.refresh_from_db()
    assert cohort.seats_taken == 1 and cohort.status == Cohort.Status.FULL
    assert Notification.objects.filter(recipient=second).count() == 2  # waitlisted, then promoted


def test_leaving_the_waiting_list_closes_the_gap():
    cohort = CohortFactory(capacity=1)
    students = [StudentFactory() for _ in range(4)]
    enrollments = [service.enrol(student=student, cohort=cohort) for student in students]

    service.withdraw(enrollment=enrollments[2], actor=students[2])

    assert waitlist_positions(cohort) == {students[1].pk: 1, students[3].pk: 2}


def test_a_course_that_needs_approval_holds_the_seat_until_staff_decide():
    cohort = CohortFactory(capacity=1, course__requires_approval=True)
    student, waiting, staff = StudentFactory(), StudentFactory(), StaffFactory()

    pending = service.enrol(student=student, cohort=cohort)
    service.enrol(student=waiting, cohort=cohort)
    assert pending.status == Status.PENDING

    service.reject(enrollment=pending, actor=staff, reason="学历不符合要求")

    promoted = Enrollment.objects.get(student=waiting)
    assert promoted.status == Status.PENDING  # promoted, and still needs approval
    service.approve(enrollment=promoted, actor=staff)
    assert Enrollment.objects.get(student=waiting).status == Status.ENROLLED
    rejected_events = EnrollmentEvent.objects.filter(enrollment=pending, to_status=Status.REJECTED)
    assert rejected_events.get().actor == staff and rejected_events.get().note == "学历不符合要求"


@pytest.mark.parametrize(
    ("cohort_fields", "code"),
    [
        ({"status": "planned"}, "closed"),
        ({"enrolment_opens": days_from_today(3)}, "window"),
        ({"enrolment_opens": days_from_today(-10), "enrolment_closes": days_from_today(-1)}, "window"),
    ],
)
def test_enrolment_outside_its_window_is_refused(cohort_fields, code):
    with pytest.raises(EnrolmentError) as refused:
        service.enrol(student=StudentFactory(), cohort=CohortFactory(**cohort_fields))

    assert refused.value.code == code


def test_no_second_enrolment_in_the_same_class_but_one_may_come_back_after_leaving(monkeypatch):
    # Without RETURNING (SQLite before 3.35) the insert falls back to a savepoint; the rules are the same.
    for returning in [True, False] if connection.vendor == "sqlite" else [True]:
        monkeypatch.setattr(connection.features, "can_return_columns_from_insert", returning)
        cohort, student = CohortFactory(capacity=3), StudentFactory()
        enrollment = service.enrol(student=student, cohort=cohort)

        with pytest.raises(EnrolmentError) as refused:
            service.enrol(student=student, cohort=cohort)
        assert refused.value.code == "duplicate"
        service.withdraw(enrollment=enrollment, actor=student)
        again = service.enrol(student=student, cohort=cohort)

        assert again.pk == enrollment.pk and again.status == Status.ENROLLED
        cohort.refresh_from_db()
        assert cohort.seats_taken == 1  # the refused attempt's seat went back with its transaction
        assert list(enrollment.events.values_list("to_status", flat=True)) == ["enrolled", "withdrawn", "enrolled"]


def test_prerequisites_must_be_completed_first():
    basics = CourseFactory(code="EC-101", title="网店运营入门")
    advanced = CohortFactory(course__code="EC-201")
    advanced.course.prerequisites.add(basics)
    student = StudentFactory()

    with pytest.raises(EnrolmentError) as refused:
        service.enrol(student=student, cohort=advanced)
    assert "网店运营入门" in str(refused.value.message)

    done = CohortFactory(course=basics)
    Enrollment.objects.create(student=student, cohort=done, status=Status.COMPLETED)
    assert service.enrol(student=student, cohort=advanced).status == Status.ENROLLED


def test_a_clashing_schedule_is_a_warning():
    student = StudentFactory()
    evening = CohortFactory(weekdays=[2, 4], class_starts=datetime.time(19), class_ends=datetime.time(21))
    service.enrol(student=student, cohort=evening)
    same_time = CohortFactory(weekdays=[4], class_starts=datetime.time(20), class_ends=datetime.time(22))
    other_day = CohortFactory(weekdays=[1], class_starts=datetime.time(19), class_ends=datetime.time(21))

    assert service.schedule_clashes(student=student, cohort=same_time) == [evening]
    assert service.schedule_clashes(student=student, cohort=other_day) == []


def test_staff_move_a_student_to_another_class_of_the_course():
    cohort = CohortFactory(capacity=1)
    other = CohortFactory(course=cohort.course)
    student, waiting, staff = StudentFactory(), StudentFactory(), StaffFactory()
    seat = service.enrol(student=student, cohort=cohort)
    service.enrol(student=waiting, cohort=cohort)

    moved = service.move(enrollment=seat, to_cohort=other, actor=staff)

    assert moved.cohort == other and moved.status == Status.ENROLLED
    assert Enrollment.objects.get(student=waiting, cohort=cohort).status == Status.ENROLLED
    with pytest.raises(EnrolmentError):
        service.move(enrollment=moved, to_cohort=CohortFactory(), actor=staff)


def test_cancelling_a_class_tells_everyone():
    cohort = CohortFactory(capacity=1)
    students = [StudentFactory() for _ in range(3)]
    for student in students:
        service.enrol(student=student, cohort=cohort)

    told = service.cancel_cohort(cohort=cohort, actor=StaffFactory(), reason="报名人数不足")

    assert told == 3
    assert set(Enrollment.objects.filter(cohort=cohort).values_list("status", flat=True)) == {Status.CANCELLED}
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.CANCELLED and cohort.seats_taken == 0
    assert Notification.objects.filter(recipient__in=students, body__contains="报名人数不足").count() == 3


def test_a_referral_code_credits_the_student_who_shared_the_link():
    referrer = StudentProfileFactory()
    student = StudentFactory()

    enrollment = service.enrol(student=student, cohort=CohortFactory(), referral_code=referrer.referral_code)

    assert enrollment.referred_by == referrer.user
    own = service.enrol(student=referrer.user, cohort=CohortFactory(), referral_code=referrer.referral_code)
    assert own.referred_by is None


def test_notifications_speak_the_students_language():
    english = StudentFactory(language="en")

    service.enrol(student=english, cohort=CohortFactory(capacity=5))

    assert Notification.objects.get(recipient=english).subject.startswith("You are enrolled")


def test_a_student_with_an_email_address_is_also_told_by_email(django_capture_on_commit_callbacks, mailoutbox):
    student = StudentFactory(email="liu.fang@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        service.enrol(student=student, cohort=CohortFactory(capacity=1))

    assert [message.to for message in mailoutbox] == [["liu.fang@example.com"]]
    assert mailoutbox[0].subject.startswith("报名成功")


def test_each_waiting_student_knows_their_place_in_one_query(django_assert_num_queries):
    cohort = CohortFactory(capacity=1)
    waiting = [service.enrol(student=StudentFactory(), cohort=cohort) for _ in range(4)][1:]

    with django_assert_num_queries(1):
        place = waiting[1].waitlist_position()

    assert place == 2
    assert [enrollment.waitlist_position() for enrollment in waiting] == [1, 2, 3]
    assert waitlist_positions(cohort) == {e.student_id: e.waitlist_position() for e in waiting}


@pytest.mark.parametrize("with_prerequisite", [False, True])
@pytest.mark.parametrize("place", [None, Status.WAITLISTED, Status.WITHDRAWN])
def test_a_class_read_by_its_code_is_the_class_the_orm_reads(with_prerequisite, place):
    """cohort_to_enrol_in() writes its query by hand (it runs on every enrolment request): every value,
    dates, times, the weekdays' JSON and the course's fee included, must come back as the ORM gives it,
    and so must the status of the place the student already has in the class."""
    course = CourseFactory()
    if with_prerequisite:
        course.prerequisites.add(CourseFactory())
    cohort, student = CohortFactory(course=course, weekdays=[2, 4]), StudentFactory()
    if place:
        waitlisted_at = timezone.now() if place == Status.WAITLISTED else None
        EnrollmentFactory(cohort=cohort, student=student, status=place, waitlisted_at=waitlisted_at)
    EnrollmentFactory(cohort=cohort, status=Status.ENROLLED)  # another student's place is not theirs

    found = service.cohort_to_enrol_in(cohort.code.lower(), student=student)
    expected = service.cohorts_to_enrol_in(student=student).get(pk=cohort.pk)

    def values(instance):
        return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}

    assert values(found) == values(expected)
    assert values(found.course) == values(expected.course)
    assert found.has_prerequisites is expected.has_prerequisites is with_prerequisite
    assert found.student_status == expected.student_status == place
    assert service.cohort_to_enrol_in("NO-SUCH-CLASS", student=student) is None
