import gc

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from baijia import use_default_settings

use_default_settings()
application = get_wsgi_application()
# Import every URLconf, and with them the views, serializers and forms, before the first request.
get_resolver().url_patterns  # noqa: B018 - the property imports them
# Django, Wagtail and DRF leave some 470,000 objects that live as long as the process, and every full
# garbage collection walked them all (~150 ms, a pause every request queued behind it waited out; bench
# enrolment's p99). Frozen, the collector skips them.
gc.freeze()
