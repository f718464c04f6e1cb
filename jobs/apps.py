from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from jobs.matching import freshness  # noqa: F401  (connects the receivers)
        from jobs.outcomes import freshness as outcome_freshness  # noqa: F401  (connects the receivers)
        from jobs.outcomes import sqlite  # noqa: F401  (the median outcome reports use, on SQLite)
        from jobs.views.recommended import dashboard_panel
        from school.dashboard import register_panel

        # The school shows "Jobs for you" on the student's dashboard without importing the job board.
        register_panel("jobs", dashboard_panel, order=10)

        from jobs import personal_data

        personal_data.register()  # the job board's records in every personal-data export and erasure
