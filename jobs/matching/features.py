"""What matching reads: one CandidateFeatures row per person, rebuilt from the school's record and the
job profile, and each open posting as a PostingVector."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from jobs.matching.score import HOURS_PER_MONTH
from jobs.models import (
    CandidateFeatures,
    CandidateFeaturesVersion,
    DeclaredSkill,
    GraduateProfile,
    JobPosting,
    PayPeriod,
    Placement,
)
from school.models import Certificate, CourseSkill, Enrollment, StudentProfile

User = get_user_model()


def _monthly_pay(amount, period) -> int | None:
    if amount is None:
        return None
    return int(round(amount * HOURS_PER_MONTH if period == PayPeriod.HOUR else amount))


def _record_users(user_ids):
    return (
        User.objects.filter(pk__in=user_ids, is_active=True)  # a closed or erased account is nobody's candidate
        .select_related("student_profile", "job_profile")
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
                .select_related("cohort__course")
                .prefetch_related(
                    Prefetch("certificates", queryset=Certificate.objects.valid(), to_attr="valid_certificates"),
                    Prefetch("cohort__course__course_skills", queryset=CourseSkill.objects.all(), to_attr="taught"),
                ),
                to_attr="completed_enrollments",
            ),
            Prefetch("job_profile__declared_skills", queryset=DeclaredSkill.objects.all(), to_attr="declared"),
            Prefetch("job_profile__desired_categories", to_attr="wanted"),
            Prefetch(
                "placements", queryset=Placement.objects.filter(ended_on__isnull=True), to_attr="current_placements"
            ),
        )
    )


def features_for(user) -> CandidateFeatures | None:
    """The row for a user fetched by _record_users; None when there is nothing to match (no completed
    course and no job profile)."""
    try:
        profile = user.job_profile
    except GraduateProfile.DoesNotExist:
        profile = None
    enrollments = user.completed_enrollments
    if profile is None and not enrollments:
        return None
    skills: dict[str, dict] = {}
    courses: dict[str, bool] = {}
    programs: set[int] = set()
    last_trained = None
    for enrollment in enrollments:
        course = enrollment.cohort.course
        certified = bool(enrollment.valid_certificates)
        courses[str(course.pk)] = courses.get(str(course.pk), False) or certified
        programs.add(course.program_id)
        last_trained = max(filter(None, [last_trained, enrollment.cohort.end_date]))
        kind = "certified" if certified else "completed"
        for taught in course.taught:
            evidence = skills.setdefault(str(taught.skill_id), {})
            if taught.level > evidence.get(kind, [0])[0]:
                evidence[kind] = [taught.level, course.pk]
    districts, categories, expected, available_from, shared = [], [], None, None, False
    if profile is not None:
        for declared in profile.declared:
            evidence = skills.setdefault(str(declared.skill_id), {})
            evidence["declared"] = max(declared.level, evidence.get("declared", 0))
        districts = [code for code in profile.desired_districts if code]
        categories = sorted(category.pk for category in profile.wanted)
        expected = _monthly_pay(profile.expected_pay, profile.expected_pay_period)
        available_from, shared = profile.available_from, profile.shared_with_merchants
    if not districts:
        # No wish stated: where they live is where they can work.
        try:
            home = user.student_profile.district
        except StudentProfile.DoesNotExist:
            home = ""
        districts = [home] if home else []
    return CandidateFeatures(
        user=user,
        shared=shared,
        placed=bool(user.current_placements),
        districts=districts,
        categories=categories,
        expected_monthly_pay=expected,
        available_from=available_from,
        last_trained_on=last_trained,
        skills=skills,
        courses=courses,
        programs=sorted(programs),
        updated_at=timezone.now(),
    )


FIELDS = [f.name for f in CandidateFeatures._meta.concrete_fields if f.name != "user"]


def next_version() -> int:
    """Call inside the writing transaction: the row stays locked until it commits."""
    if not CandidateFeaturesVersion.objects.filter(pk=1).update(value=F("value") + 1):
        CandidateFeaturesVersion.objects.get_or_create(pk=1)
        CandidateFeaturesVersion.objects.filter(pk=1).update(value=F("value") + 1)
    return CandidateFeaturesVersion.objects.get(pk=1).value


@transaction.atomic
def refresh_candidates(user_ids) -> int:
    """Rebuild the matching rows of these users from their record; safe to run any number of times.
    Returns how many rows now exist for them."""
    user_ids = list({int(pk) for pk in user_ids})
    version = next_version()
    rows = [row for user in _record_users(user_ids) if (row := features_for(user)) is not None]
    for row in rows:
        row.version = version
    CandidateFeatures.objects.filter(user_id__in=user_ids).exclude(user_id__in=[row.user_id for row in rows]).delete()
    CandidateFeatures.objects.bulk_create(rows, update_conflicts=True, unique_fields=["user"], update_fields=FIELDS)
    return len(rows)


def refresh_candidates_on_commit(user_ids) -> None:
    """After the current transaction commits: a single person at once (a revoked certificate stops
    counting immediately), more as a Celery task so no page waits for them."""
    user_ids = sorted({int(pk) for pk in user_ids})
    if not user_ids:
        return
    if len(user_ids) == 1:
        transaction.on_commit(lambda: refresh_candidates(user_ids))
    else:
        from jobs.tasks import refresh_candidate_features

        transaction.on_commit(lambda: refresh_candidate_features.delay(user_ids))


def rebuild_all(batch_size: int = 500) -> int:
    """Every person with a job profile or a completed course (after a deploy, or from the command)."""
    with_record = set(
        Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).values_list("student_id", flat=True)
    ) | set(GraduateProfile.objects.values_list("user_id", flat=True))
    ids = sorted(with_record)
    CandidateFeatures.objects.exclude(user_id__in=ids).delete()
    return sum(refresh_candidates(ids[start : start + batch_size]) for start in range(0, len(ids), batch_size))


@dataclass
class PostingVector:
    """One posting's side of the formula."""

    id: int
    merchant_id: int
    category_id: int
    district: str
    pay_max: float  # per month
    closing_date: datetime.date
    skills: dict[int, int] = field(default_factory=dict)  # skill id → minimum level
    preferred_courses: set[int] = field(default_factory=set)
    programs: set[int] = field(default_factory=set)  # of its category
    is_open: bool = True


def postings_with_requirements(queryset=None):
    queryset = JobPosting.objects.all() if queryset is None else queryset
    return queryset.select_related("category").prefetch_related(
        "required_skills", "preferred_courses", "category__programs"
    )


def posting_vector(posting: JobPosting) -> PostingVector:
    """From a posting fetched by postings_with_requirements."""
    today = timezone.localdate()
    return PostingVector(
        id=posting.pk,
        merchant_id=posting.merchant_id,
        category_id=posting.category_id,
        district=posting.district,
        pay_max=float(_monthly_pay(posting.pay_max, posting.pay_period)),
        closing_date=posting.closing_date,
        skills={required.skill_id: required.min_level for required in posting.required_skills.all()},
        preferred_courses={course.pk for course in posting.preferred_courses.all()},
        programs={program.pk for program in posting.category.programs.all()},
        is_open=posting.status == JobPosting.Status.PUBLISHED
        and posting.closing_date >= today
        and posting.hired_count < posting.openings,
    )
