"""Reads shared by pages, the API and tasks: each returns a queryset with what its list needs."""

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from school.filters import CourseFilter
from school.models import Cohort, Course, CourseSkill


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
