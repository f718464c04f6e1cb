"""Reads of the merchant's side of the board, shared by the pages and the API: candidate search (only
graduates who consent to share their profile) and a posting's applications. Each list costs a fixed
number of queries however many graduates or applications there are."""

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from jobs.models import Application, CandidateInvitation, DeclaredSkill, GraduateProfile, JobPosting
from school.filters import FilterForm
from school.models import LUOYANG_DISTRICTS, Certificate, Course, CourseSkill, Enrollment, Program, Skill

Completed = Enrollment.Status.COMPLETED
DISTRICT_NAMES = dict(LUOYANG_DISTRICTS)


def _completed(**conditions) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(student=OuterRef("user"), status=Completed, **conditions)


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of a program, skill or course by its slug or code: a string in the API's schema."""


class CandidateFilter(django_filters.FilterSet):
    program = CodeChoiceFilter(
        label=_("Program completed"),
        queryset=Program.objects.all(),
        to_field_name="slug",
        empty_label=_("All programs"),
        method="filter_program",
    )
    skill = CodeChoiceFilter(
        label=_("Skill"),
        queryset=Skill.objects.all(),
        to_field_name="slug",
        empty_label=_("Any skill"),
        method="filter_skill",
    )
    certificate = CodeChoiceFilter(
        label=_("Valid certificate of"),
        queryset=Course.objects.all(),
        to_field_name="code",
        empty_label=_("Any course"),
        method="filter_certificate",
    )
    district = django_filters.ChoiceFilter(
        label=_("Wants to work in"), choices=LUOYANG_DISTRICTS, empty_label=_("Any district"), method="filter_district"
    )
    available_by = django_filters.DateFilter(
        label=_("Available by"),
        method="filter_available",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = GraduateProfile
        fields = []
        form = FilterForm

    def filter_program(self, queryset, name, program):
        return queryset.filter(Exists(_completed(cohort__course__program=program)))

    def filter_skill(self, queryset, name, skill):
        """Proven by a completed course that teaches it, or declared by the graduate."""
        taught = _completed(cohort__course__course_skills__skill=skill)
        declared = DeclaredSkill.objects.filter(profile=OuterRef("pk"), skill=skill)
        return queryset.filter(Exists(taught) | Exists(declared))

    def filter_certificate(self, queryset, name, course):
        valid = Certificate.objects.valid().filter(
            enrollment__student=OuterRef("user"), enrollment__cohort__course=course
        )
        return queryset.filter(Exists(valid))

    def filter_district(self, queryset, name, district):
        # desired_districts is a JSON list of district slugs; a quoted slug matches one whole element on
        # every database (SQLite has no JSON containment lookup).
        return queryset.filter(desired_districts__icontains=f'"{district}"')

    def filter_available(self, queryset, name, day):
        # No date given means available now.
        return queryset.filter(Q(available_from__lte=day) | Q(available_from__isnull=True))


def _with_record(queryset: QuerySet, user_path: str) -> QuerySet:
    """Prefetch what the school proves about each person at `user_path`: completed courses (with their
    skills) as `completed_enrollments`, each with its valid certificates as `valid_certificates`."""
    return queryset.prefetch_related(
        Prefetch(
            f"{user_path}enrollments",
            queryset=Enrollment.objects.filter(status=Completed)
            .select_related("cohort__course__program")
            .prefetch_related(
                Prefetch("certificates", queryset=Certificate.objects.valid(), to_attr="valid_certificates"),
                Prefetch(
                    "cohort__course__course_skills",
                    queryset=CourseSkill.objects.select_related("skill").order_by("-level"),
                ),
            )
            .order_by("-updated_at", "-pk"),
            to_attr="completed_enrollments",
        )
    )


def consenting_graduates() -> QuerySet[GraduateProfile]:
    """Profiles merchants may see: only while the graduate shares them (consent checked in the query,
    so a withdrawal hides the profile at once)."""
    return _with_record(
        GraduateProfile.objects.filter(shared_with_merchants=True)
        .select_related("user")
        .prefetch_related(
            Prefetch("declared_skills", queryset=DeclaredSkill.objects.select_related("skill")), "desired_categories"
        )
        .order_by("-updated_at", "-pk"),
        "user__",
    )


def filter_candidates(data) -> CandidateFilter:
    return CandidateFilter(data, queryset=consenting_graduates())


def record_facts(user, profile: GraduateProfile | None = None) -> dict:
    """What a person shows a merchant: courses completed, valid certificates and the skills those
    courses prove (the school's record), plus declared skills and districts when `profile` (shared) is
    given — from the prefetched rows, without queries."""
    enrollments = getattr(user, "completed_enrollments", [])
    skills = {}
    for enrollment in enrollments:
        for course_skill in enrollment.cohort.course.course_skills.all():
            skills.setdefault(course_skill.skill.pk, course_skill.skill)
    if profile is not None:
        for declared in profile.declared_skills.all():
            skills.setdefault(declared.skill.pk, declared.skill)
    return {
        "courses": [enrollment.cohort.course for enrollment in enrollments],
        "certificates": [c for enrollment in enrollments for c in enrollment.valid_certificates],
        "skills": list(skills.values()),
        "districts": [DISTRICT_NAMES.get(slug, slug) for slug in (profile.desired_districts if profile else [])],
    }


def candidate_facts(profile: GraduateProfile) -> dict:
    return record_facts(profile.user, profile)


def postings_applications(posting: JobPosting) -> QuerySet[Application]:
    """A posting's applications with each applicant's record and, only when shared, their profile
    (`shared_profile`: a list of at most one)."""
    return _with_record(
        Application.objects.filter(posting=posting)
        .select_related("graduate", "graduate__job_profile", "posting")
        .prefetch_related(
            Prefetch("graduate__job_profile__declared_skills", queryset=DeclaredSkill.objects.select_related("skill")),
            Prefetch("events"),
        )
        .order_by("-created_at", "-pk"),
        "graduate__",
    )


def shared_profile(application: Application) -> GraduateProfile | None:
    """The applicant's profile if (and only while) they share it with merchants."""
    try:
        profile = application.graduate.job_profile
    except GraduateProfile.DoesNotExist:
        return None
    return profile if profile.shared_with_merchants else None


def merchant_applications(user) -> QuerySet[Application]:
    """Every application to the postings of merchants the user is a member of: never another's."""
    return _with_record(
        Application.objects.filter(posting__merchant__members__user=user)
        .select_related("graduate", "graduate__job_profile", "posting")
        .prefetch_related(
            Prefetch("graduate__job_profile__declared_skills", queryset=DeclaredSkill.objects.select_related("skill"))
        )
        .order_by("-created_at", "-pk"),
        "graduate__",
    )


def invitable_postings(user) -> QuerySet[JobPosting]:
    """The published, open postings of the approved merchants the user belongs to."""
    return (
        JobPosting.objects.on_board()
        .filter(merchant__members__user=user, merchant__status="approved")
        .select_related("merchant")
        .order_by("title", "pk")
    )


def invited_pairs(user, graduates) -> set[tuple[int, int]]:
    """(posting id, graduate id) already invited by the user's merchants, for these graduates."""
    return set(
        CandidateInvitation.objects.filter(
            posting__merchant__members__user=user, graduate__in=[g.pk for g in graduates]
        ).values_list("posting_id", "graduate_id")
    )
