"""Certificate pages: public verification (by code, by QR, or by uploading the PDF), and downloads of
the PDF and the signed credential for the holder, the class's instructors and staff.

Verification shows what the certificate says and its status, never more personal data. Lookups and
uploads are rate-limited per IP against enumeration (django-ratelimit, in the default cache). A
download that is not yours answers 404 whether or not the certificate exists."""

import hashlib
import logging
import re

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from django_ratelimit.decorators import ratelimit

from school.certificates import credential
from school.models import Certificate
from school.models.certificates import CODE_ALPHABET, CODE_LENGTH, normalise_code
from school.permissions import is_staff
from school.services.certificates import record_download

logger = logging.getLogger(__name__)

CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
PDF_MAGIC = b"%PDF-"
# Room for the multipart envelope around a file of the largest size we accept.
UPLOAD_OVERHEAD = 64 * 1024
Status = Certificate.Status


def _verify_rate(group, request):
    return settings.CERTIFICATE_VERIFY_RATE


def _upload_rate(group, request):
    return settings.CERTIFICATE_UPLOAD_RATE


def _max_megabytes() -> int:
    return settings.CERTIFICATE_UPLOAD_MAX_BYTES // (1024 * 1024)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=40,
        help_text=gettext_lazy("The 16 letters and digits printed beside the QR code, e.g. 7K3M-9QXD-2HNF-RT4B."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "7K3M-9QXD-2HNF-RT4B",
            }
        ),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not CODE_PATTERN.fullmatch(code):
            raise ValidationError(
                _("A verification code has 16 letters and digits, e.g. 7K3M-9QXD-2HNF-RT4B. Check what you typed."),
                code="code_format",
            )
        return code


class UploadForm(forms.Form):
    pdf = forms.FileField(
        label=gettext_lazy("Certificate PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > settings.CERTIFICATE_UPLOAD_MAX_BYTES:
            raise ValidationError(too_large_message(), code="too_large")
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if head != PDF_MAGIC:
            raise ValidationError(
                _("This file is not a PDF. Upload the certificate's PDF file as you received it."), code="not_pdf"
            )
        return upload


def too_large_message() -> str:
    return _("The file is larger than %(size)s MB; no certificate we issue is that large.") % {"size": _max_megabytes()}


def _notice(request, *, title: str, message: str, status: int, link=None, link_text: str = ""):
    """A short page that says what happened and what to do next (404, 410, 429, 503)."""
    return render(
        request,
        "school/certificate_verify_notice.html",
        {"title": title, "message": message, "link": link, "link_text": link_text},
        status=status,
    )


def _too_many(request):
    response = _notice(
        request,
        title=_("Too many checks"),
        message=_(
            "Too many certificates were checked from your network in a short time. Wait a minute, then try again."
        ),
        status=429,
    )
    response["Retry-After"] = "60"
    return response


def _verify_page(
    request, *, certificate=None, code_form=None, upload_form=None, upload=None, upload_error="", status=200
):
    response = render(
        request,
        "school/certificate_verify.html",
        {
            "certificate": certificate,
            "code_form": code_form or CodeForm(),
            "upload_form": upload_form or UploadForm(),
            "upload": upload,
            "upload_error": upload_error,
            "school_name": settings.WAGTAIL_SITE_NAME,
            "max_megabytes": _max_megabytes(),
        },
        status=status,
    )
    return response


@never_cache
@csrf_exempt  # the upload checks CSRF itself, after refusing an oversized body unread
@ratelimit(key="ip", rate=_upload_rate, method="POST", group="certificates:upload", block=False)
def verify(request):
    """The verification page: type a code (GET ?code=…), or upload a PDF (POST)."""
    if getattr(request, "limited", False):
        return _too_many(request)
    if request.method == "POST":
        return _verify_upload(request)
    if "code" not in request.GET:
        return _verify_page(request)
    code_form = CodeForm(request.GET)
    if code_form.is_valid():
        return redirect("certificates:verify_code", code_form.cleaned_data["code"])
    return _verify_page(request, code_form=code_form)


def _verify_upload(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.CERTIFICATE_UPLOAD_MAX_BYTES + UPLOAD_OVERHEAD:
        return _verify_page(request, upload_error=too_large_message(), status=413)
    return csrf_protect(_check_upload)(request)


def _check_upload(request):
    upload_form = UploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _verify_page(request, upload_form=upload_form)
    digest = hashlib.sha256()
    for chunk in upload_form.cleaned_data["pdf"].chunks():
        digest.update(chunk)
    matched = Certificate.objects.issued().filter(sha256=digest.hexdigest()).first()
    return _verify_page(request, upload={"matched": matched, "sha256": digest.hexdigest()})


@never_cache
@ratelimit(key="ip", rate=_verify_rate, group="certificates:verify", block=False)
def verify_code(request, code):
    """A certificate's public page (the QR code's address). Typed variants (lower case, dashes) are
    sent to the canonical address; an unknown code is a kind 404."""
    if request.limited:
        return _too_many(request)
    normalised = normalise_code(code)
    if CODE_PATTERN.fullmatch(normalised):
        if normalised != code:
            return redirect("certificates:verify_code", normalised)
        certificate = Certificate.objects.issued().filter(code=normalised).first()
        if certificate is not None:
            return _verify_page(request, certificate=certificate)
    return _notice(
        request,
        title=_("No certificate has this code"),
        message=_(
            "We could not find a certificate with the code %(code)s. Check the code on the certificate and "
            "try again; if it still is not found, the certificate was not issued by us."
        )
        % {"code": code[:40]},
        status=404,
        link=reverse("certificates:verify"),
        link_text=_("Check another certificate"),
    )


# --- Downloads ---------------------------------------------------------------------------------------


def may_download(user, certificate: Certificate) -> bool:
    """The holder, the instructors of the certificate's class, and staff."""
    if not user.is_authenticated:
        return False
    return (
        certificate.enrollment.student_id == user.pk
        or is_staff(user)
        or certificate.enrollment.cohort.instructors.filter(pk=user.pk).exists()
    )


def _certificate_for(user, code) -> Certificate:
    certificate = (
        Certificate.objects.issued()
        .select_related("enrollment__cohort__course")
        .filter(code=normalise_code(code))
        .first()
    )
    if certificate is None or not may_download(user, certificate):
        raise Http404
    return certificate


def _no_longer_valid(request, certificate: Certificate):
    """410 for a revoked or replaced certificate: it must not circulate as if it still stood."""
    if certificate.status == Status.REVOKED:
        message = _("This certificate was revoked on %(date)s (%(reason)s), so it can no longer be downloaded.") % {
            "date": date_format(timezone.localdate(certificate.revoked_at)) if certificate.revoked_at else "",
            "reason": certificate.revoked_reason,
        }
    else:
        message = _("This certificate was replaced by a corrected one. Download the new one from your courses page.")
    return _notice(
        request,
        title=_("This certificate no longer stands"),
        message=message,
        status=410,
        link=reverse("school:my_courses"),
        link_text=_("My courses"),
    )


@login_required
@require_safe
def download_pdf(request, code):
    """The stored PDF, byte for byte (never rendered again). A revoked or replaced certificate's PDF
    is for staff only (the record); its holder and instructors are told why they cannot have it."""
    certificate = _certificate_for(request.user, code)
    if certificate.status != Status.VALID and not is_staff(request.user):
        return _no_longer_valid(request, certificate)
    try:
        stored = certificate.pdf.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("Certificate %s has no stored PDF at %r", certificate.number, certificate.pdf.name)
        raise Http404 from None
    record_download(certificate=certificate, actor=request.user)
    response = FileResponse(
        stored, as_attachment=True, filename=f"{certificate.number}.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def download_credential(request, code):
    """The certificate as a signed Open Badges 3.0 credential (VC-JWT). Only a certificate that still
    stands is signed, for anyone; an expired one still is (the credential carries its validUntil)."""
    certificate = _certificate_for(request.user, code)
    if certificate.status != Status.VALID:
        return _no_longer_valid(request, certificate)
    try:
        token = credential.sign(certificate)
    except credential.SigningKeyMissing as error:
        logger.error("Cannot sign the credential of certificate %s: %s", certificate.number, error)
        return _notice(
            request,
            title=_("The credential is not available right now"),
            message=_(
                "The school cannot sign credentials at the moment and has been told. Your certificate is not "
                "affected: download its PDF, or try the credential again later."
            ),
            status=503,
            link=reverse("certificates:pdf", args=[certificate.code]),
            link_text=_("Download the PDF"),
        )
    record_download(certificate=certificate, actor=request.user, credential=True)
    response = HttpResponse(token, content_type="application/jwt")
    response["Content-Disposition"] = content_disposition_header(True, f"{certificate.number}.jwt")
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def jwks(request):
    """The public key that verifies credentials, as a JSON Web Key Set (/.well-known/jwks.json)."""
    try:
        keys = credential.jwks()
    except credential.SigningKeyMissing as error:
        logger.error("Cannot publish the JWKS: %s", error)
        return JsonResponse({"detail": "The credential signing key is not configured."}, status=503)
    response = JsonResponse(keys, content_type="application/jwk-set+json")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
