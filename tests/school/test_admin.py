"""The back office for programs, skills, courses and classes, used by school staff (not superusers)."""

import csv
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext

import openpyxl
import pytest

from accounts.roles import Role
from school.models import Cohort, Course, CourseSkill, Program, Skill, SkillCategory
from tests.factories import (
    CohortFactory,
    CourseFactory,
    ProgramFactory,
    SkillCategoryFactory,
    SkillFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"school_{name}", args=args)


def page(response) -> str:
    return response.content.decode()


def translated(message: str) -> str:
    """The message as the admin shows it: in Chinese, the default language, and HTML-escaped."""
    with translation.override("zh-hans"):
        return escape(gettext(message))


def download(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def course_form(program, **overrides) -> dict:
    data = {
        "code": "EC-201",
        "program": program.pk,
        "title": "直播电商运营",
        "title_en": "Live-stream selling",
        "summary": "",
        "hours": 64,
        "level": Course.Level.INTERMEDIATE,
        "fee": "1800.00",
        "subsidised": "on",
        "min_attendance_percent": 80,
        "pass_mark": 60,
        "course_skills-TOTAL_FORMS": 0,
        "course_skills-INITIAL_FORMS": 0,
        "course_skills-MIN_NUM_FORMS": 0,
        "course_skills-MAX_NUM_FORMS": 1000,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def cohort_form(course, **overrides) -> dict:
    start = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "course": course.pk,
        "code": "EC-201-2026-03",
        "status": Cohort.Status.OPEN,
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=56)).isoformat(),
        "weekdays": ["1", "3"],
        "class_starts": "19:00",
        "class_ends": "21:00",
        "delivery": Cohort.Delivery.ON_SITE,
        "location": "洛阳市西工区中州路 88 号 302 室",
        "capacity": 24,
        "enrolment_opens": timezone.localdate().isoformat(),
        "enrolment_closes": start.isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def cohort_form_for(cohort, **overrides) -> dict:
    saved = {
        "code": cohort.code,
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "enrolment_opens": cohort.enrolment_opens.isoformat(),
        "enrolment_closes": cohort.enrolment_closes.isoformat(),
        "capacity": cohort.capacity,
    }
    return cohort_form(cohort.course, **{**saved, **overrides})


# --- Access ---------------------------------------------------------------------------------------


def test_staff_find_the_school_records_in_the_teaching_menu(staff_client):
    response = staff_client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    for name in ("programs", "skill_categories", "skills", "courses", "cohorts"):
        assert url(f"{name}:index") in page(response)


@pytest.mark.parametrize("name", ["programs", "skill_categories", "skills", "courses", "cohorts"])
def test_a_student_cannot_open_the_back_office(client, name):
    client.force_login(StudentFactory())

    listing = client.get(url(f"{name}:index"))
    form = client.get(url(f"{name}:add"))

    assert listing.status_code == 302
    assert form.status_code == 302
    assert listing["Location"].startswith(reverse("wagtailadmin_login"))


def test_a_student_cannot_create_a_course(client):
    client.force_login(StudentFactory())

    response = client.post(url("courses:add"), course_form(ProgramFactory()))

    assert response.status_code == 302
    assert not Course.objects.exists()


@pytest.mark.parametrize("model", ["program", "skillcategory", "skill", "course", "cohort"])
def test_staff_hold_every_permission_on_the_school_records(model):
    staff = StaffFactory()

    assert all(staff.has_perm(f"school.{action}_{model}") for action in ("add", "change", "delete", "view"))


def test_instructors_may_read_courses_and_classes_but_not_change_them():
    instructor = UserFactory(role=Role.INSTRUCTOR)

    assert instructor.has_perm("school.view_course") and instructor.has_perm("school.view_cohort")
    assert not instructor.has_perm("school.change_course") and not instructor.has_perm("school.change_cohort")
    assert not instructor.has_perm("school.view_program")


def test_staff_delete_an_unused_program_but_not_one_with_courses(staff_client):
    unused, in_use = ProgramFactory(), ProgramFactory()
    CourseFactory(program=in_use)

    deleted = staff_client.post(url("programs:delete", unused.pk))
    refused = staff_client.post(url("programs:delete", in_use.pk))

    assert deleted.status_code == 302
    assert refused.status_code == 302
    assert list(Program.objects.all()) == [in_use]


# --- Programs and skills --------------------------------------------------------------------------


def test_staff_list_search_create_and_edit_programs(staff_client):
    ProgramFactory(name="家政服务", slug="housekeeping")
    ProgramFactory(name="电子商务", slug="e-commerce")

    listing = staff_client.get(url("programs:index"))
    search = staff_client.get(url("programs:index"), {"q": "家政"})
    created = staff_client.post(
        url("programs:add"), {"name": "养老护理", "name_en": "Elderly care", "slug": "elderly-care", "sort_order": 3}
    )
    program = Program.objects.get(slug="elderly-care")
    edited = staff_client.post(
        url("programs:edit", program.pk),
        {"name": "养老护理", "name_en": "Care for the elderly", "slug": "elderly-care", "sort_order": 3},
    )

    assert "家政服务" in page(listing) and "电子商务" in page(listing)
    assert "家政服务" in page(search) and "电子商务" not in page(search)
    assert created.status_code == 302
    assert edited.status_code == 302
    program.refresh_from_db()
    assert program.name_en == "Care for the elderly"


def test_staff_list_search_create_and_edit_skill_categories(staff_client):
    SkillCategoryFactory(name="沟通能力")
    SkillCategoryFactory(name="数字技能")

    search = staff_client.get(url("skill_categories:index"), {"q": "沟通"})
    created = staff_client.post(url("skill_categories:add"), {"name": "安全规范", "name_en": "", "sort_order": 1})
    category = SkillCategory.objects.get(name="安全规范")
    edited = staff_client.post(
        url("skill_categories:edit", category.pk), {"name": "安全规范", "name_en": "Safety", "sort_order": 1}
    )

    assert "沟通能力" in page(search) and "数字技能" not in page(search)
    assert created.status_code == 302 and edited.status_code == 302
    category.refresh_from_db()
    assert category.name_en == "Safety"


def test_staff_list_search_filter_create_and_edit_skills(staff_client):
    talking, digital = SkillCategoryFactory(name="沟通能力"), SkillCategoryFactory(name="数字技能")
    SkillFactory(name="客户接待", category=talking)
    SkillFactory(name="短视频剪辑", category=digital)

    listing = staff_client.get(url("skills:index"))
    search = staff_client.get(url("skills:index"), {"q": "剪辑"})
    by_category = staff_client.get(url("skills:index"), {"category": talking.pk})
    created = staff_client.post(
        url("skills:add"), {"name": "直播话术", "name_en": "", "slug": "live-script", "category": digital.pk}
    )
    skill = Skill.objects.get(slug="live-script")
    edited = staff_client.post(
        url("skills:edit", skill.pk),
        {"name": "直播话术", "name_en": "Live-stream scripts", "slug": "live-script", "category": digital.pk},
    )

    assert "客户接待" in page(listing) and "短视频剪辑" in page(listing)
    assert "短视频剪辑" in page(search) and "客户接待" not in page(search)
    assert "客户接待" in page(by_category) and "短视频剪辑" not in page(by_category)
    assert created.status_code == 302 and edited.status_code == 302
    skill.refresh_from_db()
    assert skill.name_en == "Live-stream scripts"


# --- Courses --------------------------------------------------------------------------------------


def test_staff_create_a_course_with_the_skills_it_teaches(staff_client):
    program = ProgramFactory(name="电子商务")
    selling, editing = SkillFactory(name="直播话术"), SkillFactory(name="短视频剪辑")

    form = staff_client.get(url("courses:add"))
    response = staff_client.post(
        url("courses:add"),
        course_form(
            program,
            **{
                "course_skills-TOTAL_FORMS": 2,
                "course_skills-0-skill": selling.pk,
                "course_skills-0-level": 3,
                "course_skills-1-skill": editing.pk,
                "course_skills-1-level": 2,
            },
        ),
    )

    assert form.status_code == 200
    assert response.status_code == 302, page(response)[:3000]
    course = Course.objects.get(code="EC-201")
    assert course.program == program and course.subsidised
    assert set(course.course_skills.values_list("skill__name", "level")) == {("直播话术", 3), ("短视频剪辑", 2)}


def test_staff_edit_a_course_and_remove_a_skill(staff_client):
    course = CourseFactory(code="EC-201", title="直播电商运营")
    taught = CourseSkill.objects.create(course=course, skill=SkillFactory(), level=2)

    response = staff_client.post(
        url("courses:edit", course.pk),
        course_form(
            course.program,
            title="直播电商运营（进阶）",
            hours=80,
            **{
                "course_skills-TOTAL_FORMS": 1,
                "course_skills-INITIAL_FORMS": 1,
                "course_skills-0-id": taught.pk,
                "course_skills-0-skill": taught.skill_id,
                "course_skills-0-level": 2,
                "course_skills-0-DELETE": "on",
            },
        ),
    )

    assert response.status_code == 302, page(response)[:3000]
    course.refresh_from_db()
    assert (course.title, course.hours) == ("直播电商运营（进阶）", 80)
    assert not course.course_skills.exists()


def test_a_course_is_not_offered_as_its_own_prerequisite(staff_client):
    course = CourseFactory(code="EC-201")
    basics = CourseFactory(code="EC-101")

    response = staff_client.get(url("courses:edit", course.pk))

    choices = [choice.data["value"] for choice in response.context["form"]["prerequisites"]]
    assert basics.pk in [int(str(value)) for value in choices]
    assert course.pk not in [int(str(value)) for value in choices]


def test_staff_search_courses_by_title_code_or_pinyin(staff_client):
    CourseFactory(code="EC-201", title="直播电商运营")
    CourseFactory(code="HK-101", title="家政服务基础")

    for query in ("直播", "ec-201", "zhibo", "zb"):
        response = staff_client.get(url("courses:index"), {"q": query})
        assert "EC-201" in page(response), query
        assert "HK-101" not in page(response), query


def test_staff_filter_courses_by_program_level_and_subsidy(staff_client):
    commerce = ProgramFactory(name="电子商务")
    CourseFactory(code="EC-201", program=commerce, level=Course.Level.INTERMEDIATE, subsidised=True)
    CourseFactory(code="EC-101", program=commerce, level=Course.Level.BEGINNER)
    CourseFactory(code="HK-101", level=Course.Level.INTERMEDIATE, subsidised=True)

    by_program = staff_client.get(url("courses:index"), {"program": commerce.pk})
    by_level = staff_client.get(url("courses:index"), {"level": Course.Level.INTERMEDIATE})
    subsidised = staff_client.get(url("courses:index"), {"subsidised": "true", "program": commerce.pk})

    assert "EC-201" in page(by_program) and "EC-101" in page(by_program) and "HK-101" not in page(by_program)
    assert "EC-201" in page(by_level) and "HK-101" in page(by_level) and "EC-101" not in page(by_level)
    assert "EC-201" in page(subsidised) and "EC-101" not in page(subsidised) and "HK-101" not in page(subsidised)


def test_staff_export_courses_as_csv_and_xlsx(staff_client):
    CourseFactory(code="EC-201", title="直播电商运营", fee="1800.00", hours=64, subsidised=True)
    CourseFactory(code="HK-101", title="家政服务基础", fee="600.00", hours=32)

    as_csv = staff_client.get(url("courses:index"), {"export": "csv"})
    as_xlsx = staff_client.get(url("courses:index"), {"export": "xlsx", "q": "直播"})

    assert as_csv.status_code == 200
    assert 'filename="courses.csv"' in as_csv["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download(as_csv).decode("utf-8"))))
    with translation.override("zh-hans"):
        heading = rows[0]
        assert str(capfirst(Course._meta.get_field("code").verbose_name)) in heading
        assert str(capfirst(Course._meta.get_field("fee").verbose_name)) in heading
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"EC-201", "HK-101"}
    assert by_code["EC-201"][1] == "直播电商运营"
    assert "1800.00" in by_code["EC-201"] and "64" in by_code["EC-201"]
    assert "是" in by_code["EC-201"] and "否" in by_code["HK-101"]

    workbook = openpyxl.load_workbook(io.BytesIO(download(as_xlsx)))
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet) == 2  # heading and the one course the search found
    assert sheet[1][:2] == ("EC-201", "直播电商运营")
    assert 64 in sheet[1] and True in sheet[1]


# --- Classes (cohorts) ----------------------------------------------------------------------------


def test_staff_create_a_class_with_weekday_checkboxes_and_instructors(staff_client):
    course = CourseFactory(code="EC-201")
    teacher = UserFactory(display_name="赵老师", role=Role.INSTRUCTOR)
    UserFactory(display_name="钱同学", role=Role.STUDENT)

    form = staff_client.get(url("cohorts:add"))
    response = staff_client.post(url("cohorts:add"), cohort_form(course, weekdays=["3", "1"], instructors=[teacher.pk]))

    assert 'type="checkbox" name="weekdays"' in page(form)
    assert "赵老师" in page(form) and "钱同学" not in page(form)
    assert "seats_taken" not in page(form) and 'name="time_of_week"' not in page(form)
    assert response.status_code == 302, page(response)[:3000]
    cohort = Cohort.objects.get(code="EC-201-2026-03")
    assert cohort.weekdays == [1, 3]
    assert cohort.time_of_week == Cohort.TimeOfWeek.EVENING
    assert list(cohort.instructors.all()) == [teacher]


def test_staff_edit_a_class(staff_client):
    cohort = CohortFactory(weekdays=[1, 3, 5])

    form = staff_client.get(url("cohorts:edit", cohort.pk))
    response = staff_client.post(
        url("cohorts:edit", cohort.pk), cohort_form_for(cohort, weekdays=["6", "7"], class_starts="09:00")
    )

    assert '<input type="checkbox" name="weekdays" value="3" id="id_weekdays_2" checked>' in page(form)
    assert '<input type="checkbox" name="weekdays" value="2" id="id_weekdays_1">' in page(form)
    assert response.status_code == 302, page(response)[:3000]
    cohort.refresh_from_db()
    assert cohort.weekdays == [6, 7]
    assert cohort.time_of_week == Cohort.TimeOfWeek.WEEKEND


def test_the_class_list_shows_seats_taken_and_time_of_week(staff_client):
    CohortFactory(code="EC-201-A", seats_taken=7, capacity=20, weekdays=[6, 7])

    response = staff_client.get(url("cohorts:index"))

    with translation.override("zh-hans"):
        assert escape(str(Cohort.TimeOfWeek.WEEKEND.label)) in page(response)
        assert escape(str(capfirst(Cohort._meta.get_field("seats_taken").verbose_name))) in page(response)
    assert "EC-201-A" in page(response) and ">7<" in page(response).replace(" ", "").replace("\n", "")


def test_staff_search_and_filter_classes(staff_client):
    commerce = ProgramFactory(name="电子商务")
    live = CohortFactory(code="EC-201-A", course=CourseFactory(code="EC-201", title="直播电商运营", program=commerce))
    CohortFactory(code="HK-101-A", course=CourseFactory(code="HK-101", title="家政服务基础"), weekdays=[6])
    CohortFactory(code="EC-201-B", course=live.course, status=Cohort.Status.CANCELLED, delivery="online")

    by_pinyin = staff_client.get(url("cohorts:index"), {"q": "zhibo"})
    by_status = staff_client.get(url("cohorts:index"), {"status": Cohort.Status.CANCELLED})
    by_delivery = staff_client.get(url("cohorts:index"), {"delivery": Cohort.Delivery.ON_SITE})
    by_time = staff_client.get(url("cohorts:index"), {"time_of_week": Cohort.TimeOfWeek.WEEKEND})
    by_program = staff_client.get(url("cohorts:index"), {"course__program": commerce.pk})

    def codes(response):
        return {code for code in ("EC-201-A", "EC-201-B", "HK-101-A") if code in page(response)}

    assert codes(by_pinyin) == {"EC-201-A", "EC-201-B"}
    assert codes(by_status) == {"EC-201-B"}
    assert codes(by_delivery) == {"EC-201-A", "HK-101-A"}
    assert codes(by_time) == {"HK-101-A"}
    assert codes(by_program) == {"EC-201-A", "EC-201-B"}


def test_staff_export_classes_as_csv_and_xlsx(staff_client):
    course = CourseFactory(code="EC-201", title="直播电商运营")
    start = datetime.date(2026, 3, 2)
    CohortFactory(
        code="EC-201-2026-03",
        course=course,
        start_date=start,
        end_date=start + datetime.timedelta(days=56),
        enrolment_opens=start - datetime.timedelta(days=30),
        enrolment_closes=start,
        weekdays=[1, 3],
        seats_taken=5,
        capacity=24,
    )

    as_csv = staff_client.get(url("cohorts:index"), {"export": "csv"})
    as_xlsx = staff_client.get(url("cohorts:index"), {"export": "xlsx"})

    rows = list(csv.DictReader(io.StringIO(download(as_csv).decode("utf-8"))))
    with translation.override("zh-hans"):
        days = str(capfirst(Cohort._meta.get_field("weekdays").verbose_name))
        expected_days = f"{gettext('Monday')}, {gettext('Wednesday')}"
        seats_taken = str(capfirst(Cohort._meta.get_field("seats_taken").verbose_name))
        course_code = gettext("Course code")
    assert len(rows) == 1
    assert rows[0][days] == expected_days
    assert rows[0][seats_taken] == "5"
    assert rows[0][course_code] == "EC-201"
    assert "2026-03-02" in rows[0].values()

    sheet = list(openpyxl.load_workbook(io.BytesIO(download(as_xlsx))).active.iter_rows(values_only=True))
    heading, row = sheet[0], dict(zip(sheet[0], sheet[1], strict=True))
    assert days in heading
    assert row[days] == expected_days
    assert row[seats_taken] == 5
    assert datetime.date(2026, 3, 2) in row.values()  # a real date cell, not text


def test_listing_queries_do_not_grow_with_the_number_of_records(staff_client):
    def queries_to_list(name: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url(f"{name}:index")).status_code == 200
        return len(queries)

    CohortFactory.create_batch(2)
    SkillFactory.create_batch(2)
    few = {name: queries_to_list(name) for name in ("skills", "courses", "cohorts")}
    CohortFactory.create_batch(10)
    SkillFactory.create_batch(10)
    many = {name: queries_to_list(name) for name in ("skills", "courses", "cohorts")}

    assert many == few


# --- Refused with a clear message ------------------------------------------------------------------


def test_a_class_cannot_end_before_it_starts_and_nothing_typed_is_lost(staff_client):
    course = CourseFactory()
    start = timezone.localdate() + datetime.timedelta(days=30)

    response = staff_client.post(
        url("cohorts:add"),
        cohort_form(course, start_date=start.isoformat(), end_date=(start - datetime.timedelta(days=1)).isoformat()),
    )

    assert response.status_code == 200
    assert translated("The last day cannot be before the first day.") in page(response)
    assert "洛阳市西工区中州路 88 号 302 室" in page(response)  # what the user typed is still there
    assert "EC-201-2026-03" in page(response)
    assert not Cohort.objects.exists()


def test_enrolment_cannot_close_before_it_opens(staff_client):
    today = timezone.localdate()

    response = staff_client.post(
        url("cohorts:add"),
        cohort_form(
            CourseFactory(),
            enrolment_opens=(today + datetime.timedelta(days=10)).isoformat(),
            enrolment_closes=(today + datetime.timedelta(days=5)).isoformat(),
        ),
    )

    assert response.status_code == 200
    assert translated("Enrolment cannot close before it opens.") in page(response)
    assert not Cohort.objects.exists()


@pytest.mark.parametrize("ends", ["18:00", "19:00"])
def test_a_class_must_end_after_it_starts(staff_client, ends):
    form = cohort_form(CourseFactory(), class_starts="19:00", class_ends=ends)

    response = staff_client.post(url("cohorts:add"), form)

    assert response.status_code == 200
    assert translated("A class must end after it starts.") in page(response)
    assert not Cohort.objects.exists()


def test_a_class_needs_at_least_one_day_of_the_week(staff_client):
    response = staff_client.post(url("cohorts:add"), cohort_form(CourseFactory(), weekdays=None))

    assert response.status_code == 200
    assert translated("Choose at least one day of the week.") in page(response)
    assert not Cohort.objects.exists()


def test_seats_cannot_drop_below_the_students_already_enrolled(staff_client):
    cohort = CohortFactory(capacity=20, seats_taken=12)

    response = staff_client.post(url("cohorts:edit", cohort.pk), cohort_form_for(cohort, capacity=10))

    with translation.override("zh-hans"):
        expected = escape(
            gettext("%(taken)s students are already enrolled: the class needs at least that many seats.")
            % {"taken": 12}
        )
    assert response.status_code == 200
    assert expected in page(response)
    cohort.refresh_from_db()
    assert cohort.capacity == 20


def test_a_class_code_is_unique_in_any_letter_case(staff_client):
    CohortFactory(code="EC-201-2026-03")

    response = staff_client.post(url("cohorts:add"), cohort_form(CourseFactory(), code="ec-201-2026-03"))

    assert response.status_code == 200
    assert translated("Another class already uses this code.") in page(response)
    assert Cohort.objects.count() == 1


def test_a_class_keeps_its_own_code_when_edited(staff_client):
    cohort = CohortFactory(code="EC-201-2026-03")

    response = staff_client.post(url("cohorts:edit", cohort.pk), cohort_form_for(cohort, code="ec-201-2026-03"))

    assert response.status_code == 302, page(response)[:3000]
    cohort.refresh_from_db()
    assert cohort.code == "EC-201-2026-03"


def test_a_course_code_is_unique_in_any_letter_case(staff_client):
    existing = CourseFactory(code="EC-201")

    created = staff_client.post(url("courses:add"), course_form(existing.program, code="ec-201"))
    renamed = staff_client.post(
        url("courses:edit", CourseFactory(code="EC-301").pk), course_form(existing.program, code="Ec-201")
    )

    for response in (created, renamed):
        assert response.status_code == 200
        assert translated("Another course already uses this code.") in page(response)
    assert sorted(Course.objects.values_list("code", flat=True)) == ["EC-201", "EC-301"]


@pytest.mark.parametrize("field", ["min_attendance_percent", "pass_mark"])
def test_course_percentages_cannot_exceed_100(staff_client, field):
    response = staff_client.post(url("courses:add"), course_form(ProgramFactory(), **{field: 101}))

    assert response.status_code == 200
    assert "确保该值小于或等于100。" in page(response)
    assert not Course.objects.exists()


def test_a_skill_is_listed_once_per_course(staff_client):
    skill = SkillFactory()

    response = staff_client.post(
        url("courses:add"),
        course_form(
            ProgramFactory(),
            **{
                "course_skills-TOTAL_FORMS": 2,
                "course_skills-0-skill": skill.pk,
                "course_skills-0-level": 2,
                "course_skills-1-skill": skill.pk,
                "course_skills-1-level": 3,
            },
        ),
    )

    assert response.status_code == 200
    assert translated("This skill is listed twice.") in page(response)
    assert not Course.objects.exists()
