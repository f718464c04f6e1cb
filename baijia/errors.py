"""Error pages: under /api/ the answer is JSON in DRF's shape, so a client gets one kind of body even
for an address no route matches (e.g. a code with a "." or "/" in it)."""

from django.http import JsonResponse
from django.views import defaults

from rest_framework.exceptions import NotFound


def page_not_found(request, exception):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
