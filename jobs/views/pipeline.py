"""The merchant's side of the board: a posting's applications by stage (screen, interview, offer, hire,
reject), candidate search among consenting graduates with "invite to apply", and the follow-up page
where the merchant or the graduate says whether a job continues. Every page checks membership on the
server; another merchant's postings are not found (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import services
from jobs.candidates import (
    candidate_facts,
    filter_candidates,
    invitable_postings,
    invited_pairs,
    postings_applications,
    record_facts,
    shared_profile,
)
from jobs.forms_pipeline import FollowUpAnswerForm, HireForm, InviteForm, MoveForm, merchant_moves
from jobs.models import Application, FollowUp, GraduateProfile, JobPosting
from school.permissions import is_staff

Stage = Application.Status
CANDIDATES_PER_PAGE = 20


def _posting_of_member(request, posting_id: int) -> JobPosting:
    """The posting, if the user is a member of its merchant; anyone else is told it does not exist."""
    posting = get_object_or_404(JobPosting.objects.select_related("merchant", "category"), pk=posting_id)
    if services.membership(request.user, posting.merchant) is None:
        raise Http404
    return posting


def _application_of(posting: JobPosting, application_id: int) -> Application:
    return get_object_or_404(Application.objects.select_related("graduate"), pk=application_id, posting=posting)


def _back_to(posting: JobPosting, application: Application | None = None):
    url = reverse("jobs:posting_applications", args=[posting.pk])
    return redirect(f"{url}#application-{application.pk}" if application else url)


def _show_form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- A posting's applications --------------------------------------------------------------------


@login_required
def posting_applications(request, posting_id: int):
    posting = _posting_of_member(request, posting_id)
    applications = list(postings_applications(posting))
    for application in applications:
        application.profile = shared_profile(application)
        application.facts = record_facts(application.graduate, application.profile)
        application.moves = merchant_moves(application.status)
        application.history = list(application.events.all())
        for event in application.history:
            event.stage = Stage(event.to_status).label if event.to_status in Stage.values else event.to_status
    stages = [
        {"value": stage.value, "label": stage.label, "applications": [a for a in applications if a.status == stage]}
        for stage in Stage
    ]
    return render(
        request,
        "jobs/pipeline_applications.html",
        {
            "posting": posting,
            "stages": stages,
            "total": len(applications),
            "move_form": MoveForm(),
            "hire_form": HireForm(initial={"pay_period": posting.pay_period, "position": posting.title}),
        },
    )


@login_required
@require_POST
def application_move(request, posting_id: int, application_id: int):
    posting = _posting_of_member(request, posting_id)
    application = _application_of(posting, application_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return _back_to(posting, application)
    try:
        services.move_application(
            application=application,
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
            note=form.cleaned_data["note"],
            interview_at=form.interview_at(),
            interview_place=form.cleaned_data["interview_place"],
        )
    except services.JobError as error:
        messages.error(request, error.message)
    else:
        application.refresh_from_db(fields=["status"])
        messages.success(
            request,
            _("%(name)s: %(stage)s.")
            % {"name": application.graduate.display_name, "stage": application.get_status_display()},
        )
    return _back_to(posting, application)


@login_required
@require_POST
def application_hire(request, posting_id: int, application_id: int):
    posting = _posting_of_member(request, posting_id)
    application = _application_of(posting, application_id)
    form = HireForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return _back_to(posting, application)
    data = form.cleaned_data
    try:
        services.hire(
            application=application,
            actor=request.user,
            start_date=data["start_date"],
            pay=data["pay"],
            pay_period=data["pay_period"],
            position=data["position"],
            social_insurance=data["social_insurance"],
        )
    except services.JobError as error:
        messages.error(request, error.message)
    else:
        if data["note"]:
            application.events.filter(to_status=Stage.HIRED).update(note=data["note"][:500])
        messages.success(
            request,
            _("%(name)s is hired. The school will ask both of you how it goes after 30, 90 and 180 days.")
            % {"name": application.graduate.display_name},
        )
    return _back_to(posting, application)


# --- Candidate search ----------------------------------------------------------------------------


def _check_can_search(request) -> None:
    if not services.approved_memberships(request.user).exists():
        raise PermissionDenied(_("Candidate search is for the members of approved partner merchants."))


@login_required
def candidate_search(request):
    _check_can_search(request)
    filterset = filter_candidates(request.GET)
    page = Paginator(filterset.qs, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    profiles = list(page.object_list)
    postings = list(invitable_postings(request.user))
    invited = invited_pairs(request.user, [profile.user for profile in profiles])
    for profile in profiles:
        profile.facts = candidate_facts(profile)
        profile.invited_to = [posting for posting in postings if (posting.pk, profile.user_id) in invited]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "jobs/candidate_search.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "items": page,
            "profiles": profiles,
            "postings": postings,
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def candidate_invite(request, profile_id: int):
    _check_can_search(request)
    # Only consenting graduates can be found: a withdrawn consent makes the profile disappear here too.
    profile = get_object_or_404(
        GraduateProfile.objects.select_related("user"), pk=profile_id, shared_with_merchants=True
    )
    form = InviteForm(request.POST, postings=invitable_postings(request.user))
    back = request.POST.get("next") or ""
    if not back.startswith(reverse("jobs:candidates")):
        back = reverse("jobs:candidates")
    if not form.is_valid():
        messages.error(request, _("Choose one of your published postings."))
        return redirect(back)
    try:
        services.invite_candidate(posting=form.cleaned_data["posting"], graduate=profile.user, actor=request.user)
    except services.JobError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is invited to apply for “%(title)s”.")
            % {"name": profile.user.display_name, "title": form.cleaned_data["posting"].title},
        )
    return redirect(back)


# --- Follow-ups ----------------------------------------------------------------------------------


@login_required
def follow_up_answer(request, follow_up_id: int):
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("placement__graduate", "placement__merchant", "answered_by"), pk=follow_up_id
    )
    placement = follow_up.placement
    is_graduate = placement.graduate_id == request.user.pk
    if not (is_graduate or services.membership(request.user, placement.merchant) or is_staff(request.user)):
        raise Http404
    form = FollowUpAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_follow_up(
                follow_up=follow_up,
                actor=request.user,
                still_employed=form.cleaned_data["still_employed"],
                note=form.cleaned_data["note"],
            )
        except services.JobError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you. The school has recorded your answer."))
            return redirect("jobs:follow_up", follow_up.pk)
    return render(
        request,
        "jobs/follow_up_answer.html",
        {"follow_up": follow_up, "placement": placement, "form": form, "is_graduate": is_graduate},
    )


urlpatterns = [
    path("merchant/postings/<int:posting_id>/applications/", posting_applications, name="posting_applications"),
    path(
        "merchant/postings/<int:posting_id>/applications/<int:application_id>/move/",
        application_move,
        name="application_move",
    ),
    path(
        "merchant/postings/<int:posting_id>/applications/<int:application_id>/hire/",
        application_hire,
        name="application_hire",
    ),
    path("merchant/candidates/", candidate_search, name="candidates"),
    path("merchant/candidates/<int:profile_id>/invite/", candidate_invite, name="candidate_invite"),
    path("follow-ups/<int:follow_up_id>/", follow_up_answer, name="follow_up"),
]
