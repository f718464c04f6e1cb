"""Where recommendations show to the people they concern: "Jobs for you" on the student's dashboard (a
panel the school shows without importing the job board) and the merchant's "Recommended candidates"
for a posting, with "invite to apply". The board's strip and a posting's "Your match" are in board.py.

Every recommendation shows its score, its reasons and the skills missing, each with the course that
teaches it. They inform; people decide: a merchant invites, a graduate applies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import services
from jobs.models import GraduateProfile, JobPosting
from jobs.recommendations import candidates_for, postings_for
from jobs.selectors import is_taking_applications
from jobs.services import JobError
from school.permissions import is_student

DASHBOARD_POSTINGS = 5
RECOMMENDED_CANDIDATES = 20


def dashboard_panel(request) -> str:
    """The student dashboard's "Jobs for you" (school.dashboard; registered in JobsConfig.ready())."""
    if not is_student(request.user):
        return ""
    return render_to_string(
        "jobs/recommend_dashboard.html",
        {"recommended": postings_for(request.user, limit=DASHBOARD_POSTINGS)},
        request=request,
    )


def _posting_to_recommend_for(request, posting_id: int) -> JobPosting:
    """A posting of a merchant the user belongs to (anyone else's is not found), once the school has
    approved the merchant: recommendations show graduates' profiles, as candidate search does."""
    posting = get_object_or_404(
        JobPosting.objects.select_related("merchant", "category"), pk=posting_id, merchant__members__user=request.user
    )
    if not posting.merchant.is_approved:
        raise PermissionDenied(_("Recommended candidates are for the members of approved partner merchants."))
    return posting


@login_required
def posting_recommended(request, posting_id: int):
    """The best candidates for one of the merchant's postings among the graduates who share their
    profile, with why each fits and what they lack."""
    posting = _posting_to_recommend_for(request, posting_id)
    return render(
        request,
        "jobs/recommend_candidates.html",
        {
            "posting": posting,
            "candidates": candidates_for(posting, viewer=request.user, limit=RECOMMENDED_CANDIDATES),
            "can_invite": is_taking_applications(posting),
        },
    )


@login_required
@require_POST
def posting_recommended_invite(request, posting_id: int, profile_id: int):
    posting = _posting_to_recommend_for(request, posting_id)
    # Only while the graduate shares their profile: a withdrawn consent makes them unreachable here too.
    profile = get_object_or_404(
        GraduateProfile.objects.select_related("user"), pk=profile_id, shared_with_merchants=True
    )
    try:
        services.invite_candidate(posting=posting, graduate=profile.user, actor=request.user)
    except JobError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is invited to apply for “%(title)s”.")
            % {"name": profile.user.display_name, "title": posting.title},
        )
    return redirect(f"{reverse('jobs:posting_recommended', args=[posting.pk])}#candidate-{profile.pk}")


urlpatterns = [
    path("merchant/postings/<int:posting_id>/recommended/", posting_recommended, name="posting_recommended"),
    path(
        "merchant/postings/<int:posting_id>/recommended/<int:profile_id>/invite/",
        posting_recommended_invite,
        name="posting_recommended_invite",
    ),
]
