from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from accounts.phone import normalize_mobile

User = get_user_model()


class MobileNumberField(forms.CharField):
    """Accepts '+86 138-0013-8000' and the like; cleans to 11 digits. Shows the phone keypad."""

    widget = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": 20})
    TYPED_LENGTH = 20

    def __init__(self, *, max_length=None, **kwargs):
        # A model form passes the stored length (11 digits), which would become the input's maxlength
        # and cut "139 0379 8866" short as it is typed: allow what people type, check it normalised.
        super().__init__(max_length=self.TYPED_LENGTH, **kwargs)

    def to_python(self, value):
        return normalize_mobile(super().to_python(value))


class EmailUniqueMixin:
    """One e-mail, one account: checked in any letter case, with a message people understand."""

    def clean_email(self):
        email = self.cleaned_data.get("email", "").strip().lower()
        if email and User._default_manager.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."), code="unique")
        return email


class SignUpForm(EmailUniqueMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("display_name", "phone", "email")
        field_classes = {"phone": MobileNumberField}
        labels = {"display_name": _("Your name")}
        help_texts = {
            "email": _("Optional. Lets you reset your password by e-mail."),
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The mobile number or e-mail and the password do not match. Please try again."),
        "inactive": _("This account has been disabled."),
    }


class AdminAccountNameForm(EmailUniqueMixin, forms.ModelForm):
    """Wagtail's "name and e-mail" account panel, for a user model with one display name."""

    class Meta:
        model = User
        fields = ["display_name", "email"]


ADMIN_USER_FIELDS = ["phone", "display_name", "email", "is_superuser", "groups"]


class AdminUserCreationForm(EmailUniqueMixin, WagtailUserCreationForm):
    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("E-mail"))

    class Meta(WagtailUserCreationForm.Meta):
        fields = ADMIN_USER_FIELDS
        field_classes = {"phone": MobileNumberField}


class AdminUserEditForm(EmailUniqueMixin, WagtailUserEditForm):
    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("E-mail"))

    class Meta(WagtailUserEditForm.Meta):
        fields = [*ADMIN_USER_FIELDS, "is_active"]
        field_classes = {"phone": MobileNumberField}


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("I understand that my account will be closed and cannot be restored."))
