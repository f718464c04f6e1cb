"""Sign-in lockouts in the Wagtail admin (Settings → Sign-in lockouts): staff see who is waiting after
too many failed sign-ins, and lift a lockout by deleting its row. Nothing here is added or edited."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from axes.models import AccessAttempt


class LockoutViewSet(ModelViewSet):
    model = AccessAttempt
    name = "sign_in_lockouts"
    url_prefix = "accounts/lockouts"
    icon = "lock"
    menu_label = _("Sign-in lockouts")
    add_to_settings_menu = True
    search_backend_name = None
    search_fields = ["username", "ip_address"]
    form_fields = ["username"]  # never shown: staff may view and delete only (accounts migration 0004)
    ordering = ["-attempt_time"]
    list_display = [
        Column("username", label=_("Account"), accessor="username"),
        Column("ip_address", label=_("Address"), accessor="ip_address"),
        Column("failures_since_start", label=_("Failed sign-ins"), accessor="failures_since_start"),
        Column("attempt_time", label=_("Last attempt"), accessor="attempt_time"),
    ]
