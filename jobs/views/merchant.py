"""Merchant pages of the job board: applying to join, the workspace (the business's profile, its
postings with their counts, writing and closing postings) and colleagues (invitations).

Every page looks objects up only among the merchants the signed-in person belongs to, so another
merchant's posting or workspace answers 404. The services decide; these views validate and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import services
from jobs.forms_merchant import InvitationForm, MerchantApplicationForm, MerchantProfileForm, PostingForm, skill_formset
from jobs.models import JobPosting, Merchant, MerchantInvitation, MerchantMember
from jobs.services import JobError

Role = MerchantMember.Role


def _membership_or_404(user, merchant_id: int) -> MerchantMember:
    return get_object_or_404(MerchantMember.objects.select_related("merchant"), user=user, merchant_id=merchant_id)


def _own_posting_or_404(user, pk: int) -> JobPosting:
    """A posting of a merchant the user belongs to; anyone else's is not found."""
    return get_object_or_404(
        JobPosting.objects.select_related("merchant", "category"), pk=pk, merchant__members__user=user
    )


def _add_service_errors(form, error: ValidationError) -> None:
    """A model's full_clean() refusal, on the form's fields where it has them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Joining ----------------------------------------------------------------------------------------


@login_required
def apply(request):
    """A business applies to become a partner; the applicant becomes its owner."""
    form = MerchantApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                merchant = services.merchant_apply(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you. The school will review your application."))
                return redirect("jobs:merchant_dashboard", merchant.pk)
        if form.errors and "licence" not in form.errors and request.FILES.get("licence"):
            # A browser never fills a file input again: say so, so the merchant is not surprised.
            form.add_error("licence", _("Choose the licence file again: browsers do not keep a chosen file."))
    return render(request, "jobs/merchant_apply.html", {"form": form})


# --- The workspace ----------------------------------------------------------------------------------


@login_required
def home(request):
    """The workspace: straight to the business, or a choice when the person works for several."""
    memberships = list(MerchantMember.objects.filter(user=request.user).select_related("merchant"))
    if len(memberships) == 1:
        return redirect("jobs:merchant_dashboard", memberships[0].merchant_id)
    return render(request, "jobs/merchant_home.html", {"memberships": memberships})


@login_required
def dashboard(request, merchant_id: int):
    member = _membership_or_404(request.user, merchant_id)
    merchant = member.merchant
    postings = (
        merchant.postings.select_related("category")
        .annotate(application_count=Count("applications"))
        .order_by("-updated_at", "-pk")
    )
    return render(
        request,
        "jobs/merchant_dashboard.html",
        {"merchant": merchant, "member": member, "postings": postings, "is_owner": member.role == Role.OWNER},
    )


@login_required
def profile(request, merchant_id: int):
    member = _membership_or_404(request.user, merchant_id)
    merchant = member.merchant
    if member.role != Role.OWNER:
        raise PermissionDenied
    form = MerchantProfileForm(request.POST or None, instance=Merchant.objects.get(pk=merchant.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.merchant_update_profile(merchant=merchant, user=request.user, **form.cleaned_data)
        except JobError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("jobs:merchant_dashboard", merchant.pk)
    return render(request, "jobs/merchant_profile.html", {"merchant": merchant, "form": form})


@login_required
def members(request, merchant_id: int):
    """Colleagues and invitations. Everyone sees who works here; only the owner invites."""
    member = _membership_or_404(request.user, merchant_id)
    merchant = member.merchant
    is_owner = member.role == Role.OWNER
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = services.invite_member(merchant=merchant, invited_by=request.user, **form.cleaned_data)
            except JobError as error:
                form.add_error(None, error.message)
                status = 403 if error.code == "not_owner" else 400
            else:
                messages.success(
                    request,
                    _("Invitation made for %(contact)s. Send them the link below.") % {"contact": invitation.contact},
                )
                return redirect("jobs:merchant_members", merchant.pk)
        else:
            status = 400
    context = {
        "merchant": merchant,
        "is_owner": is_owner,
        "members": merchant.members.select_related("user").order_by("created_at"),
        "invitations": merchant.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
        if is_owner
        else [],
        "form": form,
    }
    return render(request, "jobs/merchant_members.html", context, status=status)


# --- Postings ---------------------------------------------------------------------------------------


def _posting_page(request, *, merchant: Merchant, posting: JobPosting):
    form = PostingForm(request.POST or None, instance=posting)
    skills = skill_formset(posting, request.POST or None)
    if request.method == "POST":
        if form.is_valid() and skills.is_valid():
            posting = form.save(commit=False)
            try:
                posting = services.posting_save(
                    posting=posting,
                    user=request.user,
                    submit=request.POST.get("action") == "submit",
                    skills=skills.requirements(),
                    courses=form.cleaned_data["preferred_courses"],
                )
            except JobError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _posting_saved_message(posting))
                return redirect("jobs:merchant_dashboard", merchant.pk)
        if not form.errors.get(NON_FIELD_ERRORS):
            form.add_error(None, _("Please correct the marked fields below; nothing you typed was lost."))
    return render(
        request,
        "jobs/merchant_posting_form.html",
        {"merchant": merchant, "posting": posting, "form": form, "skills": skills},
    )


def _posting_saved_message(posting: JobPosting) -> str:
    if posting.status == JobPosting.Status.PUBLISHED:
        return _("“%(title)s” is on the job board.") % {"title": posting.title}
    if posting.status == JobPosting.Status.PENDING:
        return _("“%(title)s” is waiting for the school's review; you will be told.") % {"title": posting.title}
    return _("“%(title)s” is saved.") % {"title": posting.title}


@login_required
def posting_new(request, merchant_id: int):
    merchant = _membership_or_404(request.user, merchant_id).merchant
    if not merchant.is_approved:
        messages.error(request, _("Your business is awaiting the school's approval; you can post once approved."))
        return redirect("jobs:merchant_dashboard", merchant.pk)
    posting = JobPosting(merchant=merchant, district=merchant.district, address=merchant.address)
    return _posting_page(request, merchant=merchant, posting=posting)


@login_required
def posting_edit(request, pk: int):
    posting = _own_posting_or_404(request.user, pk)
    return _posting_page(request, merchant=posting.merchant, posting=posting)


@login_required
@require_POST
def posting_close(request, pk: int):
    posting = _own_posting_or_404(request.user, pk)
    try:
        posting = services.posting_close(posting=posting, user=request.user)
    except JobError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” is closed and has left the job board.") % {"title": posting.title})
    return redirect("jobs:merchant_dashboard", posting.merchant_id)


# --- Invitations ------------------------------------------------------------------------------------


@login_required
def invitation(request, token: str):
    """The link an owner sends a colleague: signed in, they join the business in one tap."""
    found = MerchantInvitation.objects.select_related("merchant", "invited_by").filter(token=token).first()
    if found is None:
        raise Http404
    if request.method == "POST":
        try:
            member = services.accept_invitation(token=token, user=request.user)
        except JobError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You have joined %(merchant)s.") % {"merchant": member.merchant.name})
            return redirect("jobs:merchant_dashboard", member.merchant_id)
    return render(request, "jobs/merchant_invitation.html", {"invitation": found})


urlpatterns = [
    path("merchants/apply/", apply, name="merchant_apply"),
    path("merchant/", home, name="merchant_home"),
    path("merchant/<int:merchant_id>/", dashboard, name="merchant_dashboard"),
    path("merchant/<int:merchant_id>/profile/", profile, name="merchant_profile"),
    path("merchant/<int:merchant_id>/members/", members, name="merchant_members"),
    path("merchant/<int:merchant_id>/postings/new/", posting_new, name="merchant_posting_new"),
    path("merchant/postings/<int:pk>/edit/", posting_edit, name="merchant_posting_edit"),
    path("merchant/postings/<int:pk>/close/", posting_close, name="merchant_posting_close"),
    path("invitations/<str:token>/", invitation, name="invitation"),
]
