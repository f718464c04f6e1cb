"""The enrolment API (students) and the teaching API (instructors), used as their apps would: every
permission is checked on the server, and refusals come back in the caller's language."""

import threading
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

import pytest
from rest_framework import serializers
from rest_framework.authtoken.models import Token

from accounts.models import Notification
from accounts.roles import Role
from school.api_enrolment import EnrolmentSerializer, with_waitlist_positions
from school.models import Attendance, Cohort, Enrollment, Score
from school.services import enrolment as enrolment_services
from tests.factories import (
    AssessmentItemFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    StaffFactory,
    StudentFactory,
    StudentProfileFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db
Status = Enrollment.Status
JSON = "application/json"


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request with Accept-Language: en leaves English active in this thread; later tests expect Chinese.
    yield
    translation.deactivate()


def a_student():
    """A student who has completed their profile, as the enrolment flow requires."""
    return StudentProfileFactory().user


def an_instructor_of(*cohorts):
    instructor = UserFactory(role=Role.INSTRUCTOR)
    for cohort in cohorts:
        cohort.instructors.add(instructor)
    return instructor


def signed_in(client, user):
    client.force_login(user)
    return client


def enrol(client, cohort_code, **extra):
    return client.post("/api/v1/enrolments/", {"cohort": cohort_code}, content_type=JSON, **extra)


# --- Enrolling ------------------------------------------------------------------------------------------


def test_a_student_takes_a_seat(client):
    cohort = CohortFactory(course=CourseFactory(code="EC-201", title="直播电商运营"), code="EC-201-A", capacity=2)
    student = a_student()

    response = enrol(signed_in(client, student), "ec-201-a")

    assert response.status_code == 201
    body = response.json()
    assert body["cohort"] == "EC-201-A"
    assert body["course_code"] == "EC-201"
    assert body["course_title"] == "直播电商运营"
    assert body["status"] == "enrolled"
    assert body["waitlist_position"] is None
    assert Enrollment.objects.get(pk=body["id"]).student == student
    cohort.refresh_from_db()
    assert cohort.seats_taken == 1


def test_a_full_class_puts_the_student_on_the_waiting_list_with_a_position(client):
    cohort = CohortFactory(capacity=1)
    EnrollmentFactory(cohort=cohort)
    enrolment_services.enrol(student=a_student(), cohort=cohort)

    response = enrol(signed_in(client, a_student()), cohort.code)

    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted"
    assert response.json()["waitlist_position"] == 2


def test_a_course_that_needs_approval_holds_a_pending_seat(client):
    cohort = CohortFactory(course=CourseFactory(requires_approval=True), capacity=5)

    response = enrol(signed_in(client, a_student()), cohort.code)

    assert response.status_code == 201
    assert response.json()["status"] == "pending"


def test_a_referral_code_is_recorded(client):
    cohort = CohortFactory()
    friend = StudentProfileFactory()

    response = signed_in(client, a_student()).post(
        "/api/v1/enrolments/", {"cohort": cohort.code, "referral_code": friend.referral_code}, content_type=JSON
    )

    assert response.status_code == 201
    assert Enrollment.objects.get(pk=response.json()["id"]).referred_by == friend.user


def test_refusals_are_in_chinese_by_default_and_in_english_when_asked(client):
    cohort = CohortFactory()
    student = a_student()
    enrolment_services.enrol(student=student, cohort=cohort)
    signed_in(client, student)

    chinese = enrol(client, cohort.code)
    english = enrol(client, cohort.code, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json() == {"detail": "您已报名这个班级。", "code": "duplicate"}
    assert english.json() == {"detail": "You are already enrolled in this class.", "code": "duplicate"}
    assert Enrollment.objects.filter(student=student).count() == 1


@pytest.mark.parametrize("place", [Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED])
def test_a_second_enrolment_is_refused_before_anything_is_written(client, place):
    """The class is read with the student's place in it, so the refusal comes before any write: there is
    nothing to roll back (on PostgreSQL a rollback also drops the connection's prepared statements)."""
    cohort = CohortFactory(capacity=1)
    student = a_student()
    if place == Enrollment.Status.WAITLISTED:
        enrolment_services.enrol(student=a_student(), cohort=cohort)
    enrolment_services.enrol(student=student, cohort=cohort)
    signed_in(client, student)

    with CaptureQueriesContext(connection) as queries:
        response = enrol(client, cohort.code, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400 and response.json()["code"] == "duplicate"
    statements = [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]
    assert not {"UPDATE", "INSERT", "DELETE"} & set(statements), statements
    cohort.refresh_from_db()
    assert cohort.seats_taken == 1
    assert Enrollment.objects.get(student=student).status == place


def test_a_class_that_is_not_open_or_outside_its_window_refuses(client):
    planned = CohortFactory(status=Cohort.Status.PLANNED)
    later = CohortFactory(enrolment_opens=days_from_today(5))
    signed_in(client, a_student())

    closed = enrol(client, planned.code, HTTP_ACCEPT_LANGUAGE="en")
    early = enrol(client, later.code, HTTP_ACCEPT_LANGUAGE="en")

    assert closed.status_code == 400
    assert closed.json() == {"detail": "This class is not taking enrolments.", "code": "closed"}
    assert early.status_code == 400
    assert early.json()["code"] == "window"
    assert early.json()["detail"].startswith("Enrolment for this class runs from")
    assert not Enrollment.objects.exists()


def test_a_student_without_a_profile_is_asked_to_complete_it(client):
    cohort = CohortFactory()
    signed_in(client, StudentFactory())

    chinese = enrol(client, cohort.code)
    english = enrol(client, cohort.code, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == 400
    assert chinese.json()["code"] == "profile"
    assert "完善个人档案" in chinese.json()["detail"]
    assert english.json()["detail"] == "Please complete your profile first: the school needs it to enrol you."
    assert not Enrollment.objects.exists()


def test_an_unknown_class_is_a_clear_400(client):
    response = enrol(signed_in(client, a_student()), "NOPE-1", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    assert "NOPE-1" in response.json()["detail"]
    assert set(response.json()["fields"]) == {"cohort"}


def test_only_students_enrol(client):
    cohort = CohortFactory()

    assert enrol(signed_in(client, StaffFactory()), cohort.code).status_code == 403
    assert enrol(signed_in(client, an_instructor_of()), cohort.code).status_code == 403
    assert not Enrollment.objects.exists()


def test_two_requests_at_once_for_the_same_class_give_one_place_and_one_refusal(transactional_db):
    """The same student tapping twice: one enrolment, the other request refused, never a 500."""
    cohort = CohortFactory(capacity=5)
    student = a_student()
    token = Token.objects.create(user=student).key
    statuses, errors = [], []
    barrier = threading.Barrier(6)

    def tap():
        try:
            barrier.wait()
            response = Client().post(
                "/api/v1/enrolments/", {"cohort": cohort.code}, content_type=JSON, HTTP_AUTHORIZATION=f"Token {token}"
            )
            statuses.append((response.status_code, response.json().get("code")))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(statuses) == [(201, None)] + [(400, "duplicate")] * 5
    cohort.refresh_from_db()
    assert cohort.seats_taken == 1
    assert Enrollment.objects.filter(cohort=cohort).count() == 1


# --- Token authentication and anonymous callers --------------------------------------------------------


def test_a_student_enrols_with_a_token_from_their_mobile_number(client, password):
    cohort = CohortFactory()
    student = a_student()
    token = client.post("/api/v1/auth/token/", {"username": student.phone, "password": password}).json()["token"]

    response = enrol(client, cohort.code, HTTP_AUTHORIZATION=f"Token {token}")
    mine = client.get("/api/v1/enrolments/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 201
    assert [row["id"] for row in mine.json()["results"]] == [response.json()["id"]]


def test_anonymous_callers_are_refused(client):
    cohort = CohortFactory()
    enrollment = EnrollmentFactory(cohort=cohort)

    assert enrol(client, cohort.code).status_code in (401, 403)
    assert client.get("/api/v1/enrolments/").status_code in (401, 403)
    assert client.post(f"/api/v1/enrolments/{enrollment.pk}/withdraw/").status_code in (401, 403)
    assert client.get("/api/v1/teaching/cohorts/").status_code in (401, 403)
    assert client.get(f"/api/v1/teaching/cohorts/{cohort.code}/roster/").status_code in (401, 403)
    assert client.get("/api/v1/enrolments/", HTTP_AUTHORIZATION="Token not-a-token").status_code in (401, 403)
    assert not Enrollment.objects.exclude(pk=enrollment.pk).exists()


def test_a_token_brings_the_callers_roles_and_profile(client):
    """The token's one query reads the roles and the student profile: the same answers as without it."""
    cohort = CohortFactory()
    instructor = an_instructor_of(cohort)
    without_profile = StudentFactory()
    inactive = a_student()
    inactive.is_active = False
    inactive.save()

    def token_of(user):
        return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    assert enrol(client, cohort.code, **token_of(instructor)).status_code == 403
    assert client.get("/api/v1/teaching/cohorts/", **token_of(instructor)).status_code == 200
    refused = enrol(client, cohort.code, **token_of(without_profile))
    assert (refused.status_code, refused.json()["code"]) == (400, "profile")
    assert enrol(client, cohort.code, **token_of(inactive)).status_code in (401, 403)
    assert not Enrollment.objects.exists()


def _statements(queries) -> list[str]:
    """The SQL statements of a request, without the transaction's own (BEGIN, SAVEPOINT, COMMIT …)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [query["sql"] for query in queries if not query["sql"].upper().startswith(control)]


@pytest.mark.parametrize("full", [False, True], ids=["seat", "waiting list"])
def test_enrolling_takes_seven_statements_in_one_transaction(client, full):
    """Pinned, so the hot path cannot grow back: the token (with roles and profile), the class (with its
    course and whether it has prerequisites), the seat, the enrolment, its change record and the
    student's notification; then for a seat the mark that the student's outcome rows are stale, and for a
    waiting-list place one COUNT for the place, told and answered."""
    cohort = CohortFactory(capacity=1)
    if full:
        EnrollmentFactory(cohort=cohort)
        Cohort.objects.filter(pk=cohort.pk).update(seats_taken=1, status=Cohort.Status.FULL)
    student = a_student()
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=student).key}"}

    with CaptureQueriesContext(connection) as queries:
        response = enrol(client, cohort.code, **auth)

    assert response.status_code == 201
    assert response.json()["waitlist_position"] == (1 if full else None)
    statements = _statements(queries)
    assert len(statements) == 7, "\n".join(statements)
    assert sum("COUNT(" in sql.upper() for sql in statements) == (1 if full else 0)
    assert sum("staleoutcome" in sql for sql in statements) == (0 if full else 1)
    told = Notification.objects.get(recipient=student)
    assert told.body.startswith(f"{cohort.code} 班已满，您是候补第 1 位") if full else cohort.code in told.body


# --- My enrolments and withdrawing ---------------------------------------------------------------------


def test_my_enrolments_list_only_mine_newest_first(client):
    student, other = a_student(), a_student()
    first = enrolment_services.enrol(student=student, cohort=CohortFactory())
    second = enrolment_services.enrol(student=student, cohort=CohortFactory())
    enrolment_services.enrol(student=other, cohort=CohortFactory())

    body = signed_in(client, student).get("/api/v1/enrolments/").json()

    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]


def test_my_enrolments_show_waiting_list_positions(client):
    cohort = CohortFactory(capacity=1)
    EnrollmentFactory(cohort=cohort)
    ahead, student = a_student(), a_student()
    enrolment_services.enrol(student=ahead, cohort=cohort)
    waiting = enrolment_services.enrol(student=student, cohort=cohort)
    signed_in(client, student)

    listed = client.get("/api/v1/enrolments/").json()["results"]
    one = client.get(f"/api/v1/enrolments/{waiting.pk}/").json()

    assert listed[0]["waitlist_position"] == one["waitlist_position"] == 2


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_written_out_enrolment_answer_is_what_its_declared_fields_give(language):
    """EnrolmentSerializer writes its answer out for speed; the fields it declares (the schema) must give
    the same values, dates and times, labels in the caller's language and the waiting-list place."""
    cohort = CohortFactory(capacity=1)
    seated = enrolment_services.enrol(student=a_student(), cohort=cohort)
    waiting = enrolment_services.enrol(student=a_student(), cohort=cohort)

    with translation.override(language):
        for enrollment in with_waitlist_positions([seated, waiting]):
            serializer = EnrolmentSerializer(enrollment)
            by_fields = serializers.Serializer.to_representation(serializer, enrollment)
            assert serializer.data == by_fields
            assert list(serializer.data) == list(by_fields)  # the same order of keys
    assert EnrolmentSerializer(waiting).data["waitlist_position"] == 1


def test_listing_my_enrolments_takes_the_same_queries_for_few_or_many(client, django_assert_max_num_queries):
    student = a_student()
    signed_in(client, student)
    full = CohortFactory(capacity=1)
    EnrollmentFactory(cohort=full)

    def enrol_in(count):
        for _ in range(count):
            enrolment_services.enrol(student=student, cohort=CohortFactory())

    enrol_in(2)
    enrolment_services.enrol(student=student, cohort=full)  # one on a waiting list
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/enrolments/").status_code == 200
    enrol_in(15)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/enrolments/").json()["results"]) == 18


def test_withdrawing_frees_the_seat_for_the_next_in_line(client):
    cohort = CohortFactory(capacity=1)
    student, next_in_line = a_student(), a_student()
    seat = enrolment_services.enrol(student=student, cohort=cohort)
    waiting = enrolment_services.enrol(student=next_in_line, cohort=cohort)

    response = signed_in(client, student).post(f"/api/v1/enrolments/{seat.pk}/withdraw/")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    waiting.refresh_from_db()
    assert waiting.status == Status.ENROLLED
    mine = signed_in(Client(), next_in_line).get(f"/api/v1/enrolments/{waiting.pk}/").json()
    assert mine["status"] == "enrolled"
    assert mine["waitlist_position"] is None


def test_withdrawing_twice_is_refused(client):
    student = a_student()
    enrollment = enrolment_services.enrol(student=student, cohort=CohortFactory())
    signed_in(client, student)
    client.post(f"/api/v1/enrolments/{enrollment.pk}/withdraw/")

    response = client.post(f"/api/v1/enrolments/{enrollment.pk}/withdraw/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"detail": "This enrolment has already ended.", "code": "ended"}


def test_a_student_who_withdrew_can_enrol_again(client):
    cohort = CohortFactory()
    student = a_student()
    enrollment = enrolment_services.enrol(student=student, cohort=cohort)
    enrolment_services.withdraw(enrollment=enrollment, actor=student)

    response = enrol(signed_in(client, student), cohort.code)

    assert response.status_code == 201
    assert response.json()["id"] == enrollment.pk
    assert response.json()["status"] == "enrolled"


def test_another_students_enrolment_is_not_found(client):
    theirs = enrolment_services.enrol(student=a_student(), cohort=CohortFactory())
    signed_in(client, a_student())

    assert client.get(f"/api/v1/enrolments/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/enrolments/{theirs.pk}/withdraw/").status_code == 404
    assert client.get("/api/v1/enrolments/abc/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.ENROLLED


# --- Teaching: who may run a class ---------------------------------------------------------------------


@pytest.fixture
def taught():
    """A class with an instructor, three students, a session today and two assessment items."""
    cohort = CohortFactory(
        code="HK-101-A", capacity=3, start_date=days_from_today(-14), enrolment_opens=days_from_today(-20)
    )
    instructor = an_instructor_of(cohort)
    students = [StudentProfileFactory(user__phone=f"1380013800{i}", real_name=f"学员{i}").user for i in range(3)]
    enrollments = [EnrollmentFactory(cohort=cohort, student=student) for student in students]
    today = ClassSessionFactory(cohort=cohort, date=timezone.localdate())
    items = [AssessmentItemFactory(course=cohort.course, name=name) for name in ("实操", "笔试")]
    return {"cohort": cohort, "instructor": instructor, "enrollments": enrollments, "session": today, "items": items}


def teaching_urls(cohort, session):
    base = f"/api/v1/teaching/cohorts/{cohort.code}"
    return [
        f"{base}/",
        f"{base}/roster/",
        f"{base}/sessions/",
        f"{base}/sessions/{session.pk}/attendance/",
        f"{base}/scores/",
    ]


def test_an_instructor_lists_only_the_classes_they_run(client, taught):
    CohortFactory(code="OTHER-1")

    body = signed_in(client, taught["instructor"]).get("/api/v1/teaching/cohorts/").json()

    assert [row["code"] for row in body["results"]] == ["HK-101-A"]


def test_an_instructor_cannot_reach_another_instructors_class(client, taught):
    stranger = an_instructor_of(CohortFactory())
    cohort, session, enrollment, item = (
        taught["cohort"],
        taught["session"],
        taught["enrollments"][0],
        taught["items"][0],
    )
    signed_in(client, stranger)

    for url in teaching_urls(cohort, session):
        assert client.get(url).status_code in (403, 404), url
    marked = client.post(
        f"/api/v1/teaching/cohorts/{cohort.code}/sessions/{session.pk}/attendance/",
        {"marks": {str(enrollment.pk): "absent"}},
        content_type=JSON,
    )
    scored = client.put(
        f"/api/v1/teaching/cohorts/{cohort.code}/scores/",
        {"rows": [{"enrollment": enrollment.pk, "scores": {str(item.pk): 10}}]},
        content_type=JSON,
    )

    assert marked.status_code in (403, 404)
    assert scored.status_code in (403, 404)
    assert not Attendance.objects.exists()
    assert not Score.objects.exists()
    assert stranger.pk not in {row["code"] for row in client.get("/api/v1/teaching/cohorts/").json()["results"]}


def test_a_session_of_another_class_is_not_found_through_my_class(client, taught):
    mine = an_instructor_of(CohortFactory(code="MINE-1"))
    signed_in(client, mine)

    response = client.post(
        f"/api/v1/teaching/cohorts/MINE-1/sessions/{taught['session'].pk}/attendance/",
        {"all_present": True},
        content_type=JSON,
    )

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_staff_may_run_any_class(client, taught):
    signed_in(client, StaffFactory())

    for url in teaching_urls(taught["cohort"], taught["session"]):
        assert client.get(url).status_code == 200, url


def test_students_cannot_use_the_teaching_endpoints(client, taught):
    student = taught["enrollments"][0].student
    signed_in(client, student)

    assert client.get("/api/v1/teaching/cohorts/").status_code == 403
    for url in teaching_urls(taught["cohort"], taught["session"]):
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/api/v1/teaching/cohorts/{taught['cohort'].code}/sessions/{taught['session'].pk}/attendance/",
        {"all_present": True},
        content_type=JSON,
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


# --- Teaching: roster and sessions ---------------------------------------------------------------------


def test_the_roster_shows_names_masked_phones_statuses_and_attendance(client, taught):
    cohort, first = taught["cohort"], taught["enrollments"][0]
    Attendance.objects.create(session=taught["session"], enrollment=first, mark="present")
    waiting = EnrollmentFactory(cohort=cohort, status=Status.WAITLISTED, waitlisted_at=timezone.now())

    rows = signed_in(client, taught["instructor"]).get(f"/api/v1/teaching/cohorts/{cohort.code.lower()}/roster/").json()

    assert [row["id"] for row in rows] == [*(e.pk for e in taught["enrollments"]), waiting.pk]
    assert rows[0]["student_name"] == "学员0"
    assert rows[0]["phone"] == "138****8000"
    assert rows[0]["status"] == "enrolled"
    assert rows[0]["attendance_rate"] == "100.00"
    assert rows[1]["attendance_rate"] == "0.00"  # today's session is held once attendance is taken
    assert rows[3]["attendance_rate"] is None
    assert rows[3]["status"] == "waitlisted"
    assert rows[3]["waitlist_position"] == 1
    assert all("13800138000" not in str(row) for row in rows)


def test_the_roster_takes_the_same_queries_for_a_small_or_large_class(client, taught, django_assert_max_num_queries):
    cohort = taught["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(capacity=40)
    signed_in(client, taught["instructor"])
    url = f"/api/v1/teaching/cohorts/{cohort.code}/roster/"

    with django_assert_max_num_queries(10):
        assert len(client.get(url).json()) == 3
    for _ in range(20):
        EnrollmentFactory(cohort=cohort, student=a_student())
    with django_assert_max_num_queries(10):
        assert len(client.get(url).json()) == 23


def test_the_sessions_list_counts_marks(client, taught):
    cohort, session = taught["cohort"], taught["session"]
    later = ClassSessionFactory(cohort=cohort, date=days_from_today(7), cancelled=True)
    Attendance.objects.create(session=session, enrollment=taught["enrollments"][0], mark="late")

    rows = signed_in(client, taught["instructor"]).get(f"/api/v1/teaching/cohorts/{cohort.code}/sessions/").json()

    assert [(row["id"], row["marked"], row["cancelled"]) for row in rows] == [
        (session.pk, 1, False),
        (later.pk, 0, True),
    ]


# --- Teaching: attendance ------------------------------------------------------------------------------


def attendance_url(taught, session=None):
    return f"/api/v1/teaching/cohorts/{taught['cohort'].code}/sessions/{(session or taught['session']).pk}/attendance/"


def test_an_instructor_takes_attendance(client, taught):
    first, second, third = taught["enrollments"]
    signed_in(client, taught["instructor"])

    response = client.post(
        attendance_url(taught), {"marks": {str(first.pk): "present", str(second.pk): "late"}}, content_type=JSON
    )

    assert response.status_code == 200
    marks = {row["enrollment"]: row["mark"] for row in response.json()["marks"]}
    assert marks == {first.pk: "present", second.pk: "late", third.pk: None}
    assert response.json()["session"]["marked"] == 2
    assert Attendance.objects.get(enrollment=second).marked_by == taught["instructor"]


def test_all_present_except_those_given(client, taught):
    first, second, third = taught["enrollments"]
    signed_in(client, taught["instructor"])

    response = client.post(
        attendance_url(taught), {"all_present": True, "marks": {str(third.pk): "excused"}}, content_type=JSON
    )

    assert response.status_code == 200
    assert dict(Attendance.objects.values_list("enrollment_id", "mark")) == {
        first.pk: "present",
        second.pk: "present",
        third.pk: "excused",
    }
    assert client.get(attendance_url(taught)).json()["session"]["marked"] == 3


def test_a_bad_mark_saves_nothing(client, taught):
    first, second, _third = taught["enrollments"]
    signed_in(client, taught["instructor"])
    marks = {"marks": {str(first.pk): "present", str(second.pk): "asleep"}}

    chinese = client.post(attendance_url(taught), marks, content_type=JSON)
    english = client.post(attendance_url(taught), marks, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["code"] == "mark"
    assert chinese.json()["detail"] == "无法识别的考勤状态：asleep。"
    assert english.json()["detail"] == "Unknown attendance mark: asleep."
    assert not Attendance.objects.exists()


def test_a_student_of_another_class_or_a_malformed_id_saves_nothing(client, taught):
    outsider = EnrollmentFactory()
    first = taught["enrollments"][0]
    signed_in(client, taught["instructor"])

    stranger = client.post(
        attendance_url(taught), {"marks": {str(first.pk): "present", str(outsider.pk): "present"}}, content_type=JSON
    )
    malformed = client.post(attendance_url(taught), {"marks": {"first": "present"}}, content_type=JSON)

    assert stranger.status_code == 400
    assert stranger.json()["code"] == "not_in_class"
    assert malformed.status_code == 400
    assert set(malformed.json()["fields"]) == {"marks"}
    assert not Attendance.objects.exists()


def test_attendance_waits_for_the_day_of_the_session(client, taught):
    tomorrow = ClassSessionFactory(cohort=taught["cohort"], date=days_from_today(1))
    signed_in(client, taught["instructor"])

    response = client.post(attendance_url(taught, tomorrow), {"all_present": True}, content_type=JSON)

    assert response.status_code == 400
    assert response.json()["code"] == "future"
    assert not Attendance.objects.exists()


# --- Teaching: scores ----------------------------------------------------------------------------------


def scores_url(taught):
    return f"/api/v1/teaching/cohorts/{taught['cohort'].code}/scores/"


def test_the_score_grid_and_saving_scores(client, taught):
    first, second, _third = taught["enrollments"]
    practical, written = taught["items"]
    signed_in(client, taught["instructor"])
    Score.objects.create(enrollment=second, item=written, score=Decimal("70"))

    response = client.put(
        scores_url(taught),
        {"rows": [{"enrollment": first.pk, "scores": {str(practical.pk): 85.5, str(written.pk): "90"}}]},
        content_type=JSON,
    )

    assert response.status_code == 200
    grid = response.json()
    assert [item["name"] for item in grid["items"]] == ["实操", "笔试"]
    rows = {row["enrollment"]: row for row in grid["rows"]}
    assert rows[first.pk]["scores"] == {str(practical.pk): "85.5", str(written.pk): "90.0"}
    assert rows[second.pk]["scores"] == {str(practical.pk): None, str(written.pk): "70.0"}
    assert rows[first.pk]["student_name"] == "学员0"
    assert grid["editable"] is True
    assert Score.objects.get(enrollment=first, item=practical).entered_by == taught["instructor"]
    assert client.get(scores_url(taught)).json() == grid


def test_a_null_score_clears_it(client, taught):
    first = taught["enrollments"][0]
    item = taught["items"][0]
    Score.objects.create(enrollment=first, item=item, score=Decimal("50"))
    signed_in(client, taught["instructor"])

    response = client.put(
        scores_url(taught), {"rows": [{"enrollment": first.pk, "scores": {str(item.pk): None}}]}, content_type=JSON
    )

    assert response.status_code == 200
    assert not Score.objects.exists()


def test_an_out_of_range_score_saves_nothing_and_says_where(client, taught):
    first, second, _third = taught["enrollments"]
    practical, written = taught["items"]
    signed_in(client, taught["instructor"])
    rows = {
        "rows": [
            {"enrollment": first.pk, "scores": {str(practical.pk): "88"}},
            {"enrollment": second.pk, "scores": {str(written.pk): "120"}},
        ]
    }

    chinese = client.put(scores_url(taught), rows, content_type=JSON)
    english = client.put(scores_url(taught), rows, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["errors"] == [
        {
            "message": "学员1 的“笔试”：请输入 0 到 100 之间的成绩。",
            "code": "score",
            "enrollment": second.pk,
            "item": written.pk,
        }
    ]
    assert english.json()["detail"] == "学员1, 笔试: enter a score from 0 to 100."
    assert not Score.objects.exists()


def test_malformed_scores_save_nothing(client, taught):
    first = taught["enrollments"][0]
    item = taught["items"][0]
    outsider = EnrollmentFactory()
    signed_in(client, taught["instructor"])

    not_a_number = client.put(
        scores_url(taught), {"rows": [{"enrollment": first.pk, "scores": {str(item.pk): "abc"}}]}, content_type=JSON
    )
    too_precise = client.put(
        scores_url(taught), {"rows": [{"enrollment": first.pk, "scores": {str(item.pk): "80.25"}}]}, content_type=JSON
    )
    other_class = client.put(
        scores_url(taught), {"rows": [{"enrollment": outsider.pk, "scores": {str(item.pk): "80"}}]}, content_type=JSON
    )
    empty = client.put(scores_url(taught), {"rows": []}, content_type=JSON)

    assert not_a_number.status_code == 400
    assert "rows" in not_a_number.json()["fields"]
    assert too_precise.status_code == 400
    assert too_precise.json()["code"] == "score"
    assert other_class.status_code == 400
    assert other_class.json()["code"] == "student"
    assert empty.status_code == 400
    assert not Score.objects.exists()


def test_a_finished_class_keeps_its_scores(client, taught):
    first = taught["enrollments"][0]
    item = taught["items"][0]
    Cohort.objects.filter(pk=taught["cohort"].pk).update(status=Cohort.Status.FINISHED)
    signed_in(client, taught["instructor"])

    response = client.put(
        scores_url(taught), {"rows": [{"enrollment": first.pk, "scores": {str(item.pk): "80"}}]}, content_type=JSON
    )

    assert response.status_code == 400
    assert response.json()["code"] == "ended"
    assert client.get(scores_url(taught)).json()["editable"] is False
    assert not Score.objects.exists()


# --- Schema --------------------------------------------------------------------------------------------


def test_the_enrolment_and_teaching_endpoints_are_in_the_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]

    assert {
        "/api/v1/enrolments/",
        "/api/v1/enrolments/{id}/",
        "/api/v1/enrolments/{id}/withdraw/",
        "/api/v1/teaching/cohorts/",
        "/api/v1/teaching/cohorts/{code}/",
        "/api/v1/teaching/cohorts/{code}/roster/",
        "/api/v1/teaching/cohorts/{code}/sessions/",
        "/api/v1/teaching/cohorts/{code}/sessions/{session_id}/attendance/",
        "/api/v1/teaching/cohorts/{code}/scores/",
    } <= set(paths)
    assert set(paths["/api/v1/enrolments/"]) == {"get", "post"}
    assert set(paths["/api/v1/teaching/cohorts/{code}/scores/"]) == {"get", "put"}
    assert set(paths["/api/v1/teaching/cohorts/{code}/sessions/{session_id}/attendance/"]) == {"get", "post"}
    created = paths["/api/v1/enrolments/"]["post"]["responses"]
    assert created["201"]["content"][JSON]["schema"]["$ref"].endswith("/Enrolment")
    assert created["400"]["content"][JSON]["schema"]["$ref"].endswith("/Refusal")
