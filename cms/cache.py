"""The public page cache: whole pages for visitors who are not signed in, shared by every web process
through the cache backend (Redis in production), and dropped at once when an editor publishes or a
class changes, so nobody sees a stale page.

Pages opt in with mark_public(); the middleware stores only marked 200 responses that set no cookie,
and serves them only to requests that carry no session or message cookie."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

VERSION_KEY = "public-pages:version"
TIMEOUT = 60 * 60
_PUBLIC = "_baijia_public"


def mark_public(response):
    setattr(response, _PUBLIC, True)
    return response


def invalidate_public_pages(**kwargs) -> None:
    """Forget every cached public page (a new version makes all old keys unreachable)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def _is_anonymous_read(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_anonymous_read(request):
            return self.get_response(request)
        key = f"public-page:{_version()}:{request.get_host()}:{request.get_full_path()}"
        stored = cache.get(key)
        if stored is not None:
            content, content_type, headers = stored
            response = HttpResponse(content, content_type=content_type)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if getattr(response, _PUBLIC, False) and response.status_code == 200 and not response.cookies:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [
                (name, value) for name, value in response.items() if name.lower() in {"content-language", "vary"}
            ]
            cache.set(key, (response.content, response["Content-Type"], headers), TIMEOUT)
            response["X-Page-Cache"] = "miss"
        return response
