import functools
import secrets

from django.conf import settings
from django.db import connection, models
from django.db.models import Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from accounts.phone import validate_mobile
from baijia.rows import column, table
from school.identity import mask_id_card


class EducationLevel(models.TextChoices):
    JUNIOR_HIGH = "junior_high", _("Junior high school")
    SENIOR_HIGH = "senior_high", _("Senior high school")
    VOCATIONAL = "vocational", _("Vocational school")
    COLLEGE = "college", _("College")
    BACHELOR = "bachelor", _("Bachelor's degree or above")


LUOYANG_DISTRICTS = [
    ("laocheng", "老城区"),
    ("xigong", "西工区"),
    ("chanhe", "瀍河回族区"),
    ("jianxi", "涧西区"),
    ("luolong", "洛龙区"),
    ("yanshi", "偃师区"),
    ("mengjin", "孟津区"),
    ("xin_an", "新安县"),
    ("yiyang", "宜阳县"),
    ("yichuan", "伊川县"),
    ("ruyang", "汝阳县"),
    ("songxian", "嵩县"),
    ("luanchuan", "栾川县"),
    ("luoning", "洛宁县"),
    ("other", "洛阳市外"),
]


def new_referral_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


class StudentProfile(models.Model):
    """What the school needs to know about a student. The ID-card number is sensitive personal
    information: stored encrypted, shown masked, asked for only when staff turn it on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_profile", verbose_name=_("user")
    )
    real_name = models.CharField(_("real name"), max_length=50)
    education = models.CharField(_("education"), max_length=20, choices=EducationLevel.choices, blank=True)
    district = models.CharField(_("district"), max_length=20, choices=LUOYANG_DISTRICTS, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact's mobile"), max_length=11, blank=True, validators=[validate_mobile]
    )
    id_card_encrypted = models.TextField(editable=False, blank=True, default="")
    id_card_masked = models.CharField(_("ID card number"), max_length=18, blank=True, editable=False)
    referral_code = models.CharField(max_length=16, unique=True, default=new_referral_code, editable=False)
    calendar_token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe, editable=False)

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")

    def __str__(self):
        return self.real_name

    def set_id_card(self, number: str) -> None:
        from school.identity import encrypt

        self.id_card_encrypted = encrypt(number) if number else ""
        self.id_card_masked = mask_id_card(number) if number else ""


class EnrollmentQuerySet(models.QuerySet):
    def holding_seats(self):
        return self.filter(status__in=Enrollment.SEAT_HOLDING)

    def active(self):
        return self.filter(status__in=Enrollment.ACTIVE)

    def waitlist(self):
        """The waiting list in order, each with its `position` (1, 2, 3 … with no gaps)."""
        return (
            self.filter(status=Enrollment.Status.WAITLISTED)
            .annotate(position=Window(RowNumber(), partition_by=["cohort_id"], order_by=["waitlisted_at", "pk"]))
            .order_by("cohort_id", "waitlisted_at", "pk")
        )


@functools.cache
def _waitlist_position_sql() -> str:
    """COUNT of the class's waiting list up to and including one enrolment, in EnrollmentQuerySet.waitlist()'s
    order (waitlisted_at, then id)."""
    waitlisted_at, pk = column(Enrollment, "waitlisted_at"), column(Enrollment, "id")
    return (
        f"SELECT COUNT(*) FROM {table(Enrollment)} WHERE {column(Enrollment, 'cohort')} = %s "  # noqa: S608
        f"AND {column(Enrollment, 'status')} = %s AND ({waitlisted_at} < %s OR ({waitlisted_at} = %s AND {pk} <= %s))"
    )


class Enrollment(models.Model):
    """A student's place in a class, from enrolment to result."""

    # Many rows, linking nothing an editor needs to find: keep them out of Wagtail's reference index.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REJECTED = "rejected", _("Not approved")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Not completed")
        CANCELLED = "cancelled", _("Class cancelled")

    # Statuses that take one of the cohort's seats (Cohort.seats_taken counts exactly these).
    SEAT_HOLDING = (Status.PENDING, Status.ENROLLED)
    ACTIVE = (Status.PENDING, Status.ENROLLED, Status.WAITLISTED)

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="enrollments"
    )
    cohort = models.ForeignKey(
        "school.Cohort", verbose_name=_("class"), on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    waitlisted_at = models.DateTimeField(_("joined the waiting list"), null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    final_score = models.DecimalField(_("final score"), max_digits=5, decimal_places=2, null=True, blank=True)
    attendance_rate = models.DecimalField(_("attendance (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    result_reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "student"],
                name="school_enrollment_once_per_class",
                violation_error_message=_("You are already enrolled in this class."),
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="school_enrollment_waitlist_has_time",
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"]), models.Index(fields=["student", "status"])]

    def __str__(self):
        return f"{self.student} · {self.cohort}"

    def waitlist_position(self) -> int | None:
        """Its place on the waiting list (1 is next in line), with one COUNT; None when not waiting.
        The same order as EnrollmentQuerySet.waitlist()."""
        if self.status != self.Status.WAITLISTED:
            return None
        # Written once (baijia.rows): every enrolment onto a waiting list counts it, inside its transaction.
        at = self._meta.get_field("waitlisted_at").get_db_prep_value(self.waitlisted_at, connection)
        with connection.cursor() as cursor:
            cursor.execute(_waitlist_position_sql(), [self.cohort_id, self.Status.WAITLISTED, at, at, self.pk])
            return cursor.fetchone()[0]

    @property
    def referrer_name(self) -> str:
        return self.referred_by.display_name if self.referred_by_id else ""

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_HOLDING

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class EnrollmentEvent(models.Model):
    """Every change of an enrolment: what, who and when."""

    # Many rows, linking nothing an editor needs to find: keep them out of Wagtail's reference index.
    wagtail_reference_index_ignore = True

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, choices=Enrollment.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Enrollment.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enrolment change")
        verbose_name_plural = _("enrolment changes")

    def __str__(self):
        return f"{self.enrollment}: {self.from_status} → {self.to_status}"


@register_setting(icon="group")
class EnrolmentSettings(BaseSiteSetting):
    ask_id_card = models.BooleanField(
        _("ask students for their ID card number"),
        default=False,
        help_text=_("Turn on where the government subsidy or certificates need it. It is stored encrypted."),
    )

    class Meta:
        verbose_name = _("enrolment settings")
