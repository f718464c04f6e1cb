"""Staff manage enrolments in the back office."""

from django.urls import reverse

import pytest

from accounts.roles import Role
from school.models import Cohort, Enrollment, EnrollmentEvent
from school.services.enrolment import enrol
from tests.factories import CohortFactory, StaffFactory, StudentFactory, StudentProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_staff_list_filter_and_export_enrolments(staff_client):
    cohort = CohortFactory(capacity=1, code="EC-201-A")
    seat = enrol(student=StudentFactory(display_name="王小丽"), cohort=cohort)
    enrol(student=StudentFactory(display_name="李娜"), cohort=cohort)

    listing = staff_client.get(reverse("school_enrolments:index"), {"status": "waitlisted"}).content.decode()
    export = b"".join(staff_client.get(reverse("school_enrolments:index"), {"export": "csv"}).streaming_content).decode(
        "utf-8-sig"
    )

    assert "李娜" in listing and "王小丽" not in listing
    assert (
        reverse("school_enrolment_manage", args=[seat.pk])
        in staff_client.get(reverse("school_enrolments:index")).content.decode()
    )
    assert "王小丽" in export and "EC-201-A" in export and "候补中" in export


def test_staff_approve_a_pending_enrolment_and_it_is_recorded(staff_client):
    pending = enrol(student=StudentFactory(), cohort=CohortFactory(course__requires_approval=True))

    staff_client.post(reverse("school_enrolment_manage", args=[pending.pk]), {"action": "approve"})

    pending.refresh_from_db()
    assert pending.status == "enrolled"
    event = EnrollmentEvent.objects.filter(enrollment=pending).last()
    assert event.to_status == "enrolled" and event.actor.has_role(Role.STAFF)


def test_staff_reject_with_a_reason_the_student_sees(staff_client):
    pending = enrol(student=StudentFactory(), cohort=CohortFactory(course__requires_approval=True))

    staff_client.post(
        reverse("school_enrolment_manage", args=[pending.pk]), {"action": "reject", "reject-reason": "名额已满"}
    )

    pending.refresh_from_db()
    assert pending.status == "rejected"
    assert pending.student.notifications.filter(body__contains="名额已满").exists()


def test_staff_move_a_student_to_another_class(staff_client):
    seat = enrol(student=StudentFactory(), cohort=CohortFactory())
    other = CohortFactory(course=seat.cohort.course)

    staff_client.post(
        reverse("school_enrolment_manage", args=[seat.pk]), {"action": "move", "move-to_cohort": other.pk}
    )

    assert Enrollment.objects.get(student=seat.student, cohort=other).status == "enrolled"


def test_an_impossible_action_is_explained(staff_client):
    done = Enrollment.objects.create(student=StudentFactory(), cohort=CohortFactory(), status="completed")

    response = staff_client.post(reverse("school_enrolment_manage", args=[done.pk]), {"action": "approve"}, follow=True)

    assert "只有待审核的报名才能通过" in response.content.decode()


def test_cancelling_a_class_in_the_back_office_tells_every_student(staff_client):
    cohort = CohortFactory(capacity=2)
    students = [StudentFactory() for _ in range(3)]
    for student in students:
        enrol(student=student, cohort=cohort)

    page = staff_client.get(reverse("school_cohort_cancel", args=[cohort.pk])).content.decode()
    staff_client.post(reverse("school_cohort_cancel", args=[cohort.pk]), {"reason": "教室维修"})

    assert "3" in page
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.CANCELLED
    assert all(student.notifications.filter(body__contains="教室维修").exists() for student in students)


def test_the_class_form_refuses_cancelling_without_telling_students(staff_client):
    cohort = CohortFactory()
    enrol(student=StudentFactory(), cohort=cohort)

    response = staff_client.post(
        reverse("school_cohorts:edit", args=[cohort.pk]),
        {
            "course": cohort.course.pk,
            "code": cohort.code,
            "status": "cancelled",
            "start_date": cohort.start_date,
            "end_date": cohort.end_date,
            "weekdays": [1, 3, 5],
            "class_starts": "09:00",
            "class_ends": "12:00",
            "delivery": "on_site",
            "capacity": 20,
            "enrolment_opens": cohort.enrolment_opens,
            "enrolment_closes": cohort.enrolment_closes,
        },
    )

    assert response.status_code == 200
    cohort.refresh_from_db()
    assert cohort.status == "open"


def test_staff_see_referrals_per_student_and_per_course(staff_client):
    referrer = StudentProfileFactory(user__display_name="推荐人张三")
    cohort = CohortFactory(course__code="EC-201", course__title="直播电商运营")
    for _ in range(2):
        enrol(student=StudentFactory(), cohort=cohort, referral_code=referrer.referral_code)

    page = staff_client.get(reverse("school_referrals")).content.decode()

    assert "推荐人张三" in page and "直播电商运营" in page
    assert "<td>2</td>" in page


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.MERCHANT])
def test_nobody_but_staff_reaches_enrolment_management(client, role):
    enrollment = enrol(student=StudentFactory(), cohort=CohortFactory())
    client.force_login(UserFactory(role=role, is_staff=True))

    for url in (
        reverse("school_enrolment_manage", args=[enrollment.pk]),
        reverse("school_cohort_cancel", args=[enrollment.cohort_id]),
        reverse("school_referrals"),
    ):
        assert client.get(url).status_code in (302, 403)
    client.post(reverse("school_enrolment_manage", args=[enrollment.pk]), {"action": "withdraw"})
    assert Enrollment.objects.get(pk=enrollment.pk).status == "enrolled"
