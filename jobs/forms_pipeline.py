"""Forms of the merchant's pipeline: move an application, hire, invite a candidate, answer a follow-up.
They only check input; the services in jobs.services apply the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models import Application, PayPeriod

Stage = Application.Status
# What a merchant's member can do from each stage (withdrawing belongs to the graduate; hiring has its own form).
MERCHANT_MOVES = [Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.REJECTED]


def merchant_moves(status: str) -> list[tuple[str, str]]:
    return [(stage.value, stage.label) for stage in MERCHANT_MOVES if stage in Application.NEXT[status]]


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Move to"), choices=[(stage.value, stage.label) for stage in MERCHANT_MOVES])
    interview_date = forms.DateField(
        label=_("Interview date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    interview_time = forms.TimeField(
        label=_("Interview time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    interview_place = forms.CharField(
        label=_("Place or video link"),
        max_length=200,
        required=False,
        help_text=_("E.g. 涧西区南昌路 88 号 2 楼, or a Tencent Meeting link."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def interview_at(self) -> datetime.datetime | None:
        """The interview's date and time, in the school's time zone; None unless both are given."""
        day, time = self.cleaned_data.get("interview_date"), self.cleaned_data.get("interview_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, time))


class HireForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    pay = forms.DecimalField(
        label=_("Starting pay (CNY)"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": 100}),
    )
    pay_period = forms.ChoiceField(label=_("Pay period"), choices=PayPeriod.choices, initial=PayPeriod.MONTH)
    position = forms.CharField(
        label=_("Position"), max_length=100, required=False, help_text=_("Leave empty to use the posting's title.")
    )
    social_insurance = forms.BooleanField(label=_("Social insurance paid"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class InviteForm(forms.Form):
    posting = forms.ModelChoiceField(label=_("Posting"), queryset=None, empty_label=None)

    def __init__(self, *args, postings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posting"].queryset = postings


class FollowUpAnswerForm(forms.Form):
    still_employed = forms.TypedChoiceField(
        label=_("Does the job continue?"),
        choices=[("yes", _("Yes, still working")), ("no", _("No, the job has ended"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)
