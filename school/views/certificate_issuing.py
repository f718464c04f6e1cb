"""Instructors' certificate pages for a class: who has a certificate, issuing one or all (with a live
progress bar), and the class's certificates as one ZIP. urlpatterns are included by school/urls.py.

Only the class's instructors and staff may open them; anyone else is told the class does not exist (404)."""

import re
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from school.errors import CertificateError
from school.models import CertificateBatch, Cohort, Enrollment
from school.permissions import teaches
from school.selectors import cohort_certificate_rows, cohort_valid_certificates, latest_certificate_batch
from school.services import certificates as services

POLL_SECONDS = 1  # how often the progress bar asks (htmx); without JavaScript the page reloads every 2 s
ZIP_CHUNK = 64 * 1024
HTMX_STOP_POLLING = 286


def _cohort(request, code: str) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), code__iexact=code)
    if not teaches(request.user, cohort):
        raise Http404
    return cohort


def _batch_context(batch: CertificateBatch | None) -> dict:
    already = max(batch.total - batch.issued, 0) if batch and batch.status == CertificateBatch.Status.DONE else 0
    delayed = bool(batch) and services.waiting_for_task_service(batch)
    return {"batch": batch, "already": already, "poll_seconds": POLL_SECONDS, "delayed": delayed}


def _rows(cohort: Cohort) -> list[dict]:
    rows = []
    for enrollment in cohort_certificate_rows(cohort):
        certificates = enrollment.issued_certificates
        current = next((c for c in certificates if c.status == c.Status.VALID), None)
        rows.append(
            {
                "enrollment": enrollment,
                "name": services.holder_name(enrollment),
                "current": current,
                "earlier": [c for c in certificates if c is not current],
                # A revoked certificate is a decision: a new one is a reissue (staff), not an issue.
                "can_issue": not certificates,
            }
        )
    return rows


@login_required
@require_GET
def certificate_list(request, code: str):
    cohort = _cohort(request, code)
    rows = _rows(cohort)
    batch = latest_certificate_batch(cohort)
    return render(
        request,
        "school/certificate_issuing.html",
        {
            "cohort": cohort,
            "rows": rows,
            **_batch_context(batch),
            "to_issue": sum(1 for row in rows if row["can_issue"]),
            "valid_count": sum(1 for row in rows if row["current"]),
        },
    )


@login_required
@require_POST
def issue_one(request, code: str):
    cohort = _cohort(request, code)
    enrollment = get_object_or_404(Enrollment, pk=request.POST.get("enrollment") or 0, cohort=cohort)
    try:
        certificate = services.issue_certificate(enrollment=enrollment, issued_by=request.user)
    except CertificateError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Certificate %(number)s issued to %(name)s.")
            % {"number": certificate.number, "name": certificate.holder_name},
        )
    return redirect("school:certificate_list", code=cohort.code)


@login_required
@require_POST
def issue_all(request, code: str):
    cohort = _cohort(request, code)
    batch = services.start_certificate_batch(cohort=cohort, requested_by=request.user)
    if services.waiting_for_task_service(batch):
        messages.warning(request, services.DELAYED_NOTICE)
    else:
        messages.info(request, _("Issuing the class's certificates: the progress is shown below."))
    return redirect(reverse("school:certificate_list", kwargs={"code": cohort.code}) + f"#batch-{batch.pk}")


@login_required
@require_GET
def batch_progress(request, code: str, batch_id: int):
    """The progress bar: a fragment that htmx polls every second, or, without JavaScript, a small page
    that reloads itself until the run has finished."""
    cohort = _cohort(request, code)
    batch = get_object_or_404(CertificateBatch, pk=batch_id, cohort=cohort)
    context = {"cohort": cohort, **_batch_context(batch)}
    if request.htmx:
        # 286 tells htmx to stop polling: the run has finished and this is its result.
        status = HTMX_STOP_POLLING if batch.finished else 200
        return render(request, "school/certificate_issuing_progress.html", {**context, "reload": True}, status=status)
    return render(request, "school/certificate_issuing_batch.html", context)


def _file_name(certificate) -> str:
    holder = re.sub(r'[\\/:*?"<>|\s]+', "_", certificate.holder_name).strip("_") or "certificate"
    return f"{certificate.number}-{holder}.pdf"


class _Pipe:
    """A write-only file for ZipFile that hands on what was written: the archive is sent as it is made."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _zip_stream(certificates):
    pipe = _Pipe()
    # The PDFs are already compressed: store them as they are (and as they were issued, byte for byte).
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            info = zipfile.ZipInfo(_file_name(certificate), date_time=localtime(certificate.issued_at).timetuple()[:6])
            with certificate.pdf.open("rb") as stored, archive.open(info, "w") as member:
                while chunk := stored.read(ZIP_CHUNK):
                    member.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()


@login_required
@require_GET
def download_zip(request, code: str):
    """The class's valid certificates, each the stored PDF as issued (never rendered again)."""
    cohort = _cohort(request, code)
    certificates = list(cohort_valid_certificates(cohort))
    if not certificates:
        messages.info(request, _("This class has no valid certificates to download yet."))
        return redirect("school:certificate_list", code=cohort.code)
    for certificate in certificates:
        services.record_download(certificate=certificate, actor=request.user)
    response = StreamingHttpResponse(_zip_stream(certificates), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="certificates-{cohort.code}.zip"'
    return response


urlpatterns = [
    path("teach/classes/<str:code>/certificates/", certificate_list, name="certificate_list"),
    path("teach/classes/<str:code>/certificates/issue/", issue_one, name="certificate_issue"),
    path("teach/classes/<str:code>/certificates/issue-all/", issue_all, name="certificate_issue_all"),
    path("teach/classes/<str:code>/certificates/batches/<int:batch_id>/", batch_progress, name="certificate_batch"),
    path("teach/classes/<str:code>/certificates/certificates.zip", download_zip, name="certificate_zip"),
]
