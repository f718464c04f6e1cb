from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import DeletionRequestForm, SignInForm, SignUpForm
from accounts.personal_data import (
    PersonalDataError,
    export_personal_data,
    open_deletion_request,
    readable,
    request_deletion,
)
from accounts.services import user_sign_up


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@sensitive_post_parameters("password1", "password2")
def sign_up(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_sign_up(
            display_name=form.cleaned_data["display_name"],
            phone=form.cleaned_data["phone"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            language=request.LANGUAGE_CODE,
        )
        login(request, user, backend="accounts.backends.PhoneOrEmailBackend")
        messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.display_name})
        return redirect(_safe_next(request))
    return render(request, "accounts/sign_up.html", {"form": form, "next": _safe_next(request)})


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Personal data (PIPL) -----------------------------------------------------------------------------


@login_required
def my_data(request):
    """Everything the school holds about the person, laid out readably; each look is logged."""
    data = export_personal_data(user=request.user, actor=request.user, channel="page")
    return render(
        request,
        "accounts/my_data.html",
        {"sections": readable(data), "deletion": open_deletion_request(request.user)},
    )


@login_required
def my_data_download(request):
    data = export_personal_data(user=request.user, actor=request.user, channel="download")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"baijia-my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def deletion_request(request):
    """Ask for erasure, after reading what is kept and why."""
    pending = open_deletion_request(request.user)
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            request_deletion(user=request.user, reason=form.cleaned_data["reason"])
        except PersonalDataError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request has been sent. Staff will answer within 15 working days."))
            return redirect("accounts:deletion_request")
    return render(request, "accounts/deletion_request.html", {"form": form, "pending": pending})
