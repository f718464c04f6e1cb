import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
# Fast, not secure: only ever used by the test suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run in-process unless a test starts a real worker (tests/conftest.py).
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
# Some tests wait for a task's result on a real worker (and start_worker's ping check does).
CELERY_TASK_IGNORE_RESULT = False
# Wagtail's own background work (search index, references) runs at once.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Close connections after each request or task so the test database can be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: threads (live server, Celery worker, race tests) then wait for
    # each other's locks instead of failing with "database table is locked".
    # One file per test run, so two runs at once (or a run beside a benchmark) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"baijia-test-{os.getpid()}.sqlite3")}
# A signing key for this run only, in memory: the tests never read or write the repository's key file.
CREDENTIAL_SIGNING_KEY = (
    Ed25519PrivateKey.generate()
    .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    .decode()
)
