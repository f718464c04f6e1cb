"""What merchants type: the application to join (with the business licence, checked by its content),
the business's profile, postings with their required skills, and invitations to colleagues."""

import html
import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from accounts.phone import normalize_mobile, validate_mobile
from jobs.models import JobCategory, JobPosting, Merchant, MerchantMember
from jobs.validators import normalise_credit_code
from school.models import Course, Skill, SkillLevel

LICENCE_MAX_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Pillow's name for each image format we accept, and the extension the stored file gets.
LICENCE_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png"}


# --- The business licence ---------------------------------------------------------------------------


def licence_kind(upload: UploadedFile) -> str:
    """The licence's real type from its content, never its name: "pdf", "jpg" or "png". A renamed
    program or text file is refused, as is anything over 5 MB."""
    if upload.size > LICENCE_MAX_BYTES:
        raise ValidationError(
            _("The licence file is %(size)s MB; at most 5 MB is accepted. Take a smaller photo or scan."),
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            kind = LICENCE_IMAGE_FORMATS.get(image.format)
            image.verify()  # a truncated or corrupt image fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        upload.seek(0)
    if kind is None:
        raise ValidationError(
            _("The licence must be a JPEG or PNG photo or a PDF scan; this file is none of those."),
            code="licence_type",
        )
    return kind


class LicenceField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            kind = licence_kind(upload)
            # Named by what it is, with a name that says nothing about the business.
            upload.name = f"{secrets.token_hex(8)}.{kind}"
        return upload


# --- Joining and the profile ------------------------------------------------------------------------


class MerchantApplicationForm(forms.ModelForm):
    # Longer than a code: people type it with spaces; the model checks the normalised 18 characters.
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=40,
        help_text=_("The 18 characters on the business licence, e.g. 91410305MA00000187."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
    )
    licence = LicenceField(
        label=_("business licence"),
        help_text=_("A photo or scan of the business licence (JPEG, PNG or PDF, at most 5 MB)."),
    )

    class Meta:
        model = Merchant
        fields = [
            "name",
            "credit_code",
            "industry",
            "district",
            "address",
            "contact_name",
            "contact_phone",
            "description",
            "licence",
        ]
        widgets = {
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "description": _("What the business does; shown to students with your postings."),
        }

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        if Merchant.objects.filter(credit_code=code).exists():
            raise ValidationError(
                _(
                    "A business with this credit code has already applied. If it is yours, ask its owner "
                    "to invite you as a colleague."
                ),
                code="duplicate",
            )
        return code

    def clean_contact_phone(self):
        return " ".join(self.cleaned_data["contact_phone"].split())

    def validate_unique(self):
        # clean_credit_code says it in the merchant's words.
        pass


class MerchantProfileForm(forms.ModelForm):
    class Meta:
        model = Merchant
        fields = ["description", "address", "contact_name", "contact_phone"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }


# --- Postings ---------------------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^\s*[-*•·]\s+")


def description_to_html(text: str) -> str:
    """Plain text as typed → the rich text a posting stores: blank lines separate paragraphs, lines
    starting with "-" or "•" make a bulleted list. Everything typed is escaped, so no markup survives."""
    blocks = [block for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()) if block.strip()]
    parts = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if all(_LIST_ITEM.match(line) for line in lines):
            items = "".join(f"<li>{html.escape(_LIST_ITEM.sub('', line), quote=False)}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + "<br/>".join(html.escape(line, quote=False) for line in lines) + "</p>")
    return "".join(parts)


def description_to_text(stored: str) -> str:
    """The stored rich text back as the plain text description_to_html makes it from."""
    stored = re.sub(r"<br\s*/?>", "\n", stored or "")
    stored = re.sub(r"<li[^>]*>", "\n- ", stored)
    stored = re.sub(r"</(p|ul|ol|h\d)>", "\n\n", stored)
    text = html.unescape(strip_tags(stored))
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class PostingForm(forms.ModelForm):
    description = forms.CharField(
        label=_("description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The work, hours and what you offer. Leave a blank line between paragraphs; start lines "
            "with “-” for a list."
        ),
    )

    class Meta:
        model = JobPosting
        fields = [
            "title",
            "category",
            "description",
            "employment_type",
            "district",
            "address",
            "pay_min",
            "pay_max",
            "pay_period",
            "openings",
            "closing_date",
            "preferred_courses",
        ]
        widgets = {
            "closing_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "preferred_courses": forms.CheckboxSelectMultiple,
            "pay_min": forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "1"}),
            "pay_max": forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "1"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = JobCategory.objects.all()
        self.fields["preferred_courses"].queryset = Course.objects.select_related("program").order_by("code")
        self.fields["preferred_courses"].help_text = _("Graduates of these courses are shown first.")
        if self.instance.pk:
            self.initial["description"] = description_to_text(self.instance.description)

    def clean_description(self):
        text = self.cleaned_data["description"]
        # Unchanged text keeps the stored rich text as it is (bold, links), so it is not an "edit".
        if self.instance.pk and text.strip() == description_to_text(self.instance.description):
            return self.instance.description
        return description_to_html(text)

    def clean_closing_date(self):
        closing_date = self.cleaned_data["closing_date"]
        if closing_date < timezone.localdate():
            raise ValidationError(_("The closing date has passed; choose a later date."), code="closing_date")
        return closing_date

    def clean(self):
        cleaned_data = super().clean()
        pay_min, pay_max = cleaned_data.get("pay_min"), cleaned_data.get("pay_max")
        if pay_min is not None and pay_max is not None and pay_max < pay_min:
            self.add_error("pay_max", _("The top of the pay range cannot be below its bottom."))
        return cleaned_data


class PostingSkillForm(forms.Form):
    skill = forms.ModelChoiceField(label=_("skill"), queryset=Skill.objects.all(), required=False)
    min_level = forms.TypedChoiceField(
        label=_("minimum level"), choices=SkillLevel.choices, coerce=int, initial=SkillLevel.WORKING
    )


class BasePostingSkillFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            skill = form.cleaned_data.get("skill") if hasattr(form, "cleaned_data") else None
            if skill is None:
                continue
            if skill.pk in seen:
                form.add_error("skill", _("This skill is listed twice."))
            seen.add(skill.pk)

    def requirements(self) -> list[tuple[Skill, int]]:
        return [
            (form.cleaned_data["skill"], form.cleaned_data["min_level"])
            for form in self.forms
            if form.cleaned_data.get("skill") is not None
        ]


PostingSkillFormSet = forms.formset_factory(
    PostingSkillForm, formset=BasePostingSkillFormSet, extra=2, max_num=20, validate_max=True
)


def skill_formset(posting: JobPosting | None, data=None) -> BasePostingSkillFormSet:
    """The posting's required skills, with two empty rows to add more."""
    initial = []
    if posting is not None and posting.pk:
        initial = [
            {"skill": requirement.skill, "min_level": requirement.min_level}
            for requirement in posting.required_skills.select_related("skill")
        ]
    return PostingSkillFormSet(data, initial=initial, prefix="skills")


# --- Colleagues -------------------------------------------------------------------------------------


class InvitationForm(forms.Form):
    contact = forms.CharField(
        label=_("Mobile or e-mail"),
        max_length=254,
        help_text=_("Your colleague signs in (or signs up) with this mobile number or e-mail address."),
    )
    role = forms.ChoiceField(
        label=_("role"), choices=MerchantMember.Role.choices, initial=MerchantMember.Role.RECRUITER
    )

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if "@" in contact:
            try:
                validate_email(contact)
            except ValidationError:
                raise ValidationError(_("Enter a valid e-mail address or mobile number."), code="contact") from None
            return contact.lower()
        mobile = normalize_mobile(contact)
        validate_mobile(mobile)
        return mobile
