from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ClassSession(models.Model):
    """One meeting of a class. Generated from the class's weekly schedule; staff and instructors
    cancel it for a holiday or add an extra one."""

    # Many rows, linking nothing an editor needs to find: keep them out of Wagtail's reference index.
    wagtail_reference_index_ignore = True

    cohort = models.ForeignKey(
        "school.Cohort", verbose_name=_("class"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    cancelled = models.BooleanField(_("cancelled"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("E.g. public holiday, extra session."))

    class Meta:
        ordering = ["date", "starts"]
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "date", "starts"],
                name="school_session_once",
                violation_error_message=_("This class already meets at that time."),
            ),
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="school_session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.cohort} {self.date:%Y-%m-%d} {self.starts:%H:%M}"


class Attendance(models.Model):
    # Many rows, linking nothing an editor needs to find: keep them out of Wagtail's reference index.
    wagtail_reference_index_ignore = True

    class Mark(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    # Marks that count as having come to the session.
    ATTENDED = (Mark.PRESENT, Mark.LATE)

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="attendance")
    enrollment = models.ForeignKey("school.Enrollment", on_delete=models.CASCADE, related_name="attendance")
    mark = models.CharField(_("attendance"), max_length=10, choices=Mark.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="school_attendance_once"),
        ]

    def __str__(self):
        return f"{self.enrollment} {self.session}: {self.mark}"
