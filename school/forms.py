"""Back-office forms for the school's records, used by the Wagtail viewsets in school/viewsets.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.forms import BaseChildFormSet
from wagtail.admin.forms import WagtailAdminModelForm

from school.models import Cohort, CourseSkill, Weekday


def constraint_message(model: type[models.Model], name: str) -> str:
    """The message of one of the model's constraints, so the form and the database say the same thing."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return constraint.get_violation_error_message()
    raise LookupError(f"{model.__name__} has no constraint {name!r}")


class UniqueCodeForm(WagtailAdminModelForm):
    """Refuses a code another record uses in any letter case, next to the code field.

    Django validates the Lower("code") unique constraint too, but reports it as an error of the whole
    form; checking here puts the message beside the field it is about."""

    code_constraint = ""

    def clean_code(self):
        code = self.cleaned_data["code"]
        model = self._meta.model
        others = model._default_manager.filter(code__iexact=code)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(constraint_message(model, self.code_constraint), code="unique")
        return code


class CourseForm(UniqueCodeForm):
    code_constraint = "school_course_code_unique"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "prerequisites" in self.fields:
            # A course cannot be its own prerequisite.
            field = self.fields["prerequisites"]
            field.queryset = field.queryset.exclude(pk=self.instance.pk)


class CourseSkillFormSet(BaseChildFormSet):
    """The skills a course teaches; one skill listed twice gets the model's own message."""

    def get_unique_error_message(self, unique_check):
        return constraint_message(CourseSkill, "school_courseskill_once")


class CohortForm(UniqueCodeForm):
    code_constraint = "school_cohort_code_unique"

    # Not required here: the model's clean() says "choose at least one day" in the school's words.
    weekdays = forms.TypedMultipleChoiceField(
        label=_("days of the week"),
        coerce=int,
        choices=Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # (earlier field, later field, check constraint, must differ): the error goes on the later field.
    ordered_pairs = [
        ("start_date", "end_date", "school_cohort_ends_after_start", False),
        ("enrolment_opens", "enrolment_closes", "school_cohort_enrolment_window", False),
        ("class_starts", "class_ends", "school_cohort_class_time", True),
    ]

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("status") == Cohort.Status.CANCELLED
            and self.instance.pk
            and self.instance.status != Cohort.Status.CANCELLED
        ):
            # Cancelling must tell every student: that is the "cancel class" action, not a field edit.
            self.add_error(
                "status", _("To cancel a class, use “Cancel class” in the class list, so every student is told.")
            )
        for earlier, later, constraint, strictly in self.ordered_pairs:
            first, last = cleaned_data.get(earlier), cleaned_data.get(later)
            if first is None or last is None:
                continue
            if last < first or (strictly and last == first):
                # A field with an error is left out of the model's own validation, so the check
                # constraint does not repeat this message at the top of the form.
                self.add_error(later, ValidationError(constraint_message(Cohort, constraint), code="invalid"))
        return cleaned_data
