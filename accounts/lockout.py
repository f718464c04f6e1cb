"""Sign-in throttling (django-axes): how an attempt is counted and what a locked-out person sees.

Failures are counted per account *and* address together: a classroom behind one school router is not
locked out by one student's typing, and nobody can lock a person out from elsewhere. After
AXES_FAILURE_LIMIT failures that pair waits AXES_COOLOFF_TIME; staff can lift it at once in the admin
(Settings → Sign-in lockouts) or with `manage.py axes_reset_username <account>`."""

import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext

from accounts.phone import looks_like_email, normalize_mobile


def account_key(request, credentials) -> str:
    """The account as the sign-in backend reads it, so "138 0000 0001", "+86 13800000001" and
    "Student@Example.com" count against one account, not three."""
    given = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if given is None and request is not None:
        given = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    given = (given or "").strip()
    if looks_like_email(given):
        return given.lower()
    return normalize_mobile(given) or given


def wait_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = math.ceil(wait_seconds() / 60)
    return ngettext(
        "Too many failed sign-ins for this account. Wait %(minutes)d minute and try again, or reset your password.",
        "Too many failed sign-ins for this account. Wait %(minutes)d minutes and try again, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After: the API answers {"detail", "code"} like its other refusals; the admin shows
    Wagtail's sign-in page again and the site its own, each with the message. Every further failure
    during the wait starts it again."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    elif request.path == reverse("wagtailadmin_login"):
        response = _admin_sign_in_again(request, original_response, message)
    else:
        from accounts.forms import SignInForm

        form = SignInForm(request, initial={"username": (credentials or {}).get("username", "")})
        response = render(
            request, "accounts/sign_in.html", {"form": form, "locked_out": message, "next": ""}, status=429
        )
    response["Retry-After"] = str(wait_seconds())
    return response


def _admin_sign_in_again(request, original_response, message):
    """Wagtail's own sign-in page as it answered the refused attempt (its form, the account typed, the
    next address), with the lockout as its only error instead of "wrong password": a locked-out
    password may well have been right."""
    context = dict(original_response.context_data)
    form = context["form"]
    form.errors.clear()
    form.add_error(None, message)
    return TemplateResponse(request, original_response.template_name, context, status=429).render()
