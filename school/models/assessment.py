from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AssessmentItem(models.Model):
    """Something a course assesses (a practical exam, a project), weighted in the final score."""

    course = models.ForeignKey(
        "school.Course", verbose_name=_("course"), on_delete=models.CASCADE, related_name="assessment_items"
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MinValueValidator(1)])
    max_score = models.DecimalField(
        _("full marks"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["course", "sort_order", "pk"]
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "name"],
                name="school_assessment_item_name",
                violation_error_message=_("This course already has an item with this name."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100),
                name="school_assessment_weight",
                violation_error_message=_("A weight is a percentage from 1 to 100."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.weight}%)"


class Score(models.Model):
    # Many rows, linking nothing an editor needs to find: keep them out of Wagtail's reference index.
    wagtail_reference_index_ignore = True
    enrollment = models.ForeignKey("school.Enrollment", on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(AssessmentItem, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "item"], name="school_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="school_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.enrollment} {self.item.name}: {self.score}"
