"""What a request gets when a service behind the site fails (urls.handler500)."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    """A connection to the database that failed or broke (it is down or restarting), not a bug."""
    return isinstance(error, OperationalError | InterfaceError)


@requires_csrf_token
def server_error(request):
    """A 503 with Retry-After, in the visitor's language, while the database does not answer (JSON under
    /api/), instead of a 500. It reads nothing from the database. The connection that failed is closed
    at the end of the request, so the next request after the database is back is served as usual, by
    the same running processes. Any other error is Django's plain 500."""
    if not database_unavailable(sys.exc_info()[1]):
        return django_server_error(request)
    message = _("The site is briefly unavailable while its database restarts. Please try again in a moment.")
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
