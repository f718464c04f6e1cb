from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = _("School")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from school import personal_data

        personal_data.register()  # the school's records in every personal-data export and erasure
