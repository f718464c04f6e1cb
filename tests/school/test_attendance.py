"""Attendance: sessions from the class's schedule, the instructor's roster, rates and students at risk,
and who may see and touch which class."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

import pytest

from accounts.roles import Role
from school.models import Attendance, Enrollment
from school.services import attendance as service
from tests.factories import (
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db
Mark = Attendance.Mark


def url(name: str, *args) -> str:
    # English pages, so the assertions read the msgids whatever Chinese the translators choose.
    with translation.override("en"):
        return reverse(f"school:{name}", args=args)


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def instructor():
    return UserFactory(role=Role.INSTRUCTOR)


def running_class(instructor=None, *, students: int = 0, **fields):
    """A class that started three weeks ago and runs three more, taught by `instructor`."""
    defaults = {
        "start_date": days_from_today(-21),
        "end_date": days_from_today(21),
        "enrolment_opens": days_from_today(-40),
        "enrolment_closes": days_from_today(-21),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "status": "running",
        "capacity": 40,
    }
    cohort = CohortFactory(**{**defaults, **fields})
    if instructor is not None:
        cohort.instructors.add(instructor)
    for _ in range(students):
        EnrollmentFactory(cohort=cohort)
    return cohort


def enrolled(cohort) -> list[Enrollment]:
    return list(Enrollment.objects.filter(cohort=cohort, status="enrolled").order_by("pk"))


def marks(session) -> dict[int, str]:
    return dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "mark"))


# --- Sessions from the schedule -------------------------------------------------------------------


def test_sessions_are_generated_on_the_class_weekdays_at_the_class_time():
    # 2 March 2026 is a Monday; the class meets on Mondays and Wednesdays for two weeks.
    cohort = CohortFactory(
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 15),
        enrolment_opens=datetime.date(2026, 2, 1),
        enrolment_closes=datetime.date(2026, 3, 2),
        weekdays=[1, 3],
        class_starts=datetime.time(19, 0),
        class_ends=datetime.time(21, 0),
    )

    created = service.generate_sessions(cohort=cohort)

    assert created == 4
    assert list(cohort.sessions.values_list("date", "starts", "ends", "cancelled")) == [
        (datetime.date(2026, 3, day), datetime.time(19, 0), datetime.time(21, 0), False) for day in (2, 4, 9, 11)
    ]


def test_generating_again_never_duplicates_and_never_brings_back_a_cancelled_session(instructor):
    cohort = running_class(instructor, weekdays=[1, 3, 5])
    first = service.generate_sessions(cohort=cohort)
    holiday = cohort.sessions.order_by("date")[2]
    service.cancel_session(session=holiday, note="清明节", actor=instructor)

    again = service.generate_sessions(cohort=cohort)

    assert first > 0
    assert again == 0
    assert cohort.sessions.count() == first
    holiday.refresh_from_db()
    assert holiday.cancelled
    assert holiday.note == "清明节"


def test_a_longer_class_gets_only_the_new_dates():
    cohort = running_class(weekdays=[2])
    before = service.generate_sessions(cohort=cohort)
    cohort.end_date += datetime.timedelta(days=14)
    cohort.save()

    assert service.generate_sessions(cohort=cohort) == 2
    assert cohort.sessions.count() == before + 2


def test_an_extra_session_must_fall_within_the_class_and_not_clash(instructor):
    cohort = running_class(instructor)
    day = days_from_today(3)
    service.add_session(
        cohort=cohort, date=day, starts=datetime.time(9, 0), ends=datetime.time(12, 0), note="", actor=instructor
    )

    with pytest.raises(ValidationError) as outside:
        service.add_session(
            cohort=cohort,
            date=days_from_today(60),
            starts=datetime.time(9, 0),
            ends=datetime.time(12, 0),
            note="",
            actor=instructor,
        )
    with pytest.raises(ValidationError) as clash:
        service.add_session(
            cohort=cohort, date=day, starts=datetime.time(11, 0), ends=datetime.time(13, 0), note="", actor=instructor
        )

    assert "date" in outside.value.message_dict
    assert "starts" in clash.value.message_dict
    assert cohort.sessions.count() == 1


def test_adding_a_session_at_a_cancelled_time_brings_it_back(instructor):
    cohort = running_class(instructor)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(2), cancelled=True, note="停电")

    again = service.add_session(
        cohort=cohort,
        date=session.date,
        starts=session.starts,
        ends=session.ends,
        note="补课",
        actor=instructor,
    )

    assert again.pk == session.pk
    assert not again.cancelled
    assert again.note == "补课"


def test_instructors_add_and_cancel_sessions_on_the_sessions_page(client, instructor):
    cohort = running_class(instructor)
    client.force_login(instructor)

    response = client.post(
        url("attendance_sessions", cohort.code),
        {"date": days_from_today(5).isoformat(), "starts": "14:00", "ends": "16:00", "note": "Make-up class"},
        follow=True,
    )
    session = cohort.sessions.get()
    assert "Session added" in page(response)
    response = client.post(url("attendance_cancel", cohort.code, session.pk), {"note": "Holiday"}, follow=True)

    assert "cancelled" in page(response)
    session.refresh_from_db()
    assert session.cancelled
    assert session.note == "Holiday"


def test_the_sessions_page_lists_sessions_in_date_order(client, instructor):
    cohort = running_class(instructor)
    later = ClassSessionFactory(cohort=cohort, date=days_from_today(2))
    earlier = ClassSessionFactory(cohort=cohort, date=days_from_today(-2))
    ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    service.mark_all_present(session=earlier, actor=instructor)
    client.force_login(instructor)

    html = page(client.get(url("attendance_sessions", cohort.code)))

    assert html.index(url("attendance_roster", cohort.code, earlier.pk)) < html.index(
        url("attendance_roster", cohort.code, later.pk)
    )


def test_an_empty_class_offers_to_create_its_sessions(client, instructor):
    cohort = running_class(instructor, weekdays=[1])
    client.force_login(instructor)

    response = client.get(url("attendance_sessions", cohort.code))
    assert url("attendance_generate", cohort.code) in page(response)
    response = client.post(url("attendance_generate", cohort.code), follow=True)

    assert cohort.sessions.count() == len(service.scheduled_dates(cohort=cohort))
    assert "added from the weekly schedule" in page(response)


# --- The roster -----------------------------------------------------------------------------------


def test_all_present_then_exceptions_on_the_roster(client, instructor):
    cohort = running_class(instructor, students=3)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    ana, bo, chen = enrolled(cohort)
    client.force_login(instructor)

    response = client.post(url("attendance_roster", cohort.code, session.pk), {"all_present": "1"}, follow=True)

    assert response.redirect_chain == [(url("attendance_roster", cohort.code, session.pk), 302)]
    assert "All 3 students marked present." in page(response)
    assert marks(session) == {ana.pk: Mark.PRESENT, bo.pk: Mark.PRESENT, chen.pk: Mark.PRESENT}

    response = client.post(
        url("attendance_roster", cohort.code, session.pk),
        {"save": "1", f"mark-{ana.pk}": "present", f"mark-{bo.pk}": "late", f"mark-{chen.pk}": "absent"},
        follow=True,
    )

    assert "Attendance saved." in page(response)
    assert marks(session) == {ana.pk: Mark.PRESENT, bo.pk: Mark.LATE, chen.pk: Mark.ABSENT}
    assert Attendance.objects.filter(session=session).count() == 3
    assert f'id="mark-{bo.pk}-late" name="mark-{bo.pk}" value="late" checked' in page(response)


def test_all_present_keeps_the_exceptions_already_chosen(instructor):
    cohort = running_class(instructor, students=3)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(0))
    ana, bo, chen = enrolled(cohort)

    count = service.mark_all_present(session=session, actor=instructor, except_marks={bo.pk: Mark.EXCUSED})

    assert count == 2
    assert marks(session) == {ana.pk: Mark.PRESENT, bo.pk: Mark.EXCUSED, chen.pk: Mark.PRESENT}
    assert Attendance.objects.get(session=session, enrollment=ana).marked_by == instructor


def test_marking_again_updates_the_mark(instructor):
    cohort = running_class(instructor, students=1)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-2))
    (ana,) = enrolled(cohort)

    service.mark_attendance(session=session, marks={ana.pk: Mark.ABSENT}, actor=instructor)
    service.mark_attendance(session=session, marks={ana.pk: Mark.EXCUSED}, actor=instructor)

    assert marks(session) == {ana.pk: Mark.EXCUSED}


def test_one_mark_is_saved_in_place_with_htmx(client, instructor):
    cohort = running_class(instructor, students=2)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    ana, _bo = enrolled(cohort)
    client.force_login(instructor)

    response = client.post(
        url("attendance_mark", cohort.code, session.pk, ana.pk), {f"mark-{ana.pk}": "late"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert page(response).lstrip().startswith("<fieldset")
    assert "Saved" in page(response)
    assert 'value="late" checked' in page(response)
    assert marks(session) == {ana.pk: Mark.LATE}


def test_the_roster_is_a_phone_friendly_accessible_form(client, instructor):
    cohort = running_class(instructor, students=2)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(0))
    ana, _bo = enrolled(cohort)
    client.force_login(instructor)

    html = page(client.get(url("attendance_roster", cohort.code, session.pk)))

    assert html.count("<fieldset") == 2
    assert html.count("<legend") == 2
    for mark in Mark.values:
        assert f'<label class="mark-options__label mark-options__label--{mark}" for="mark-{ana.pk}-{mark}">' in html
    assert 'name="all_present"' in html
    assert "/static/django_htmx/htmx-2" in html
    # Nothing from another host (a CDN): every script, style and image is the site's own. Not a search for
    # "cdn", which a random CSRF token or nonce may spell.
    assert not re.search(r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", html)


def test_a_student_who_is_not_in_the_class_is_refused_and_nothing_is_saved(client, instructor):
    cohort = running_class(instructor, students=1, capacity=1)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    (ana,) = enrolled(cohort)
    outsider = EnrollmentFactory()
    waiting = EnrollmentFactory(cohort=cohort, status="waitlisted", waitlisted_at=timezone.now())

    for stranger in (outsider, waiting):
        with pytest.raises(ValidationError):
            service.mark_attendance(
                session=session, marks={ana.pk: Mark.PRESENT, stranger.pk: Mark.PRESENT}, actor=instructor
            )
    client.force_login(instructor)
    response = client.post(
        url("attendance_roster", cohort.code, session.pk),
        {"save": "1", f"mark-{ana.pk}": "present", f"mark-{outsider.pk}": "present"},
    )

    assert response.status_code == 400
    assert "not on this class" in page(response)
    assert Attendance.objects.count() == 0


def test_an_unknown_mark_is_refused(instructor):
    cohort = running_class(instructor, students=1)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    (ana,) = enrolled(cohort)

    with pytest.raises(ValidationError):
        service.mark_attendance(session=session, marks={ana.pk: "asleep"}, actor=instructor)


def test_cancelled_and_future_sessions_cannot_be_marked(instructor):
    cohort = running_class(instructor, students=1)
    (ana,) = enrolled(cohort)
    cancelled = ClassSessionFactory(cohort=cohort, date=days_from_today(-1), cancelled=True)
    tomorrow = ClassSessionFactory(cohort=cohort, date=days_from_today(1))

    for session in (cancelled, tomorrow):
        with pytest.raises(ValidationError):
            service.mark_attendance(session=session, marks={ana.pk: Mark.PRESENT}, actor=instructor)
        with pytest.raises(ValidationError):
            service.mark_all_present(session=session, actor=instructor)
    assert Attendance.objects.count() == 0


def test_completed_students_can_still_have_a_mark_corrected(instructor):
    cohort = running_class(instructor)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    done = EnrollmentFactory(cohort=cohort, status="completed")

    service.mark_attendance(session=session, marks={done.pk: Mark.PRESENT}, actor=instructor)

    assert marks(session) == {done.pk: Mark.PRESENT}


def test_the_services_refuse_someone_who_does_not_teach_the_class(instructor):
    cohort = running_class(students=1)
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))

    with pytest.raises(PermissionDenied):
        service.mark_all_present(session=session, actor=instructor)
    with pytest.raises(PermissionDenied):
        service.cancel_session(session=session, actor=instructor)


# --- Rates and students at risk -------------------------------------------------------------------


def class_with_history(instructor, history: dict[str, list[str]], *, upcoming: int, minimum: int = 80):
    """A class with one past session per mark in each history (all the same length) and `upcoming`
    sessions still to come. Returns the class and {name: enrollment}."""
    cohort = running_class(instructor, course=CourseFactory(min_attendance_percent=minimum))
    held = len(next(iter(history.values())))
    sessions = [ClassSessionFactory(cohort=cohort, date=days_from_today(-held + offset)) for offset in range(held)]
    for offset in range(1, upcoming + 1):
        ClassSessionFactory(cohort=cohort, date=days_from_today(offset))
    students = {name: EnrollmentFactory(cohort=cohort) for name in history}
    for index, session in enumerate(sessions):
        day = {students[name].pk: row[index] for name, row in history.items() if row[index]}
        service.mark_attendance(session=session, marks=day, actor=instructor)
    return cohort, students


def test_rates_count_present_and_late_and_leave_excused_out(instructor):
    P, L, A, E = Mark.PRESENT, Mark.LATE, Mark.ABSENT, Mark.EXCUSED
    cohort, students = class_with_history(
        instructor,
        {
            "full": [P, P, P, L, P],
            "excused": [P, E, P, A, P],
            "unmarked": [P, P, P, P, ""],
        },
        upcoming=5,
    )

    rows = {row.enrollment.pk: row for row in service.attendance_summary(cohort=cohort)}
    full, excused, unmarked = (rows[students[name].pk] for name in ("full", "excused", "unmarked"))

    assert (full.held, full.attended, full.remaining, full.rate) == (5, 5, 5, Decimal("100.00"))
    assert (excused.attended, excused.excused, excused.absent, excused.rate) == (3, 1, 1, Decimal("75.00"))
    assert (unmarked.unmarked, unmarked.rate) == (1, Decimal("80.00"))
    assert not full.at_risk
    assert not unmarked.at_risk
    assert service.attendance_rate(enrollment=students["excused"]) == Decimal("75.00")


def test_at_risk_below_the_minimum_or_no_longer_able_to_reach_it(instructor):
    P, A = Mark.PRESENT, Mark.ABSENT
    cohort, students = class_with_history(
        instructor,
        {
            "fine": [P, P, P, P, A],  # 80%: exactly the minimum
            "behind": [P, P, P, A, A],  # 60%: 8 of 10 is still possible
            "lost": [P, P, A, A, A],  # 40%: at most 7 of 10
            "excused": [P, P, Mark.EXCUSED, A, A],  # 2 of 4 counted; at most 7 of 9
        },
        upcoming=5,
    )

    with translation.override("en"):
        rows = {row.enrollment.pk: row for row in service.attendance_summary(cohort=cohort)}
    fine, behind, lost = (rows[students[name].pk] for name in ("fine", "behind", "lost"))

    assert not fine.at_risk
    assert behind.at_risk
    assert behind.risk == service.RISK_BELOW
    assert behind.rate == Decimal("60.00")
    assert "must attend 5 of the 5 remaining sessions" in behind.reason
    assert lost.at_risk
    assert lost.risk == service.RISK_UNREACHABLE
    assert "at most 70.0%" in lost.reason
    assert "at most 77.8%" in rows[students["excused"].pk].reason  # 7/9 rounded, not cut to 77.7


def test_nothing_held_yet_means_no_rate_and_no_risk(instructor):
    cohort = running_class(instructor, students=1)
    ClassSessionFactory(cohort=cohort, date=days_from_today(3))
    (ana,) = enrolled(cohort)

    (row,) = service.attendance_summary(cohort=cohort)

    assert row.rate is None
    assert not row.at_risk
    assert service.attendance_rate(enrollment=ana) is None


def test_todays_session_counts_once_attendance_is_taken_and_cancelled_ones_never(instructor):
    cohort = running_class(instructor, students=1)
    (ana,) = enrolled(cohort)
    today = ClassSessionFactory(cohort=cohort, date=days_from_today(0))
    yesterday = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    service.mark_attendance(session=yesterday, marks={ana.pk: Mark.PRESENT}, actor=instructor)
    ClassSessionFactory(cohort=cohort, date=days_from_today(-2), cancelled=True)

    (before,) = service.attendance_summary(cohort=cohort)
    service.mark_attendance(session=today, marks={ana.pk: Mark.ABSENT}, actor=instructor)
    (after,) = service.attendance_summary(cohort=cohort)

    assert (before.held, before.remaining, before.rate) == (1, 1, Decimal("100.00"))
    assert (after.held, after.remaining, after.rate) == (2, 0, Decimal("50.00"))


def test_the_at_risk_page_lists_the_students_and_why(client, instructor):
    P, A = Mark.PRESENT, Mark.ABSENT
    cohort, students = class_with_history(instructor, {"fine": [P, P, P], "lost": [A, A, A]}, upcoming=1)
    client.force_login(instructor)

    html = page(client.get(url("attendance_at_risk", cohort.code)))

    assert students["lost"].student.display_name in html
    assert "Cannot reach 80% any more" in html


# --- Who may see and touch a class ----------------------------------------------------------------


def endpoints(cohort, session, enrollment):
    code = cohort.code
    return [
        ("get", url("attendance_sessions", code), {}),
        (
            "post",
            url("attendance_sessions", code),
            {"date": session.date.isoformat(), "starts": "14:00", "ends": "15:00"},
        ),
        ("post", url("attendance_generate", code), {}),
        ("get", url("attendance_roster", code, session.pk), {}),
        ("post", url("attendance_roster", code, session.pk), {"all_present": "1"}),
        ("post", url("attendance_cancel", code, session.pk), {"note": "x"}),
        ("post", url("attendance_mark", code, session.pk, enrollment.pk), {f"mark-{enrollment.pk}": "absent"}),
        ("get", url("attendance_at_risk", code), {}),
    ]


@pytest.fixture
def someone_elses_class():
    cohort = running_class(UserFactory(role=Role.INSTRUCTOR), students=1, weekdays=[1])
    session = ClassSessionFactory(cohort=cohort, date=days_from_today(-1))
    return cohort, session, enrolled(cohort)[0]


@pytest.mark.parametrize("who", ["other_instructor", "student"])
def test_only_the_classes_own_instructors_may_see_or_change_it(client, someone_elses_class, who):
    cohort, session, enrollment = someone_elses_class
    person = UserFactory(role=Role.INSTRUCTOR) if who == "other_instructor" else StudentFactory()
    running_class(person if who == "other_instructor" else None)  # they teach a class, just not this one
    client.force_login(person)

    for method, path, data in endpoints(cohort, session, enrollment):
        response = getattr(client, method)(path, data)
        assert response.status_code == 403, (method, path)
    assert Attendance.objects.count() == 0
    assert cohort.sessions.count() == 1
    session.refresh_from_db()
    assert not session.cancelled


def test_students_cannot_open_the_teaching_dashboard(client):
    client.force_login(StudentFactory())

    assert client.get(url("instructor_dashboard")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, someone_elses_class):
    cohort, session, enrollment = someone_elses_class

    for method, path, data in [("get", url("instructor_dashboard"), {}), *endpoints(cohort, session, enrollment)]:
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, (method, path)
        assert "/accounts/sign-in/" in response["Location"]
    assert Attendance.objects.count() == 0


def test_staff_may_run_any_class(client, someone_elses_class):
    cohort, session, enrollment = someone_elses_class
    client.force_login(StaffFactory())

    for method, path, data in endpoints(cohort, session, enrollment):
        response = getattr(client, method)(path, data)
        assert response.status_code in (200, 302), (method, path, response.status_code)
    assert cohort.code in page(client.get(url("instructor_dashboard")))


def test_paths_work_in_both_languages(client, instructor):
    cohort = running_class(instructor)
    client.force_login(instructor)

    assert client.get(f"/teach/classes/{cohort.code}/sessions/").status_code == 200
    assert client.get(f"/en/teach/classes/{cohort.code}/sessions/").status_code == 200
    assert client.get("/teach/").status_code == 200


# --- The dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_my_classes_counts_next_session_and_risk(client, instructor):
    P, A = Mark.PRESENT, Mark.ABSENT
    cohort, _students = class_with_history(instructor, {"fine": [P, P, P], "lost": [A, A, A]}, upcoming=1)
    EnrollmentFactory(cohort=cohort, status="waitlisted", waitlisted_at=timezone.now())
    EnrollmentFactory(cohort=cohort, status="pending")
    today = ClassSessionFactory(
        cohort=cohort, date=days_from_today(0), starts=datetime.time(19, 0), ends=datetime.time(21, 0)
    )
    not_mine = running_class(UserFactory(role=Role.INSTRUCTOR))
    client.force_login(instructor)

    html = page(client.get(url("instructor_dashboard")))

    assert cohort.code in html
    assert not_mine.code not in html
    assert url("attendance_roster", cohort.code, today.pk) in html
    assert "Take attendance" in html
    assert f'href="{url("attendance_at_risk", cohort.code)}">1</a>' in html
    assert "<dt>Waiting list</dt><dd>1</dd>" in html
    assert "<dt>Awaiting approval</dt><dd>1</dd>" in html
    assert f"<dt>Enrolled</dt><dd>2/{cohort.capacity}</dd>" in html


def queries_for(client, path: str) -> int:
    assert client.get(path).status_code == 200  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def fill(cohort, instructor, students: int) -> None:
    for _ in range(students):
        EnrollmentFactory(cohort=cohort)
    for session in cohort.sessions.filter(date__lt=days_from_today(1), cancelled=False):
        service.mark_all_present(session=session, actor=instructor)


def test_dashboard_and_at_risk_page_run_the_same_queries_for_3_or_30_students(client, instructor):
    cohort = running_class(instructor, weekdays=[1, 3, 5])
    service.generate_sessions(cohort=cohort)
    fill(cohort, instructor, 3)
    client.force_login(instructor)
    paths = [url("instructor_dashboard"), url("attendance_at_risk", cohort.code)]
    for path in paths:  # the page frame (school details, menu) is read once per site version (cms.frame)
        client.get(path)
    small = [queries_for(client, path) for path in paths]

    fill(cohort, instructor, 27)
    for _ in range(4):  # more classes too: the dashboard must not query per class
        other = running_class(instructor, weekdays=[2, 4])
        service.generate_sessions(cohort=other)
        fill(other, instructor, 5)
    large = [queries_for(client, path) for path in paths]

    assert small == large
    assert max(large) <= 16
