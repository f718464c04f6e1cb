"""Assessment: instructors enter or import scores, then finalise the class; students are told."""

import csv
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse

import openpyxl
import pytest

from accounts.models import Notification
from accounts.roles import Role
from school.errors import ImportRowsError
from school.models import AssessmentItem, Attendance, Cohort, Enrollment, EnrollmentEvent, Score
from school.services import assessment as service
from school.services.enrolment import enrol, withdraw
from tests.factories import (
    AssessmentItemFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    StaffFactory,
    StudentFactory,
    StudentProfileFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db
Status = Enrollment.Status


class Class:
    """A class of a course with two weighted items and three enrolled students."""

    def __init__(self):
        self.course = CourseFactory(min_attendance_percent=80, pass_mark=60)
        self.theory = AssessmentItemFactory(course=self.course, name="理论考试", weight=40, max_score=100)
        self.practical = AssessmentItemFactory(course=self.course, name="实操考核", weight=60, max_score=50)
        self.cohort = CohortFactory(course=self.course)
        self.instructor = UserFactory(role=Role.INSTRUCTOR)
        self.cohort.instructors.add(self.instructor)
        self.students = []
        self.enrollments = []
        for name, phone in (("王芳", "13900000001"), ("李娜", "13900000002"), ("张伟", "13900000003")):
            profile = StudentProfileFactory(user=StudentFactory(phone=phone), real_name=name)
            self.students.append(profile.user)
            self.enrollments.append(enrol(student=profile.user, cohort=self.cohort))

    def score(self, enrollment, item, value) -> None:
        Score.objects.create(enrollment=enrollment, item=item, score=Decimal(str(value)))

    def attend(self, enrollment, *, present: int, absent: int) -> None:
        """Sessions already held, each marked for this student."""
        marks = [Attendance.Mark.PRESENT] * present + [Attendance.Mark.ABSENT] * absent
        sessions = list(self.cohort.sessions.order_by("date"))
        while len(sessions) < len(marks):
            sessions.append(ClassSessionFactory(cohort=self.cohort, date=days_from_today(-1 - len(sessions))))
        for session, mark in zip(sessions, marks, strict=False):
            Attendance.objects.update_or_create(session=session, enrollment=enrollment, defaults={"mark": mark})


@pytest.fixture
def school_class():
    return Class()


def scores_of(cohort) -> dict:
    return {
        (score.enrollment_id, score.item_id): score.score for score in Score.objects.filter(enrollment__cohort=cohort)
    }


def upload(content: bytes, name: str = "scores.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def import_file(school_class, uploaded_file) -> int:
    return service.import_scores(cohort=school_class.cohort, uploaded_file=uploaded_file, actor=school_class.instructor)


def url(name: str, cohort) -> str:
    return reverse(f"school:assessment_{name}", args=[cohort.code])


# --- Final score -------------------------------------------------------------------------------------


def test_the_final_score_weighs_each_item_as_a_percentage_of_its_full_marks(school_class):
    first, second, third = school_class.enrollments
    school_class.score(first, school_class.theory, 80)  # 80% × 40
    school_class.score(first, school_class.practical, 40)  # 80% × 60
    school_class.score(second, school_class.theory, 90)  # 90% × 40 = 36
    school_class.score(second, school_class.practical, 30)  # 60% × 60 = 36
    school_class.score(third, school_class.theory, 77)  # 30.8
    school_class.score(third, school_class.practical, "33.3")  # 66.6% × 60 = 39.96

    assert service.final_score(enrollment=first) == Decimal("80.00")
    assert service.final_score(enrollment=second) == Decimal("72.00")
    assert service.final_score(enrollment=third) == Decimal("70.76")


def test_weights_that_do_not_add_up_to_100_are_scaled_and_rounded_half_up():
    course = CourseFactory()
    items = [AssessmentItemFactory(course=course, weight=1, max_score=10) for _ in range(3)]
    enrollment = enrol(student=StudentFactory(), cohort=CohortFactory(course=course))
    for item, value in zip(items, (10, 10, 0), strict=True):
        Score.objects.create(enrollment=enrollment, item=item, score=value)

    assert service.final_score(enrollment=enrollment) == Decimal("66.67")


def test_there_is_no_final_score_while_an_item_is_missing(school_class):
    enrollment = school_class.enrollments[0]
    school_class.score(enrollment, school_class.theory, 100)

    assert service.final_score(enrollment=enrollment) is None


# --- Saving scores -----------------------------------------------------------------------------------


def test_saving_scores_stores_changes_and_clears_empty_cells(school_class):
    first, second, _third = school_class.enrollments
    school_class.score(second, school_class.theory, 50)

    service.save_scores(
        cohort=school_class.cohort,
        scores={
            (first.pk, school_class.theory.pk): Decimal("88.5"),
            (first.pk, school_class.practical.pk): Decimal("50"),
            (second.pk, school_class.theory.pk): None,
        },
        actor=school_class.instructor,
    )

    assert scores_of(school_class.cohort) == {
        (first.pk, school_class.theory.pk): Decimal("88.5"),
        (first.pk, school_class.practical.pk): Decimal("50"),
    }
    assert set(Score.objects.values_list("entered_by", flat=True)) == {school_class.instructor.pk}


def test_any_wrong_score_is_reported_and_nothing_is_saved(school_class):
    first, second, third = school_class.enrollments
    school_class.score(first, school_class.theory, 70)
    withdraw(enrollment=third, actor=third.student)
    stranger = enrol(student=StudentFactory(), cohort=CohortFactory(course=school_class.course))
    other_item = AssessmentItemFactory()

    with pytest.raises(ValidationError) as raised:
        service.save_scores(
            cohort=school_class.cohort,
            scores={
                (first.pk, school_class.theory.pk): Decimal("90"),  # fine, but must not be saved
                (first.pk, school_class.practical.pk): Decimal("51"),  # practical is out of 50
                (second.pk, school_class.theory.pk): Decimal("-1"),
                (second.pk, school_class.practical.pk): Decimal("12.25"),
                (third.pk, school_class.theory.pk): Decimal("60"),  # withdrawn
                (stranger.pk, school_class.theory.pk): Decimal("60"),  # another class
                (first.pk, other_item.pk): Decimal("60"),  # another course's item
            },
            actor=school_class.instructor,
        )

    problems = raised.value.error_list
    assert [problem.code for problem in problems] == [
        "score",
        "score",
        "score",
        "not_enrolled",
        "student",
        "item",
    ]
    cells = {(problem.params["enrollment_id"], problem.params["item_id"]) for problem in problems}
    assert (first.pk, school_class.practical.pk) in cells
    assert any("王芳" in message and "50" in message for message in raised.value.messages)
    assert scores_of(school_class.cohort) == {(first.pk, school_class.theory.pk): Decimal("70")}


# --- The score grid ----------------------------------------------------------------------------------


def cell(enrollment, item) -> str:
    return f"score-{enrollment.pk}-{item.pk}"


def test_the_grid_saves_scores_typed_by_the_instructor(client, school_class):
    first, second, third = school_class.enrollments
    client.force_login(school_class.instructor)

    page = client.get(url("scores", school_class.cohort))
    assert page.status_code == 200
    assert 'inputmode="decimal"' in page.content.decode()
    assert f'name="{cell(first, school_class.practical)}"' in page.content.decode()
    assert 'max="50.0"' in page.content.decode()

    response = client.post(
        url("scores", school_class.cohort),
        {cell(first, school_class.theory): "95", cell(first, school_class.practical): "47.5"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == url("scores", school_class.cohort)
    assert scores_of(school_class.cohort) == {
        (first.pk, school_class.theory.pk): Decimal("95"),
        (first.pk, school_class.practical.pk): Decimal("47.5"),
    }
    assert 'value="47.5"' in response.content.decode()


def test_the_grid_keeps_what_was_typed_and_shows_each_cells_error(client, school_class):
    first, second, _third = school_class.enrollments
    client.force_login(school_class.instructor)

    response = client.post(
        url("scores", school_class.cohort),
        {
            cell(first, school_class.theory): "95",
            cell(first, school_class.practical): "55",
            cell(second, school_class.theory): "abc",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="95"' in html and 'value="55"' in html and 'value="abc"' in html
    assert html.count('aria-invalid="true"') == 2
    assert f'id="{cell(first, school_class.practical)}-error"' in html
    assert f'id="{cell(second, school_class.theory)}-error"' in html
    assert Score.objects.count() == 0


# --- Importing scores --------------------------------------------------------------------------------


def test_a_csv_file_is_imported_by_mobile_number_or_name(school_class):
    first, second, third = school_class.enrollments
    content = csv_bytes(
        [
            ["手机号", "姓名", "理论考试", "实操考核"],
            ["+86 139-0000-0001", "", "88", "45.5"],
            ["", "李娜", "72", ""],  # an empty cell leaves the score as it is
            ["13900000003", "张伟", "60", "30"],
            ["", "", "", ""],
        ]
    )
    school_class.score(second, school_class.practical, 20)

    saved = service.import_scores(
        cohort=school_class.cohort, uploaded_file=upload(content), actor=school_class.instructor
    )

    assert saved == 5
    assert scores_of(school_class.cohort) == {
        (first.pk, school_class.theory.pk): Decimal("88"),
        (first.pk, school_class.practical.pk): Decimal("45.5"),
        (second.pk, school_class.theory.pk): Decimal("72"),
        (second.pk, school_class.practical.pk): Decimal("20"),
        (third.pk, school_class.theory.pk): Decimal("60"),
        (third.pk, school_class.practical.pk): Decimal("30"),
    }


def test_a_file_with_bad_rows_reports_each_row_and_saves_nothing(school_class):
    withdraw(enrollment=school_class.enrollments[2], actor=school_class.students[2])
    outsider = StudentFactory(phone="13700009999")
    content = csv_bytes(
        [
            ["mobile", "理论考试", "实操考核"],
            ["13900000001", "88", "45"],  # fine, but nothing may be saved
            ["13700009999", "70", "40"],  # not in this class
            ["13900000002", "九十", "40"],  # not a number
            ["13900000001", "80", "40"],  # a second row for the same student
            ["13900000003", "80", "40"],  # withdrawn
            ["13900000002", "101", "50.25"],  # a second row, out of range, too many decimals
        ]
    )

    with pytest.raises(ImportRowsError) as raised:
        import_file(school_class, upload(content))

    rows = [row for row, _message in raised.value.errors]
    assert rows == [3, 4, 5, 6, 7, 7, 7]
    messages = dict(raised.value.errors)
    assert outsider.phone in messages[3]
    assert "九十" in messages[4]
    assert "2" in messages[5]  # points at the row the student first appears in
    assert Score.objects.count() == 0


def test_unknown_columns_are_reported_on_the_heading_row(school_class):
    content = csv_bytes([["phone", "理论考试", "期末考试"], ["13900000001", "80", "70"]])

    with pytest.raises(ImportRowsError) as raised:
        import_file(school_class, upload(content))

    assert [row for row, _message in raised.value.errors] == [1]
    assert "期末考试" in raised.value.errors[0][1]


def test_a_csv_saved_by_excel_in_china_as_gbk_is_imported(school_class):
    content = csv_bytes([["姓名", "理论考试", "实操考核"], ["王芳", "91", "44"]], encoding="gbk")
    assert content.decode("gbk") and not content.startswith(b"\xef\xbb\xbf")

    saved = service.import_scores(
        cohort=school_class.cohort, uploaded_file=upload(content), actor=school_class.instructor
    )

    assert saved == 2
    assert scores_of(school_class.cohort)[(school_class.enrollments[0].pk, school_class.theory.pk)] == Decimal("91")


def test_an_xlsx_file_is_imported(school_class):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["手机号", "理论考试", "实操考核"])
    sheet.append([13900000001, 77.5, 40])  # Excel stores numbers, phone numbers included
    sheet.append(["13900000002", 66, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    saved = service.import_scores(
        cohort=school_class.cohort,
        uploaded_file=upload(buffer.getvalue(), "scores.xlsx"),
        actor=school_class.instructor,
    )

    assert saved == 3
    first, second, _third = school_class.enrollments
    assert scores_of(school_class.cohort) == {
        (first.pk, school_class.theory.pk): Decimal("77.5"),
        (first.pk, school_class.practical.pk): Decimal("40"),
        (second.pk, school_class.theory.pk): Decimal("66"),
    }


def test_the_import_page_lists_the_problems_by_row(client, school_class):
    client.force_login(school_class.instructor)
    content = csv_bytes([["手机号", "理论考试"], ["13900000001", "80"], ["13700000000", "80"]])

    response = client.post(url("score_import", school_class.cohort), {"file": upload(content)})

    assert response.status_code == 400
    assert '<th scope="row">3</th>' in response.content.decode()
    assert Score.objects.count() == 0


def test_the_import_page_reports_how_many_scores_were_saved(client, school_class):
    client.force_login(school_class.instructor)
    content = csv_bytes([["手机号", "理论考试"], ["13900000001", "80"], ["13900000002", "70"]])

    response = client.post(url("score_import", school_class.cohort), {"file": upload(content)}, follow=True)

    assert response.redirect_chain[-1][0] == url("scores", school_class.cohort)
    assert Score.objects.count() == 2
    assert [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "scores.csv"),  # an image renamed
        (b"PK\x03\x04not really a workbook", "scores.xlsx"),
        (b"phone,score\n", "scores.pdf"),
        (b"a" * (2 * 1024 * 1024 + 1), "scores.csv"),
    ],
)
def test_the_import_page_refuses_files_that_are_not_scores(client, school_class, content, name):
    client.force_login(school_class.instructor)

    response = client.post(url("score_import", school_class.cohort), {"file": upload(content, name)})

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert Score.objects.count() == 0


def test_the_template_lists_the_class_with_a_column_per_item(client, school_class):
    school_class.score(school_class.enrollments[0], school_class.theory, "85.5")
    client.force_login(school_class.instructor)

    response = client.get(url("score_template", school_class.cohort))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2:] == ["理论考试", "实操考核"]
    assert rows[1] == ["13900000001", "王芳", "85.5", ""]
    assert len(rows) == 4
    # The template comes back in as it went out.
    saved = import_file(school_class, upload(response.content))
    assert saved == 1


# --- Finalising --------------------------------------------------------------------------------------


def score_everyone(school_class, values):
    for enrollment, (theory, practical) in zip(school_class.enrollments, values, strict=True):
        school_class.score(enrollment, school_class.theory, theory)
        school_class.score(enrollment, school_class.practical, practical)


def test_finalising_decides_each_result_by_the_course_rule_and_tells_the_students(school_class):
    good, absent, weak = school_class.enrollments
    score_everyone(school_class, [(90, 45), (90, 45), (50, 25)])  # 90, 90, 50
    school_class.attend(good, present=5, absent=0)
    school_class.attend(absent, present=3, absent=2)  # 60%
    school_class.attend(weak, present=4, absent=1)  # 80%: just enough

    summary = service.finalise_cohort(cohort=school_class.cohort, actor=school_class.instructor)

    assert summary == {"completed": 1, "failed": 2}
    for enrollment in school_class.enrollments:
        enrollment.refresh_from_db()
    assert (good.status, good.final_score, good.attendance_rate, good.result_reasons) == (
        Status.COMPLETED,
        Decimal("90.00"),
        Decimal("100.00"),
        [],
    )
    assert (absent.status, absent.final_score, absent.attendance_rate) == (Status.FAILED, 90, 60)
    assert len(absent.result_reasons) == 1 and "60" in absent.result_reasons[0] and "80" in absent.result_reasons[0]
    assert (weak.status, weak.final_score, weak.attendance_rate) == (Status.FAILED, 50, 80)
    assert len(weak.result_reasons) == 1 and "50" in weak.result_reasons[0] and "60" in weak.result_reasons[0]

    school_class.cohort.refresh_from_db()
    assert school_class.cohort.status == Cohort.Status.FINISHED
    assert school_class.cohort.seats_taken == 0
    events = EnrollmentEvent.objects.filter(to_status__in=[Status.COMPLETED, Status.FAILED])
    assert set(events.values_list("enrollment", "from_status", "actor")) == {
        (enrollment.pk, Status.ENROLLED, school_class.instructor.pk) for enrollment in school_class.enrollments
    }
    # Each student gets a message, written in their language (Chinese by default), with the reasons.
    assert {student.language for student in school_class.students} == {"zh-hans"}
    for enrollment in school_class.enrollments:
        message = Notification.objects.filter(recipient=enrollment.student).first()
        assert school_class.cohort.code in message.body
        for reason in enrollment.result_reasons:
            assert reason in message.body
    assert "90.00" in Notification.objects.filter(recipient=good.student).first().body


def test_finalising_refuses_while_scores_are_missing_unless_forced(school_class):
    first, second, third = school_class.enrollments
    score_everyone(school_class, [(90, 45), (90, 45), (80, 40)])
    Score.objects.filter(enrollment=third, item=school_class.practical).delete()
    for enrollment in school_class.enrollments:
        school_class.attend(enrollment, present=5, absent=0)

    with pytest.raises(ValidationError) as raised:
        service.finalise_cohort(cohort=school_class.cohort, actor=school_class.instructor)
    assert "实操考核" in raised.value.messages[0] and "张伟" in raised.value.messages[0]
    assert Enrollment.objects.filter(status=Status.ENROLLED).count() == 3

    summary = service.finalise_cohort(cohort=school_class.cohort, actor=school_class.instructor, force=True)

    assert summary == {"completed": 2, "failed": 1}
    third.refresh_from_db()
    assert third.status == Status.FAILED and third.final_score is None
    assert len(third.result_reasons) == 1 and "实操考核" in third.result_reasons[0]


def test_finalising_a_finished_class_again_changes_nothing(school_class):
    score_everyone(school_class, [(90, 45), (50, 20), (70, 35)])
    for enrollment in school_class.enrollments:
        school_class.attend(enrollment, present=5, absent=0)
    first = service.finalise_cohort(cohort=school_class.cohort, actor=school_class.instructor)
    counts = (EnrollmentEvent.objects.count(), Notification.objects.count())

    again = service.finalise_cohort(cohort=school_class.cohort, actor=StaffFactory(), force=True)

    assert again == first == {"completed": 2, "failed": 1}
    assert (EnrollmentEvent.objects.count(), Notification.objects.count()) == counts
    with pytest.raises(ValidationError):
        service.save_scores(
            cohort=school_class.cohort,
            scores={(school_class.enrollments[1].pk, school_class.theory.pk): Decimal("100")},
            actor=school_class.instructor,
        )


def test_the_finalise_page_previews_results_before_confirming(client, school_class):
    good, absent, weak = school_class.enrollments
    score_everyone(school_class, [(90, 45), (90, 45), (50, 25)])
    school_class.attend(good, present=5, absent=0)
    school_class.attend(absent, present=3, absent=2)
    school_class.attend(weak, present=5, absent=0)
    client.force_login(school_class.instructor)

    preview = client.get(url("finalise", school_class.cohort))

    assert preview.status_code == 200
    outcomes = {outcome.enrollment.pk: outcome for outcome in preview.context["outcomes"]}
    assert [outcomes[e.pk].completed for e in school_class.enrollments] == [True, False, False]
    for reason in outcomes[absent.pk].reasons() + outcomes[weak.pk].reasons():
        assert reason in preview.content.decode()
    assert Enrollment.objects.filter(status=Status.ENROLLED).count() == 3

    response = client.post(url("finalise", school_class.cohort), follow=True)

    assert response.redirect_chain[-1][0] == url("finalise", school_class.cohort)
    assert response.context["finished"]
    assert len(response.context["results"]) == 3
    assert Enrollment.objects.filter(status=Status.COMPLETED).count() == 1
    absent.refresh_from_db()
    assert absent.result_reasons and absent.result_reasons[0] in response.content.decode()


def test_the_finalise_page_shows_what_is_missing_and_saves_nothing(client, school_class):
    school_class.score(school_class.enrollments[0], school_class.theory, 80)
    client.force_login(school_class.instructor)

    response = client.post(url("finalise", school_class.cohort))

    assert response.status_code == 400
    assert "实操考核" in response.content.decode()
    assert 'name="force"' in response.content.decode()
    assert Cohort.objects.get(pk=school_class.cohort.pk).status != Cohort.Status.FINISHED


# --- Who may ----------------------------------------------------------------------------------------

PAGES = ["scores", "score_import", "score_template", "finalise"]


@pytest.mark.parametrize("page", PAGES)
def test_another_instructor_is_refused_every_page_and_post(client, school_class, page):
    client.force_login(UserFactory(role=Role.INSTRUCTOR))
    school_class.score(school_class.enrollments[0], school_class.theory, 80)

    assert client.get(url(page, school_class.cohort)).status_code == 403
    if page != "score_template":
        data = {cell(school_class.enrollments[0], school_class.theory): "10", "force": "1"}
        if page == "score_import":
            data = {"file": upload(csv_bytes([["phone", "理论考试"], ["13900000001", "10"]]))}
        assert client.post(url(page, school_class.cohort), data).status_code == 403
    assert scores_of(school_class.cohort) == {(school_class.enrollments[0].pk, school_class.theory.pk): 80}
    assert Cohort.objects.get(pk=school_class.cohort.pk).status == Cohort.Status.OPEN


@pytest.mark.parametrize("page", PAGES)
def test_a_student_is_refused(client, school_class, page):
    client.force_login(school_class.students[0])

    assert client.get(url(page, school_class.cohort)).status_code == 403
    assert client.post(url(page, school_class.cohort)).status_code in (403, 405)


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, school_class, page):
    response = client.get(url(page, school_class.cohort))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize("page", PAGES)
def test_staff_may_run_any_class(client, school_class, page):
    client.force_login(StaffFactory())

    assert client.get(url(page, school_class.cohort)).status_code == 200


def test_the_pages_work_in_english_too(client, school_class):
    client.force_login(school_class.instructor)

    response = client.get(f"/en/teach/classes/{school_class.cohort.code}/scores/")

    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


# --- The back office ---------------------------------------------------------------------------------


def test_the_back_office_keeps_a_courses_weights_within_100(client, school_class):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("school_assessment_items:add"),
        {"course": school_class.course.pk, "name": "期末考试", "weight": "10", "max_score": "100", "sort_order": "3"},
    )

    assert response.status_code == 200
    assert "weight" in response.context["form"].errors
    assert not AssessmentItem.objects.filter(name="期末考试").exists()

    response = client.get(reverse("school_assessment_items:index"), {"course": school_class.course.pk})
    assert response.status_code == 200
    assert "实操考核" in response.content.decode()


# --- Cost and phones ---------------------------------------------------------------------------------


def add_students(school_class, count: int) -> None:
    for _ in range(count):
        enrollment = enrol(student=StudentProfileFactory().user, cohort=school_class.cohort)
        school_class.score(enrollment, school_class.theory, 70)
        school_class.attend(enrollment, present=4, absent=1)


@pytest.mark.parametrize("page", ["scores", "finalise"])
def test_the_lists_cost_the_same_queries_for_a_small_and_a_large_class(
    client, school_class, page, django_assert_max_num_queries
):
    client.force_login(school_class.instructor)
    add_students(school_class, 2)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url(page, school_class.cohort)).status_code == 200

    add_students(school_class, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(page, school_class.cohort)).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_only_the_score_table_scrolls_sideways_and_names_stay_in_view(
    live_server, chromium_browser, screenshots
):
    from django.test import Client

    school_class = Class()
    for number in range(6):
        AssessmentItemFactory(course=school_class.course, name=f"第{number + 1}项综合技能考核", weight=1)
    browser_client = Client()
    browser_client.force_login(school_class.instructor)
    context = chromium_browser.new_context(viewport={"width": 375, "height": 812})
    context.add_cookies(
        [{"name": "sessionid", "value": browser_client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    page.goto(f"{live_server.url}{url('scores', school_class.cohort)}")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    table = page.locator(".assessment-table")
    assert table.evaluate("element => element.scrollWidth > element.clientWidth")
    name = page.get_by_role("rowheader", name="王芳")
    before = name.bounding_box()["x"]
    table.evaluate("element => element.scrollBy(400, 0)")
    assert abs(name.bounding_box()["x"] - before) < 1
    screenshots(page, "scrolled")
    page.get_by_label("王芳: 理论考试").fill("88")
    page.locator(".assessment-form button[type=submit]").click()
    page.wait_for_load_state()
    assert Score.objects.get(item=school_class.theory).score == 88
    context.close()
    # Queries made while Playwright's event loop runs use their own connection: close it, or the test
    # database cannot be dropped at the end of the run.
    connections.close_all()
