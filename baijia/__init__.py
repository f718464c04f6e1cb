import os


def use_default_settings() -> None:
    """Point Django at the settings module that DJANGO_ENV names (development unless told)."""
    environment = os.environ.get("DJANGO_ENV", "development")
    module = "production" if environment == "production" else "dev"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"baijia.settings.{module}")


# Loaded with Django so that @shared_task binds to this app.
from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app", "use_default_settings"]
