"""Settings of the Celery worker processes that fault tests start: the test settings, on the broker and
the test database the test names (its pytest-django test database, which this process did not create)."""

import os

from baijia.settings.test import *  # noqa: F403
from baijia.settings.test import DATABASES

CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_TASK_ALWAYS_EAGER = False
DATABASES["default"]["NAME"] = os.environ["BAIJIA_FAULTS_DATABASE_NAME"]
