from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config


class ApiLanguageMiddleware:
    """The API answers in the caller's language (Accept-Language). Pages take their language from the
    address (/en/…); LocaleMiddleware would give every unprefixed path, /api/ too, the default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ["Accept-Language"])
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with two policies: CONTENT_SECURITY_POLICY (strict) everywhere, and
    CONTENT_SECURITY_POLICY_ADMIN under ADMIN_URL_PREFIX, where Wagtail's admin needs inline code.
    A view's own @csp_replace/@csp_update still applies on top of either. PDFs get no policy: Chrome's
    PDF viewer does not open under object-src 'none' (certificates, the admin's live preview), and a
    PDF runs none of our scripts anyway."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            response._csp_exempt = True
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path_info.startswith(settings.ADMIN_URL_PREFIX):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts
