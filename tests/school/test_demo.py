from datetime import timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

import pytest

from accounts.demo import seed_users
from accounts.roles import Role
from school.demo import seed_catalogue
from school.demo_certificates import seed_certificates
from school.demo_enrolment import seed_enrolments
from school.models import (
    Attendance,
    Certificate,
    CertificateTemplate,
    Cohort,
    Course,
    CourseSkill,
    Enrollment,
    Program,
    Score,
    Skill,
)

User = get_user_model()
pytestmark = pytest.mark.django_db

PROGRAM_SLUGS = {"housekeeping", "marketing", "tourism", "computer", "e-commerce", "art-design"}


def catalogue_rows():
    return {
        "programs": sorted(Program.objects.values_list("slug", "name", "name_en")),
        "skills": sorted(Skill.objects.values_list("slug", "category__name")),
        "courses": sorted(Course.objects.values_list("code", "title", "fee", "level")),
        "course_skills": sorted(CourseSkill.objects.values_list("course__code", "skill__slug", "level")),
        "cohorts": sorted(
            Cohort.objects.values_list("code", "start_date", "capacity", "seats_taken", "status", "location")
        ),
        "teaching": sorted(Cohort.instructors.through.objects.values_list("cohort__code", "user__phone")),
    }


def test_six_programs_each_teach_at_least_three_courses():
    counts = seed_catalogue()

    assert counts["programs"] == 6
    assert set(Program.objects.values_list("slug", flat=True)) == PROGRAM_SLUGS
    for program in Program.objects.all():
        assert program.name_en and program.description
        assert program.courses.count() >= 3, program.slug
    assert Course.objects.count() == counts["courses"]


def test_live_stream_ecommerce_is_taught_with_its_skills():
    seed_catalogue()

    course = Course.objects.get(title="直播电商运营")

    assert course.title_en == "Live-stream E-commerce Operations"
    assert course.program.slug == "e-commerce"
    skills = dict(course.course_skills.values_list("skill__slug", "level"))
    assert skills["live-commerce-operations"] >= 3
    assert len(skills) >= 3
    assert course.prerequisites.filter(code="EC-101").exists()


def test_fees_are_money_and_some_courses_are_subsidised_or_need_approval():
    seed_catalogue()

    subsidised = Course.objects.filter(subsidised=True)
    assert subsidised.filter(program__slug="housekeeping").exists()
    assert subsidised.filter(program__slug="e-commerce").exists()
    assert all(course.fee == 0 for course in subsidised)
    paid = Course.objects.filter(subsidised=False)
    assert all(800 <= course.fee <= 4800 for course in paid)
    assert 1 <= Course.objects.filter(requires_approval=True).count() <= 2
    assert all(24 <= course.hours <= 160 for course in Course.objects.all())


def test_every_program_has_classes_open_for_enrolment_with_varied_fill():
    seed_catalogue()
    seed_enrolments()
    open_now = [cohort for cohort in Cohort.objects.upcoming().select_related("course") if cohort.is_enrolment_open]

    assert {cohort.course.program.slug for cohort in open_now} == PROGRAM_SLUGS
    seats_left = [cohort.seats_left for cohort in open_now]
    assert len(set(seats_left)) >= 8
    assert any(1 <= left <= 3 for left in seats_left), "some classes are nearly full"
    full = Cohort.objects.filter(status=Cohort.Status.FULL)
    assert full.exists()
    assert all(cohort.seats_left == 0 and cohort.start_date > timezone.localdate() for cohort in full)
    assert Enrollment.objects.filter(cohort__in=full, status="waitlisted").exists()


def test_demo_enrolments_fill_seats_through_real_enrolments_in_every_state():
    seed_users()
    seed_catalogue()
    counts = seed_enrolments()

    assert set(counts) >= {"enrolled enrolments", "waitlisted enrolments", "completed enrolments", "pending enrolments"}
    for cohort in Cohort.objects.annotate(
        holding=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.SEAT_HOLDING))
    ):
        assert cohort.seats_taken == cohort.holding <= cohort.capacity, cohort.code
    assert Attendance.objects.exists() and Score.objects.exists()
    student = User.objects.get(phone="13800000001")
    statuses = set(student.enrollments.values_list("status", flat=True))
    assert statuses == {"completed", "enrolled", "waitlisted", "pending"}
    assert seed_enrolments() == counts  # a second run changes nothing


def test_classes_meet_at_different_times_places_and_stages():
    seed_catalogue()
    today = timezone.localdate()
    cohorts = list(Cohort.objects.all())

    assert {cohort.time_of_week for cohort in cohorts} == set(Cohort.TimeOfWeek.values)
    assert {cohort.delivery for cohort in cohorts} == set(Cohort.Delivery.values)
    assert any("洛龙区" in cohort.location for cohort in cohorts)
    assert any("涧西区" in cohort.location for cohort in cohorts)
    assert all(cohort.location for cohort in cohorts)
    assert all(15 <= cohort.capacity <= 40 for cohort in cohorts)
    finished = [cohort for cohort in cohorts if cohort.status == Cohort.Status.FINISHED]
    assert finished and all(cohort.end_date < today for cohort in finished)
    planned = [cohort for cohort in cohorts if cohort.status == Cohort.Status.PLANNED]
    assert planned and all(cohort.enrolment_opens > today and cohort.seats_taken == 0 for cohort in planned)


def test_every_class_has_one_or_two_instructors_and_li_jianguo_teaches_ecommerce():
    seed_catalogue()

    for cohort in Cohort.objects.prefetch_related("instructors__groups"):
        instructors = list(cohort.instructors.all())
        assert 1 <= len(instructors) <= 2, cohort.code
        assert all(Role.INSTRUCTOR in {g.name for g in user.groups.all()} for user in instructors)
    li_jianguo = User.objects.get(phone="13800000002")
    assert li_jianguo.display_name == "李建国"
    assert li_jianguo.cohorts_taught.filter(course__program__slug="e-commerce").exists()
    assert User.objects.filter(groups__name=Role.INSTRUCTOR, phone__startswith="1380000010").count() >= 4


def test_every_course_and_class_passes_validation():
    seed_catalogue()

    for course in Course.objects.all():
        course.full_clean()
    for cohort in Cohort.objects.all():
        cohort.full_clean()
        assert cohort.time_of_week == Cohort.classify_time_of_week(cohort.weekdays, cohort.class_starts)


def test_seeding_twice_changes_nothing():
    first_counts = seed_catalogue()
    first = catalogue_rows()

    second_counts = seed_catalogue()

    assert second_counts == first_counts
    assert catalogue_rows() == first


def test_a_later_run_moves_the_classes_without_leaving_stale_ones():
    today = timezone.localdate()
    seed_catalogue(today=today - timedelta(days=45))

    counts = seed_catalogue()

    assert Cohort.objects.count() == counts["cohorts"]
    assert all(c.is_enrolment_open for c in Cohort.objects.filter(status=Cohort.Status.OPEN))


def test_scale_multiplies_courses_and_classes_and_stays_idempotent():
    base = seed_catalogue()

    scaled = seed_catalogue(scale=3)

    extra_courses = 2 * 10 * 6
    assert scaled["courses"] == base["courses"] + extra_courses
    assert scaled["cohorts"] >= base["cohorts"] + 2 * extra_courses
    assert Course.objects.count() == scaled["courses"]
    assert Cohort.objects.count() == scaled["cohorts"]
    generated = Course.objects.get(code="EC-9001")
    assert generated.title.startswith("网店运营入门（") and generated.search_text
    assert generated.course_skills.exists()
    for cohort in Cohort.objects.filter(course__code__startswith="EC-90"):
        cohort.full_clean()
        assert cohort.time_of_week == Cohort.classify_time_of_week(cohort.weekdays, cohort.class_starts)
        assert cohort.instructors.exists()

    rows = catalogue_rows()
    assert seed_catalogue(scale=3) == scaled
    assert catalogue_rows() == rows


def test_seed_demo_command_prints_the_catalogue_counts():
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert "6 programs" in out.getvalue()
    assert Course.objects.filter(code="EC-201").exists()


def test_graduates_of_finished_classes_are_certified_once_with_a_revoked_and_a_reissued_example():
    seed_users()
    seed_catalogue()
    seed_enrolments()

    counts = seed_certificates()

    assert counts["valid certificates"] >= 10
    assert counts["revoked certificates"] == 1 and counts["superseded certificates"] == 1
    completed = Enrollment.objects.filter(status="completed", cohort__status="finished")
    assert completed.exists()
    for enrollment in completed:
        assert enrollment.certificates.exclude(status="superseded").count() == 1, enrollment.pk
    assert Certificate.objects.filter(enrollment__student__phone="13800000001", status="valid").exists()
    reissued = Certificate.objects.get(status="superseded").superseded_by
    assert reissued.holder_name == reissued.enrollment.student.student_profile.real_name
    assert CertificateTemplate.objects.get(is_default=True).seal is not None
    rows = sorted(Certificate.objects.values_list("number", "status"))
    assert seed_certificates() == counts  # a second run issues nothing new
    assert sorted(Certificate.objects.values_list("number", "status")) == rows
