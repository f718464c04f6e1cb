"""What a request gets when a service behind the site fails (urls.handler500), and what an /api/
address that no route matches answers."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, requires_csrf_token
from django.views.defaults import server_error as django_server_error

from rest_framework.exceptions import NotFound

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


# Under /api/ every answer is JSON in DRF's shape, even for an address no API route matches (e.g. a code
# with a "." in it, which the router refuses): it would otherwise reach Wagtail's catch-all page route,
# which answers an HTML 404, or for a POST without a CSRF token Django's HTML 403.
@csrf_exempt  # nothing is done here; a token-authenticated client sends no CSRF token
def api_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
