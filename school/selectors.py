"""Reads shared by pages, the API and tasks: each returns a queryset with what its list needs."""

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from school.filters import CourseFilter
from school.models import (
    Attendance,
    Certificate,
    CertificateBatch,
    ClassSession,
    Cohort,
    Course,
    CourseSkill,
    Enrollment,
)
from school.permissions import is_staff


def upcoming_cohorts() -> QuerySet[Cohort]:
    return Cohort.objects.upcoming().order_by("start_date", "code")


def catalogue_courses(cohorts: QuerySet[Cohort] | None = None) -> QuerySet[Course]:
    """Courses with their program, skills and upcoming classes (`cohorts`, default upcoming_cohorts())
    as `upcoming_cohorts`, and the date the next class starts as `next_start`."""
    upcoming = Q(
        cohorts__status__in=[Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL],
        cohorts__start_date__gte=timezone.localdate(),
    )
    return (
        Course.objects.select_related("program")
        .annotate(next_start=Min("cohorts__start_date", filter=upcoming))
        .prefetch_related(
            Prefetch(
                "cohorts", queryset=cohorts if cohorts is not None else upcoming_cohorts(), to_attr="upcoming_cohorts"
            ),
            Prefetch("course_skills", queryset=CourseSkill.objects.select_related("skill").order_by("-level")),
        )
        .order_by("program__sort_order", "code")
    )


def filter_courses(data) -> CourseFilter:
    """The catalogue filtered by what a visitor asked for (a GET query); invalid values are reported
    on the filter's form and leave the list unfiltered by them."""
    return CourseFilter(data, queryset=catalogue_courses())


def course_detail(course_id: int) -> Course:
    """One course for its page: program, skills, prerequisites, and upcoming classes with teachers."""
    return (
        catalogue_courses(cohorts=upcoming_cohorts().prefetch_related("instructors"))
        .prefetch_related("prerequisites")
        .get(pk=course_id)
    )


def student_enrollments(student) -> list[Enrollment]:
    """A student's enrolments, newest first, each with `sessions_held`, `sessions_attended`,
    `sessions_excused`, `next_session` and, on a waiting list, `position`. A fixed number of queries."""
    today = timezone.localdate()
    held = ClassSession.objects.filter(cohort=OuterRef("cohort"), cancelled=False, date__lte=today)
    marks = Attendance.objects.filter(enrollment=OuterRef("pk"), session__cancelled=False)
    enrollments = list(
        Enrollment.objects.filter(student=student)
        .select_related("cohort__course__program")
        .annotate(
            sessions_held=Coalesce(
                Subquery(held.values("cohort").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
                Value(0),
            ),
            sessions_attended=Coalesce(
                Subquery(
                    marks.filter(mark__in=Attendance.ATTENDED)
                    .values("enrollment")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            sessions_excused=Coalesce(
                Subquery(
                    marks.filter(mark=Attendance.Mark.EXCUSED)
                    .values("enrollment")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            next_session=Subquery(
                ClassSession.objects.filter(cohort=OuterRef("cohort"), cancelled=False, date__gte=today)
                .order_by("date", "starts")
                .values("date")[:1]
            ),
        )
        .order_by("-created_at", "-pk")
    )
    waiting_cohorts = [e.cohort_id for e in enrollments if e.status == Enrollment.Status.WAITLISTED]
    if waiting_cohorts:
        positions = {
            row["pk"]: row["position"]
            for row in Enrollment.objects.filter(cohort_id__in=waiting_cohorts).waitlist().values("pk", "position")
        }
        for enrollment in enrollments:
            enrollment.position = positions.get(enrollment.pk)
    for enrollment in enrollments:
        countable = enrollment.sessions_held - enrollment.sessions_excused
        enrollment.attendance_percent = round(100 * enrollment.sessions_attended / countable) if countable > 0 else None
    return enrollments


# --- Certificates -----------------------------------------------------------------------------------


def _issued_certificates_newest_first():
    return Certificate.objects.issued().order_by("-created_at", "-pk")


def cohort_certificate_rows(cohort: Cohort) -> QuerySet[Enrollment]:
    """The class's completed enrolments, by name, each with its student (and profile) and its issued
    certificates, newest first, as `issued_certificates`. Two queries, whatever the class's size."""
    return (
        Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.COMPLETED)
        .select_related("student__student_profile")
        .prefetch_related(Prefetch("certificates", _issued_certificates_newest_first(), to_attr="issued_certificates"))
        .order_by("student__student_profile__real_name", "pk")
    )


def cohort_valid_certificates(cohort: Cohort) -> QuerySet[Certificate]:
    """The class's valid certificates (each with a stored PDF), by number."""
    return Certificate.objects.filter(enrollment__cohort=cohort, status=Certificate.Status.VALID).order_by("number")


def latest_certificate_batch(cohort: Cohort) -> CertificateBatch | None:
    return CertificateBatch.objects.filter(cohort=cohort).order_by("-created_at", "-pk").first()


def with_issued_certificates(enrollments: list[Enrollment]) -> list[Enrollment]:
    """Set `issued_certificates` (newest first) on each enrolment: one query, none for an empty list."""
    prefetch_related_objects(
        enrollments, Prefetch("certificates", _issued_certificates_newest_first(), to_attr="issued_certificates")
    )
    return enrollments


def valid_certificate_for(user, course) -> Certificate | None:
    """The person's valid (unexpired) certificate for the course, if they hold one."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Certificate.objects.valid()
        .filter(enrollment__student=user, enrollment__cohort__course=course)
        .order_by("-issued_on", "-pk")
        .first()
    )


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Issued certificates a person may list: staff every one, an instructor those of the classes they
    teach, a student their own. With the class and course each row shows."""
    certificates = Certificate.objects.issued().select_related("enrollment__cohort__course")
    if is_staff(user):
        return certificates
    teaches_class = Cohort.instructors.through.objects.filter(
        cohort_id=OuterRef("enrollment__cohort_id"), user_id=user.pk
    )
    return certificates.filter(Q(enrollment__student=user) | Q(Exists(teaches_class)))
