"""Demo enrolments for `manage.py seed_demo`: students in every state, attendance taken, scores entered
and past classes finalised — all through the same services the site uses, so the dashboards show
what the school would really see. Deterministic and idempotent: a class already filled is left alone."""

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_name
from accounts.roles import Role
from school.models import AssessmentItem, Attendance, Cohort, Course, Enrollment, StudentProfile
from school.services import assessment, attendance
from school.services.enrolment import enrol

User = get_user_model()
SEED = 2027
POOL_SIZE = 160
DEMO_STUDENT_PHONE = "13800000001"
ASSESSMENT_ITEMS = [("平时作业", 30), ("实操考核", 70)]
DISTRICTS = ["luolong", "jianxi", "xigong", "laocheng", "chanhe", "yanshi", "mengjin", "yichuan"]


def _student_pool() -> list:
    """A fixed pool of demo students (phones 13900010000 and up), each with a profile."""
    phones = [f"1390001{index:04d}" for index in range(POOL_SIZE)]
    existing = set(User.objects.filter(phone__in=phones).values_list("phone", flat=True))
    rng = random.Random(SEED)
    password = make_password(DEMO_PASSWORD)
    names = {phone: demo_name(rng) for phone in phones}
    User.objects.bulk_create(
        [User(phone=phone, display_name=names[phone], password=password) for phone in phones if phone not in existing]
    )
    students = list(User.objects.filter(phone__in=phones).order_by("phone"))
    Group.objects.get(name=Role.STUDENT).user_set.add(*students)
    with_profile = set(StudentProfile.objects.filter(user__in=students).values_list("user_id", flat=True))
    StudentProfile.objects.bulk_create(
        [
            StudentProfile(user=student, real_name=student.display_name, district=rng.choice(DISTRICTS))
            for student in students
            if student.pk not in with_profile
        ]
    )
    return students


def _assessment_items() -> None:
    for course in Course.objects.filter(assessment_items__isnull=True):
        AssessmentItem.objects.bulk_create(
            [
                AssessmentItem(course=course, name=name, weight=weight, sort_order=order)
                for order, (name, weight) in enumerate(ASSESSMENT_ITEMS)
            ]
        )


def _fill(cohort: Cohort, students: list, rng: random.Random) -> None:
    """Seats for a share of the class (all of it and a waiting list when full), through enrol()."""
    if cohort.enrollments.filter(student__in=students).exists():
        return  # filled by an earlier run
    if cohort.status == Cohort.Status.FULL:
        wanted = cohort.capacity + 3
    elif cohort.status == Cohort.Status.OPEN:
        wanted = round(cohort.capacity * rng.choice((0.2, 0.4, 0.6, 0.8, 0.9)))
    else:  # running
        wanted = cohort.capacity - rng.randint(0, 4)
    wanted -= cohort.enrollments.count()
    # Staff place students in running classes, and vouch for prior learning where a course has prerequisites.
    by_staff = cohort.status == Cohort.Status.RUNNING or cohort.course.prerequisites.exists()
    for student in rng.sample(students, max(min(wanted, len(students)), 0)):
        enrol(student=student, cohort=cohort, by_staff=by_staff)


def _take_attendance(cohort: Cohort, rng: random.Random) -> None:
    teacher = cohort.instructors.first()
    if teacher is None:
        return
    attendance.generate_sessions(cohort=cohort)
    today = timezone.localdate()
    marked = set(Attendance.objects.filter(session__cohort=cohort).values_list("session_id", flat=True))
    roster = list(cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).values_list("pk", flat=True))
    # A few students miss classes often, so the at-risk lists have someone on them.
    often_away = set(rng.sample(roster, min(2, len(roster))))
    for session in cohort.sessions.filter(cancelled=False, date__lt=today).exclude(pk__in=marked):
        exceptions = {}
        for enrollment_id in roster:
            roll = rng.random()
            if enrollment_id in often_away and roll < 0.45:
                exceptions[enrollment_id] = Attendance.Mark.ABSENT
            elif roll < 0.04:
                exceptions[enrollment_id] = Attendance.Mark.LATE
            elif roll < 0.07:
                exceptions[enrollment_id] = Attendance.Mark.EXCUSED
        attendance.mark_all_present(session=session, actor=teacher, except_marks=exceptions)


def _results(cohort: Cohort, rng: random.Random) -> None:
    teacher = cohort.instructors.first()
    enrolled = list(cohort.enrollments.filter(status=Enrollment.Status.ENROLLED))
    if teacher is None or not enrolled:
        return
    items = list(cohort.course.assessment_items.all())
    scores = {
        (enrollment.pk, item.pk): Decimal(rng.randint(48, 98)) * item.max_score / 100
        for enrollment in enrolled
        for item in items
    }
    assessment.save_scores(
        cohort=cohort, scores={key: value.quantize(Decimal("0.1")) for key, value in scores.items()}, actor=teacher
    )
    assessment.finalise_cohort(cohort=cohort, actor=teacher)


def _demo_student(*cohorts: Cohort | None) -> None:
    """王小丽, the demo student, in these classes (once each)."""
    student = User.objects.filter(phone=DEMO_STUDENT_PHONE).first()
    if student is None:
        return
    StudentProfile.objects.get_or_create(
        user=student, defaults={"real_name": student.display_name, "district": "luolong"}
    )
    for cohort in cohorts:
        if cohort is not None and not cohort.enrollments.filter(student=student).exists():
            enrol(student=student, cohort=cohort, by_staff=cohort.status == Cohort.Status.RUNNING)


def seed_enrolments() -> dict[str, int]:
    _assessment_items()
    pool = _student_pool()
    cohorts = list(
        Cohort.objects.filter(course__code__regex=r"^[A-Z]{2}-[0-9]{3}$")  # the hand-written catalogue only
        .exclude(status__in=[Cohort.Status.PLANNED, Cohort.Status.CANCELLED])
        .select_related("course")
        .order_by("code")
    )
    # A class the catalogue lists as finished and that has no students yet is run now, as it would
    # have been: students placed, attendance taken, scores entered, then finalised.
    to_finish = [c for c in cohorts if c.status == Cohort.Status.FINISHED and not c.enrollments.exists()]
    Cohort.objects.filter(pk__in=[c.pk for c in to_finish]).update(status=Cohort.Status.RUNNING)
    for cohort in to_finish:
        cohort.status = Cohort.Status.RUNNING
    classes = {
        "completed": next((c for c in to_finish if c.course.code == "EC-101"), None),
        "attending": next(
            (
                c
                for c in cohorts
                if c.course.code == "EC-201" and c.time_of_week == "evening" and c.status == Cohort.Status.OPEN
            ),
            None,
        ),
        "waiting": next((c for c in cohorts if c.status == Cohort.Status.FULL and c.course.code != "EC-201"), None),
        "pending": next((c for c in cohorts if c.status == Cohort.Status.OPEN and c.course.requires_approval), None),
    }
    # 王小丽: a course she completed, a class she attends, a waiting list, and one awaiting approval.
    _demo_student(classes["completed"])
    for cohort in cohorts:
        if cohort.status != Cohort.Status.FINISHED:
            _fill(cohort, pool, random.Random(f"{SEED}-{cohort.code}"))
    for cohort in cohorts:
        if cohort.status == Cohort.Status.RUNNING:
            _take_attendance(cohort, random.Random(f"{SEED}-attendance-{cohort.code}"))
    for cohort in to_finish:
        _results(cohort, random.Random(f"{SEED}-results-{cohort.code}"))
    _demo_student(classes["attending"], classes["waiting"], classes["pending"])
    counts = dict.fromkeys(Enrollment.Status.values, 0)
    for status in Enrollment.objects.values_list("status", flat=True):
        counts[status] += 1
    return {f"{status} enrolments": count for status, count in counts.items() if count}
