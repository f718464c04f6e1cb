"""Issuing, revoking and reissuing certificates. Every certificate is made here, by one path for one
student or a whole class, so the guarantees hold for the browser, the API, Celery and seed_demo alike:

- Nothing is half-issued: every name is checked against the installed fonts before any number is
  taken; a single issue or a reissue is one transaction.
- Numbers (year, program, sequence) are taken under a row lock in the same transaction that creates
  the certificates, as `pending` rows; they run with no gaps and no repeats.
- A class's run is resumable and idempotent: its pending rows are rendered in chunks and each turns
  `valid` with a conditional update, so running it twice, or again after a worker died half-way,
  ends with exactly one valid certificate per eligible student. The database's partial unique index
  (one pending-or-valid certificate per enrolment) holds even when two runs race.
- A student is told once: `emailed_at` is claimed with a conditional update before telling.
- An issued PDF is written once and never rewritten; its SHA-256 is stored beside it."""

import calendar
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.notifications import notify
from school import certificates as rendering
from school.certificates import fonts
from school.certificates.pdf import CertificateContent
from school.errors import CertificateError
from school.models import (
    Certificate,
    CertificateBatch,
    CertificateEvent,
    CertificateSequence,
    CertificateTemplate,
    Cohort,
    Enrollment,
)
from school.signals import certificate_revoked, certificates_issued

logger = logging.getLogger(__name__)

CHUNK = 50  # certificates laid out per WeasyPrint document: fast, and bounded in memory
Action = CertificateEvent.Action


@dataclass
class IssueResult:
    issued: int  # certificates this run made valid
    already: int  # eligible students who already had one
    total: int


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def holder_name(enrollment: Enrollment) -> str:
    profile = getattr(enrollment.student, "student_profile", None)
    return (profile.real_name if profile else "") or enrollment.student.display_name


def certified(queryset):
    """Enrolments that already have a certificate that counts (valid, revoked or superseded): a
    revocation is a decision, so a class's run does not quietly certify that student again."""
    return queryset.filter(
        Exists(Certificate.objects.filter(enrollment=OuterRef("pk")).exclude(status=Certificate.Status.PENDING))
    )


def eligible(cohort: Cohort):
    """The class's enrolments that should have a certificate: completed ones."""
    return Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.COMPLETED)


def _check_names(enrollments: list[Enrollment], template: CertificateTemplate) -> None:
    """Refuse the whole run, naming each character and whose name it is in, when any text of it has
    no glyph in the installed fonts."""
    problems = []
    for enrollment in enrollments:
        text = holder_name(enrollment) + enrollment.cohort.course.title
        missing = fonts.missing_characters(text, fonts.chain(template.typeface))
        if missing:
            problems.append(fonts.FontCoverageError(missing, who=holder_name(enrollment)))
    if problems:
        raise CertificateError(" ".join(str(problem) for problem in problems), code="font_coverage")


def _next_numbers(program, year: int, count: int) -> list[str]:
    """`count` consecutive numbers, taken under the (year, program) row lock. Call inside a transaction."""
    try:
        with transaction.atomic():
            CertificateSequence.objects.get_or_create(year=year, program=program)
    except IntegrityError:
        pass  # another run created the row first; it is there now
    sequence = CertificateSequence.objects.select_for_update().get(year=year, program=program)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    prefix = program.code or f"P{program.pk}"
    return [f"BJ{year}-{prefix}-{number:05d}" for number in range(first, first + count)]


def _allocate(enrollments: list[Enrollment], *, template: CertificateTemplate, issued_by) -> list[Certificate]:
    """Pending certificates with their numbers, for enrolments that have none. Inside a transaction."""
    if not enrollments:
        return []
    today = timezone.localdate()
    course = enrollments[0].cohort.course
    numbers = _next_numbers(course.program, today.year, len(enrollments))
    expires_on = add_months(today, template.validity_months) if template.validity_months else None
    pending = [
        Certificate(
            enrollment=enrollment,
            number=number,
            template=template,
            holder_name=holder_name(enrollment),
            course_title=course.title,
            course_title_en=course.title_en,
            hours=course.hours,
            start_date=enrollment.cohort.start_date,
            end_date=enrollment.cohort.end_date,
            final_score=enrollment.final_score,
            issued_on=today,
            expires_on=expires_on,
            issued_by=issued_by,
        )
        for enrollment, number in zip(enrollments, numbers, strict=True)
    ]
    return Certificate.objects.bulk_create(pending)


def _render_and_store(pending: list[Certificate], *, actor) -> int:
    """Render pending certificates (one template) and make each valid; returns how many this call made
    valid (another run may have finished some first). The chunk's rows are locked, written and
    recorded together: a few statements per chunk, not per certificate."""
    template = pending[0].template
    pdfs = rendering.render(template, [CertificateContent.of(certificate) for certificate in pending])
    storage = Certificate._meta.get_field("pdf").storage
    with transaction.atomic():
        now = timezone.now()
        # Lock the rows before touching their files: a run racing this one that issued one first keeps
        # its PDF. What is no longer pending here was finished by that run.
        still_pending = dict(
            Certificate.objects.select_for_update()
            .filter(pk__in=[certificate.pk for certificate in pending], status=Certificate.Status.PENDING)
            .values_list("pk", "emailed_at")
        )
        issued, to_tell = [], []
        for certificate, data in zip(pending, pdfs, strict=True):
            if certificate.pk not in still_pending:
                continue
            name = f"certificates/{certificate.issued_on.year}/{certificate.code}.pdf"
            if storage.exists(name):
                # Left by a run that died before it committed: that certificate is still pending, so
                # nobody has this file yet. Replace it rather than keep two.
                storage.delete(name)
            certificate.pdf.name = storage.save(name, ContentFile(data))
            certificate.status, certificate.sha256, certificate.issued_at = (
                Certificate.Status.VALID,
                rendering.pdf.sha256(data),
                now,
            )
            # Told once, however many runs reach it: the claim is made under the row lock.
            if still_pending[certificate.pk] is None:
                certificate.emailed_at = now
                to_tell.append(certificate)
            issued.append(certificate)
        Certificate.objects.bulk_update(issued, ["status", "pdf", "sha256", "issued_at", "emailed_at"])
        CertificateEvent.objects.bulk_create(
            [CertificateEvent(certificate=certificate, action=Action.ISSUED, actor=actor) for certificate in issued]
        )
        for certificate in to_tell:
            _tell_holder(certificate)
        students = sorted(
            set(
                Enrollment.objects.filter(pk__in=[c.enrollment_id for c in issued]).values_list("student_id", flat=True)
            )
        )
        transaction.on_commit(lambda: certificates_issued.send(sender=Certificate, student_ids=students))
    return len(issued)


def _tell_holder(certificate: Certificate) -> None:
    notify(
        recipient=certificate.enrollment.student,
        subject=_("Your certificate is ready: %(course)s"),
        body=_("Certificate %(number)s for %(course)s has been issued. Download it from your courses page."),
        link=lambda: reverse("school:my_courses"),
        course=certificate.course_title,
        number=certificate.number,
    )


def _with_relations(queryset):
    return queryset.select_related("student__student_profile", "cohort__course__program")


def _prepare(*, cohort: Cohort, issued_by) -> tuple[int, int, list[int]]:
    """Check every name, then take numbers for the class's completed students who have no certificate.
    Returns (students eligible, already certified, pending certificates' ids in number order)."""
    template = CertificateTemplate.for_course(cohort.course)
    enrollments = list(_with_relations(eligible(cohort)).order_by("pk"))
    already_done = set(certified(eligible(cohort)).values_list("pk", flat=True))
    to_certify = [enrollment for enrollment in enrollments if enrollment.pk not in already_done]
    _check_names(to_certify, template)

    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()  # one allocation per class at a time
        has_pending = set(
            Certificate.objects.filter(enrollment__in=to_certify, status=Certificate.Status.PENDING).values_list(
                "enrollment_id", flat=True
            )
        )
        _allocate([e for e in to_certify if e.pk not in has_pending], template=template, issued_by=issued_by)

    pending = Certificate.objects.filter(enrollment__cohort=cohort, status=Certificate.Status.PENDING)
    return len(enrollments), len(already_done), list(pending.order_by("number").values_list("pk", flat=True))


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def _render_chunk(certificate_ids: list[int], *, actor) -> int:
    """Render and store those of these certificates still pending; how many this call made valid."""
    pending = list(
        Certificate.objects.filter(pk__in=certificate_ids, status=Certificate.Status.PENDING)
        .select_related("template", "enrollment__student")
        .order_by("number")
    )
    return _render_and_store(pending, actor=actor) if pending else 0


def issue_certificates(*, cohort: Cohort, issued_by, progress: Callable[[int, int], None] | None = None) -> IssueResult:
    """Certificates for every completed enrolment of the class that has none, in this process (see the
    module's guarantees; a class's run through Celery spreads its chunks over the workers instead).
    `progress(done, total)` is called as chunks finish."""
    total, already, pending_ids = _prepare(cohort=cohort, issued_by=issued_by)
    done, issued = already, 0
    if progress:
        progress(done, total)
    for chunk in _chunks(pending_ids):
        issued += _render_chunk(chunk, actor=issued_by)
        done += len(chunk)
        if progress:
            progress(done, total)
    return IssueResult(issued=issued, already=already, total=total)


@transaction.atomic
def issue_certificate(*, enrollment: Enrollment, issued_by) -> Certificate:
    """One student's certificate, in one transaction: all of it, or (on any refusal) nothing."""
    enrollment = _with_relations(Enrollment.objects.select_for_update(of=("self",))).get(pk=enrollment.pk)
    if enrollment.status != Enrollment.Status.COMPLETED:
        raise CertificateError(_("Only a student who completed the course can be certified."), code="not_completed")
    if certified(Enrollment.objects.filter(pk=enrollment.pk)).exists():
        raise CertificateError(_("This student already has a certificate for this class."), code="duplicate")
    template = CertificateTemplate.for_course(enrollment.cohort.course)
    _check_names([enrollment], template)
    pending = Certificate.objects.filter(enrollment=enrollment, status=Certificate.Status.PENDING).first()
    if pending is None:
        [pending] = _allocate([enrollment], template=template, issued_by=issued_by)
    _render_and_store([pending], actor=issued_by)
    pending.refresh_from_db()
    return pending


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke with a reason: verification says so at once, with the date and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give the reason for revoking this certificate."), code="reason_required")
    certificate = (
        Certificate.objects.select_for_update(of=("self",)).select_related("enrollment__student").get(pk=certificate.pk)
    )
    if certificate.status != Certificate.Status.VALID:
        raise CertificateError(_("Only a valid certificate can be revoked."), code="not_valid")
    certificate.status, certificate.revoked_at, certificate.revoked_reason = (
        Certificate.Status.REVOKED,
        timezone.now(),
        reason[:300],
    )
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    CertificateEvent.objects.create(certificate=certificate, action=Action.REVOKED, actor=actor, note=reason[:300])
    notify(
        recipient=certificate.enrollment.student,
        subject=_("Certificate revoked: %(course)s"),
        body=_("Certificate %(number)s for %(course)s has been revoked. Reason: %(reason)s"),
        link=lambda: reverse("school:my_courses"),
        course=certificate.course_title,
        number=certificate.number,
        reason=reason,
    )
    transaction.on_commit(lambda: certificate_revoked.send(sender=Certificate, certificate=certificate))
    return certificate


@transaction.atomic
def reissue_certificate(*, certificate: Certificate, actor, holder_name: str = "", reason: str = "") -> Certificate:
    """A corrected certificate (a new number and code) that supersedes the old one; the old one's
    verification page says so and points nowhere else. All in one transaction."""
    old = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrollment__cohort__course__program", "enrollment__student__student_profile")
        .get(pk=certificate.pk)
    )
    if old.status not in (Certificate.Status.VALID, Certificate.Status.REVOKED):
        raise CertificateError(_("This certificate has already been replaced."), code="superseded")
    template = CertificateTemplate.for_course(old.enrollment.cohort.course)
    name = (holder_name or "").strip() or old.holder_name
    missing = fonts.missing_characters(name, fonts.chain(template.typeface))
    if missing:
        raise CertificateError(str(fonts.FontCoverageError(missing, who=name)), code="font_coverage")
    Certificate.objects.filter(pk=old.pk).update(status=Certificate.Status.SUPERSEDED)
    [new] = _allocate([old.enrollment], template=template, issued_by=actor)
    if new.holder_name != name:
        new.holder_name = name
        new.save(update_fields=["holder_name"])
    _render_and_store([new], actor=actor)
    Certificate.objects.filter(pk=old.pk).update(superseded_by=new)
    note = (reason or "").strip() or f"→ {new.number}"
    CertificateEvent.objects.create(certificate=old, action=Action.REISSUED, actor=actor, note=note[:300])
    transaction.on_commit(lambda: certificate_revoked.send(sender=Certificate, certificate=old))
    new.refresh_from_db()
    return new


def record_download(*, certificate: Certificate, actor, credential: bool = False) -> None:
    CertificateEvent.objects.create(
        certificate=certificate, action=Action.CREDENTIAL if credential else Action.DOWNLOADED, actor=actor
    )


# --- Runs for a whole class (Celery) --------------------------------------------------------------------

# A run that has not moved for this long is taken as lost (its worker and its message gone), and a new
# request starts another; a live run reports progress at least every chunk.
STALLED_AFTER = datetime.timedelta(minutes=10)


def start_certificate_batch(*, cohort: Cohort, requested_by) -> CertificateBatch:
    """Queue issuing for the class, or return the run already under way for it."""
    from school.tasks import issue_cohort_certificates

    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        running = (
            CertificateBatch.objects.filter(
                cohort=cohort,
                status__in=[CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING],
                updated_at__gte=timezone.now() - STALLED_AFTER,
            )
            .order_by("-created_at")
            .first()
        )
        if running:
            return running
        batch = CertificateBatch.objects.create(
            cohort=cohort, requested_by=requested_by, total=eligible(cohort).count()
        )
        issue_cohort_certificates.delay_on_commit(batch.pk)
    return batch


def run_certificate_batch(batch_id: int) -> CertificateBatch:
    """The class's task: check the names and take the numbers, then hand the rendering out in chunks,
    one task each, so several workers (on several machines) share a large class. Safe to run again:
    it picks up whatever is still pending."""
    from school.tasks import render_certificate_chunk

    batch = CertificateBatch.objects.select_related("cohort__course", "requested_by").get(pk=batch_id)
    if batch.status == CertificateBatch.Status.DONE:
        return batch
    # `issued` adds up what this batch's runs make valid: a resumed run keeps the count of the one before.
    CertificateBatch.objects.filter(pk=batch.pk).update(status=CertificateBatch.Status.RUNNING, error="")
    # The refusal is stored for the person who asked, in their language.
    language = getattr(batch.requested_by, "language", None) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            total, already, pending_ids = _prepare(cohort=batch.cohort, issued_by=batch.requested_by)
    except CertificateError as error:
        with translation.override(language):
            message = str(error.message)
        CertificateBatch.objects.filter(pk=batch.pk).update(
            status=CertificateBatch.Status.FAILED, error=message, finished_at=timezone.now()
        )
    else:
        CertificateBatch.objects.filter(pk=batch.pk).update(total=total, done=already, updated_at=timezone.now())
        _finish_if_complete(batch.pk)
        for chunk in _chunks(pending_ids):
            render_certificate_chunk.delay_on_commit(batch.pk, chunk)
    batch.refresh_from_db()
    return batch


def run_certificate_chunk(batch_id: int, certificate_ids: list[int]) -> int:
    """One chunk of a class's run: render what is still pending, then report the class's progress
    (counted from the certificates themselves, so chunks finishing in any order, or twice, agree)."""
    batch = CertificateBatch.objects.select_related("cohort", "requested_by").get(pk=batch_id)
    issued = _render_chunk(certificate_ids, actor=batch.requested_by)
    CertificateBatch.objects.filter(pk=batch.pk).update(
        done=certified(eligible(batch.cohort)).count(), issued=F("issued") + issued, updated_at=timezone.now()
    )
    _finish_if_complete(batch.pk)
    return issued


def _finish_if_complete(batch_id: int) -> None:
    CertificateBatch.objects.filter(pk=batch_id, done__gte=F("total")).exclude(
        status__in=[CertificateBatch.Status.DONE, CertificateBatch.Status.FAILED]
    ).update(status=CertificateBatch.Status.DONE, finished_at=timezone.now())


def resume_certificate_batches(*, idle_for: datetime.timedelta) -> list[int]:
    """Queue the class's task again for every unfinished run that has not moved for `idle_for`. A worker
    killed mid-run leaves its message unacknowledged, and Redis hands it out again only after the
    visibility timeout (hours); the run's rows say what is left, and a run is resumable, so one resumed
    while it was in fact still going only repeats a few checks. Returns the batches' ids."""
    from school.tasks import issue_cohort_certificates

    now = timezone.now()
    unfinished = CertificateBatch.objects.filter(
        status__in=[CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING], updated_at__lte=now - idle_for
    )
    ids = list(unfinished.values_list("pk", flat=True))
    for batch_id in ids:
        # Touched, so the next sweep leaves it to this resumed run for another `idle_for`.
        CertificateBatch.objects.filter(pk=batch_id).update(updated_at=now)
        issue_cohort_certificates.delay(batch_id)
    if ids:
        logger.info("Resumed certificate batches %s", ids)
    return ids


DELAYED_NOTICE = _(
    "The task service is not answering right now. Issuing is queued and will start by itself as soon as it is "
    "back: nothing is lost, and you need not ask again."
)


def waiting_for_task_service(batch: CertificateBatch) -> bool:
    """Whether the run cannot move because its task waits for the broker (outbox): the page says so."""
    from outbox.services import is_waiting

    if batch.finished:
        return False
    return is_waiting(("school.tasks.issue_cohort_certificates", "school.tasks.render_certificate_chunk"), batch.pk)
