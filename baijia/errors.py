"""Under /api/ every answer is JSON in DRF's shape, even for an address no API route matches (e.g. a
code with a "." in it, which the router refuses): it would otherwise reach Wagtail's catch-all page
route, which answers an HTML 404, or for a POST without a CSRF token Django's HTML 403."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from rest_framework.exceptions import NotFound


@csrf_exempt  # nothing is done here; a token-authenticated client sends no CSRF token
def api_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
