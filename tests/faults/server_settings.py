"""Production settings for the gunicorn that fault tests start, with static files found where they are
(no collectstatic: the test is about the database, not the manifest)."""

from baijia.settings.production import *  # noqa: F403
from baijia.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
