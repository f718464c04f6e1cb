from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
# Serve static files from the app folders as they change, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
