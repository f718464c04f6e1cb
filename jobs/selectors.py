"""Reads of the job board shared by pages, the API and tasks: each returns what its page needs in a
fixed number of queries."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from jobs.filters import PostingFilter
from jobs.models import Application, GraduateProfile, JobPosting, MerchantMember, PostingSkill
from school.models import Certificate, Course
from school.permissions import is_staff

# Postings the public may open: published ones, and closed or filled ones (kept for links and
# reports; the page says they no longer take applications). Drafts and those in review are not public.
PUBLIC_STATUSES = (JobPosting.Status.PUBLISHED, JobPosting.Status.CLOSED, JobPosting.Status.FILLED)


def board_postings() -> QuerySet[JobPosting]:
    """Postings on the board with what a card shows: the merchant and the category."""
    return JobPosting.objects.on_board().select_related("merchant", "category")


def filter_postings(data) -> PostingFilter:
    """The board filtered by a GET query (or an alert's saved query); invalid values are reported on the
    filter's form and leave the list unfiltered by them."""
    return PostingFilter(data, queryset=board_postings())


def public_postings() -> QuerySet[JobPosting]:
    """Postings whose page the public may open, with the merchant, category, required skills and preferred
    courses (with their pages)."""
    return (
        JobPosting.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("merchant", "category")
        .prefetch_related(
            Prefetch(
                "required_skills",
                queryset=PostingSkill.objects.select_related("skill").order_by("-min_level", "skill__name"),
            ),
            Prefetch("preferred_courses", queryset=Course.objects.select_related("page").order_by("code")),
        )
    )


def is_taking_applications(posting: JobPosting) -> bool:
    return posting.status == JobPosting.Status.PUBLISHED and posting.closing_date >= timezone.localdate()


def graduate_applications(user) -> QuerySet[Application]:
    """A graduate's applications, newest first, with the posting and its merchant."""
    return Application.objects.filter(graduate=user).select_related("posting__merchant", "posting__category")


def valid_certificates(user) -> QuerySet[Certificate]:
    """The certificates a person holds that still stand (valid, not expired): what the school proves."""
    return Certificate.objects.valid().filter(enrollment__student=user).order_by("-issued_on", "number")


def merchant_may_see(user, profile: GraduateProfile) -> bool:
    """A merchant's member sees a graduate's profile while the graduate shares it with partner merchants
    (and their merchant is approved), or when the graduate applied to one of their postings (applying
    sends the profile to that employer) and has not withdrawn."""
    memberships = MerchantMember.objects.filter(user=user)
    if profile.shared_with_merchants and memberships.filter(merchant__status="approved").exists():
        return True
    return (
        Application.objects.filter(graduate_id=profile.user_id)
        .exclude(status=Application.Status.WITHDRAWN)
        .filter(Exists(memberships.filter(merchant=OuterRef("posting__merchant"))))
        .exists()
    )


def may_see_profile(user, profile: GraduateProfile) -> bool:
    """Who may see a graduate's job profile and download the résumé: the graduate, the school's staff,
    and merchants as merchant_may_see says. Nobody else."""
    if not user.is_authenticated:
        return False
    if user.pk == profile.user_id or is_staff(user):
        return True
    return merchant_may_see(user, profile)
