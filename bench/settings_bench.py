"""Production settings for `python -m bench catalog`, with static files collected into its scratch folder
(STATIC_ROOT is not read from the environment in production)."""

import os

from baijia.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["BAIJIA_BENCH_STATIC_ROOT"]
