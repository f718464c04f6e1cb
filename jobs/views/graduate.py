"""The graduate's side of the job board: the job profile with consent and résumé, and "My applications"."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from baijia.http import client_ip
from jobs import services
from jobs.forms_graduate import ConsentForm, GraduateProfileForm
from jobs.models import Application, GraduateProfile, JobAlert
from jobs.selectors import graduate_applications, may_see_profile, valid_certificates
from jobs.services import CONSENT_WORDING, JobError
from school.permissions import is_student


def graduate_required(view):
    """Signed in, as a student or graduate of the school (the job profile is theirs alone)."""

    @login_required
    @wraps(view)
    def check(request, *args, **kwargs):
        if not is_student(request.user):
            messages.error(request, _("The job profile is for the school's students and graduates."))
            return redirect("jobs:board")
        return view(request, *args, **kwargs)

    return check


@graduate_required
def profile(request):
    """/jobs/profile/: what merchants see once shared, the certificates the school proves, the consent
    switch, and the job alerts saved."""
    job_profile = services.profile_for(request.user)
    form = GraduateProfileForm(request.POST or None, request.FILES or None, instance=job_profile)
    previous_resume = job_profile.resume.name
    if request.method == "POST" and form.is_valid():
        form.save()
        if previous_resume and "resume" in form.changed_data:
            # A replaced or removed résumé is not kept anywhere.
            job_profile.resume.storage.delete(previous_resume)
        messages.success(request, _("Your job profile is saved."))
        return redirect("jobs:profile")
    return render(
        request,
        "jobs/profile.html",
        {
            "form": form,
            "profile": job_profile,
            "certificates": valid_certificates(request.user),
            "consent_wording": CONSENT_WORDING,
            "consent_form": ConsentForm(),
            "last_consent": job_profile.consent_records.first(),
            "alerts": JobAlert.objects.filter(user=request.user).order_by("-created_at"),
        },
    )


@graduate_required
@require_POST
def consent(request):
    """Share the profile with partner merchants (an explicit opt-in beside the wording), or stop at once."""
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect("jobs:profile")
    granted = form.cleaned_data["granted"]
    services.set_consent(user=request.user, granted=granted, ip_address=client_ip(request))
    if granted:
        messages.success(request, _("Partner merchants can now see your job profile and invite you to apply."))
    else:
        messages.success(request, _("You stopped sharing: merchants no longer see your job profile."))
    return redirect("jobs:profile")


@login_required
@require_safe
def resume(request, profile_id: int):
    """The résumé as a download, for the graduate, the school's staff, and merchants the graduate shares
    the profile with. Anyone else gets 404, whether or not there is a résumé."""
    job_profile = get_object_or_404(GraduateProfile.objects.select_related("user"), pk=profile_id)
    if not may_see_profile(request.user, job_profile) or not job_profile.resume:
        raise Http404
    try:
        stored = job_profile.resume.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=_("%(name)s résumé.pdf") % {"name": job_profile.user.display_name},
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@graduate_required
def my_applications(request):
    """/jobs/my/applications/: each application's current stage, interview details, and Withdraw."""
    applications = list(graduate_applications(request.user))
    for application in applications:
        application.can_withdraw = Application.Status.WITHDRAWN in Application.NEXT[application.status]
    return render(request, "jobs/applications.html", {"applications": applications})


@graduate_required
@require_POST
def withdraw(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("posting"), pk=pk, graduate=request.user)
    try:
        services.move_application(application=application, to_status=Application.Status.WITHDRAWN, actor=request.user)
    except JobError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("You withdrew your application for “%(title)s”.") % {"title": application.posting.title}
        )
    return redirect("jobs:my_applications")


urlpatterns = [
    path("profile/", profile, name="profile"),
    path("profile/consent/", consent, name="consent"),
    path("profile/<int:profile_id>/resume/", resume, name="resume"),
    path("my/applications/", my_applications, name="my_applications"),
    path("my/applications/<int:pk>/withdraw/", withdraw, name="withdraw_application"),
]
