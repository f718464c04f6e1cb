from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True  # this module also defines BaijiaUsersAppConfig
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Wagtail's account page edits first and last names, which this user model replaces with
        # one display name; point its "name and e-mail" panel at our form instead.
        from wagtail.admin.views import account

        from accounts.forms import AdminAccountNameForm

        account.NameEmailSettingsPanel.form_class = AdminAccountNameForm

        from accounts.personal_data import ACCOUNT_SECTION, register_section

        register_section(ACCOUNT_SECTION)


class BaijiaUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user management, with forms for our user model (phone, display name)."""

    default = False
    user_viewset = "accounts.viewsets.UserViewSet"
