"""Certificates: the templates staff design, the certificates issued from them, and the record of
everything that happened to each.

A certificate is a snapshot: the holder's name, the course, hours and dates are copied when it is
issued, so a later edit of the course or the profile never changes what was certified. Its PDF is
written once and kept with its SHA-256; a correction is a reissue (a new certificate that supersedes
the old), never an edit."""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.models import PreviewableMixin

from baijia.storage import private_storage

# Every placeholder a template's body may use, and what it is; the renderer fills exactly these.
PLACEHOLDERS = {
    "student_name": _("the holder's name"),
    "course": _("the course title"),
    "hours": _("the course's hours"),
    "start_date": _("the class's first day"),
    "end_date": _("the class's last day"),
    "final_score": _("the final score"),
    "number": _("the certificate number"),
    "issue_date": _("the date of issue"),
    "expiry_date": _("the expiry date (empty when it does not expire)"),
}
PLACEHOLDER_PATTERN = re.compile(r"\{([a-z_]+)\}")

colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hex digits, e.g. #9b1c1c."))


def validate_placeholders(text: str) -> None:
    unknown = sorted({name for name in PLACEHOLDER_PATTERN.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholders: %(unknown)s. Use: %(known)s."),
            params={
                "unknown": "、".join(f"{{{name}}}" for name in unknown),
                "known": " ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
            code="placeholder",
        )


class CertificateTemplate(PreviewableMixin, models.Model):
    """How a course's certificates look. Staff edit it as a snippet, with a live PDF preview."""

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    class Typeface(models.TextChoices):
        SERIF = "serif", _("Serif (Noto Serif CJK, 宋体 style)")
        SANS = "sans", _("Sans-serif (Noto Sans CJK, 黑体 style)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=40, default="结业证书")
    body = models.TextField(
        _("body text"),
        default="{student_name} 同学于 {start_date} 至 {end_date} 参加本校《{course}》课程学习，"
        "共 {hours} 学时，考核合格，准予结业，特发此证。",
        validators=[validate_placeholders],
        help_text=_(
            "Plain text; a blank line starts a new paragraph. Placeholders: {student_name} {course} {hours} "
            "{start_date} {end_date} {final_score} {number} {issue_date} {expiry_date}."
        ),
    )
    signatory = models.CharField(_("signed by"), max_length=60, blank=True, help_text=_("e.g. 校长 王志强"))
    background = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("background image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seal = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("school seal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("signature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    typeface = models.CharField(_("typeface"), max_length=10, choices=Typeface.choices, default=Typeface.SERIF)
    title_font = models.FileField(
        _("title font"),
        upload_to="certificate-fonts/",
        blank=True,
        validators=[FileExtensionValidator(["ttf", "otf"])],
        help_text=_(
            "Optional: a TrueType or OpenType font for the title (a calligraphic face, say). "
            "It must have a glyph for every character of the title."
        ),
    )
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#9b1c1c", validators=[colour])
    text_colour = models.CharField(_("text colour"), max_length=7, default="#1f2328", validators=[colour])
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the certificate does not expire; e.g. 12 for a yearly card."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used for courses that do not name a template.")
    )

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_template")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.title_font:
            from school.certificates.fonts import check_font_file

            check_font_file(self.title_font, self.title)

    @classmethod
    def for_course(cls, course) -> "CertificateTemplate":
        template = course.certificate_template or cls.objects.filter(is_default=True).first()
        if template is None:
            template = cls.objects.order_by("pk").first() or cls.objects.create(name="默认结业证书", is_default=True)
        return template

    # Wagtail's preview panel shows the PDF with sample data (PreviewableMixin).
    def get_preview_template(self, request, mode_name):
        return "school/certificate_preview.html"

    def serve_preview(self, request, mode_name):
        from django.http import HttpResponse

        from school.certificates import render_sample

        response = HttpResponse(render_sample(self), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="preview.pdf"'
        return response


class CertificateSequence(models.Model):
    """The last certificate number used per year and program: numbers are taken under a row lock, so
    they run 1, 2, 3 … with no gaps and no repeats."""

    year = models.PositiveSmallIntegerField()
    program = models.ForeignKey("school.Program", on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "program"], name="one_sequence_per_year_program")]

    def __str__(self):
        return f"{self.year} {self.program_id}: {self.last}"


# Crockford's base32 without I, L, O, U: nothing to misread when a code is typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed or scanned, as stored: upper case, no spaces or dashes, and the letters
    people confuse with digits read as those digits."""
    cleaned = re.sub(r"[\s\-]", "", text or "").upper()
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


class CertificateQuerySet(models.QuerySet):
    def issued(self):
        """Certificates that exist for the world: everything but those still being made."""
        return self.exclude(status=Certificate.Status.PENDING)

    def valid(self):
        today = timezone.localdate()
        return self.filter(status=Certificate.Status.VALID).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )


class Certificate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being issued")
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    enrollment = models.ForeignKey(
        "school.Enrollment", verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True, default=new_verification_code)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    template = models.ForeignKey(CertificateTemplate, verbose_name=_("template"), on_delete=models.PROTECT)
    # The snapshot printed on the certificate and shown on verification.
    holder_name = models.CharField(_("holder"), max_length=50)
    course_title = models.CharField(_("course"), max_length=120)
    course_title_en = models.CharField(max_length=120, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    final_score = models.DecimalField(_("final score"), max_digits=5, decimal_places=2, null=True, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True, storage=private_storage)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=300, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "number"]
        constraints = [
            # One live certificate per enrolment: a second issuing run (or a retried task) cannot make another.
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(status__in=["pending", "valid"]),
                name="one_live_certificate_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(sha256=""), name="issued_certificate_has_pdf_hash"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.holder_name}"

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID and not self.is_expired

    @property
    def public_status(self) -> str:
        """valid, expired, revoked or superseded: what verification shows."""
        if self.status == self.Status.VALID and self.is_expired:
            return "expired"
        return self.status

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    def get_verify_url(self) -> str:
        return reverse("certificates:verify_code", args=[self.code])


class CertificateEvent(models.Model):
    """The audit log staff read: every issue, revocation, reissue and download."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        REISSUED = "reissued", _("Reissued")
        DOWNLOADED = "downloaded", _("Downloaded (PDF)")
        CREDENTIAL = "credential", _("Downloaded (credential)")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate audit log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.certificate.number} {self.get_action_display()}"


class CertificateBatch(models.Model):
    """Issuing for a whole class, run by a Celery task. Progress lives here (not in the result backend),
    so the page can show it and a crashed run can be resumed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Issuing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    cohort = models.ForeignKey("school.Cohort", verbose_name=_("class"), on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0, help_text="certificates this run issued (not those found done)")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.cohort_id} {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
