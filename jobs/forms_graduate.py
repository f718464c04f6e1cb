"""The graduate's job profile form, with the résumé checked by its content: a PDF of at most 5 MB."""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jobs.filters import category_name
from jobs.models import GraduateProfile, JobCategory
from school.models import LUOYANG_DISTRICTS

MAX_RESUME_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# A PDF ends with its trailer: "startxref", the offset, and "%%EOF", give or take trailing whitespace
# or junk some writers leave; look for them in the last kilobytes.
TRAILER_WINDOW = 4096


def validate_resume(upload) -> None:
    """A résumé must be a PDF by its content, whatever its name says: it starts with %PDF- and ends with a
    PDF trailer. A renamed program, image or document is refused, as is anything over 5 MB."""
    if upload.size > MAX_RESUME_BYTES:
        raise ValidationError(
            _("The résumé is %(size)s MB; the limit is 5 MB. Save a smaller PDF and try again."),
            code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(max(0, upload.size - TRAILER_WINDOW))
    tail = upload.read()
    upload.seek(0)
    if head != PDF_MAGIC or b"%%EOF" not in tail or b"startxref" not in tail:
        raise ValidationError(
            _("This file is not a PDF. Save or export your résumé as a PDF and upload that."), code="not_pdf"
        )


class CategoryMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return category_name(obj)


class GraduateProfileForm(forms.ModelForm):
    desired_categories = CategoryMultipleChoiceField(
        label=_("Kinds of work I want"),
        queryset=JobCategory.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    desired_districts = forms.MultipleChoiceField(
        label=_("Where I can work"), choices=LUOYANG_DISTRICTS, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = GraduateProfile
        fields = [
            "desired_categories",
            "desired_districts",
            "expected_pay",
            "expected_pay_period",
            "available_from",
            "introduction",
            "resume",
        ]
        widgets = {
            "expected_pay": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 100}),
            "available_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "introduction": forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
            "resume": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_resume(self):
        resume = self.cleaned_data.get("resume")
        if resume and hasattr(resume, "content_type"):  # a new upload, not the stored file
            validate_resume(resume)
            # Stored under a name of ours: the uploaded name says nothing we keep.
            resume.name = f"resume-{secrets.token_hex(8)}.pdf"
        return resume


class ConsentForm(forms.Form):
    """Granting needs the box ticked beside the wording; withdrawing needs nothing."""

    granted = forms.BooleanField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("I have read this and agree"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("granted") and not data.get("agree"):
            raise ValidationError(_("Tick “I have read this and agree” to share your profile."), code="agree")
        return data
