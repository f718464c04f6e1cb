"""Production settings for the benchmarks that serve the site (catalog, enrolment, load), with static files
collected into their scratch folder (STATIC_ROOT is not read from the environment in production)."""

import os

from baijia.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["BAIJIA_BENCH_STATIC_ROOT"]
# The benchmarks request pages, never static files: hashed names as in production, without WhiteNoise's
# compressed copies of every file (making them took 40 s of a small `bench load`).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}  # noqa: F405
