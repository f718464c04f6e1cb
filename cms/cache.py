"""The public page cache: whole pages for visitors who are not signed in, shared by every web process
through the cache backend (Redis in production), and dropped at once when an editor publishes or a
class changes, so nobody sees a stale page.

Pages opt in with mark_public(); the middleware stores only marked 200 responses that set no cookie,
and serves them only to requests that carry no session or message cookie."""

import functools
import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from baijia.http import PUBLIC_PAGE, mark_public  # noqa: F401 - mark_public is this module's API too

VERSION_KEY = "public-pages:version"
TIMEOUT = 60 * 60
_PUBLIC = PUBLIC_PAGE


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


# Paths that are never public pages: skip the cache lookups for them altogether.
NEVER_CACHED_PREFIXES = ("/admin/", "/api/", "/accounts/", "/en/accounts/", "/documents/", "/static/", "/media/")
NEVER_CACHED_PATHS = {"/healthz", "/ping"}
MAX_QUERY_LENGTH = 300


@functools.cache
def _public_query_keys() -> frozenset[str]:
    """The parameters public pages read: the catalogue's and the job board's filters, and the page."""
    from jobs.filters import PostingFilter
    from school.filters import CourseFilter

    return frozenset({*CourseFilter.base_filters, *PostingFilter.base_filters, "page"})


def _cacheable_query(request) -> str | None:
    """The query string in a canonical order, or None when it has a parameter no public page reads
    (so made-up query strings cannot fill the cache)."""
    if not set(request.GET) <= _public_query_keys() or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return None
    return "&".join(f"{key}={value}" for key, value in sorted(request.GET.items()) if value)


def _cache_key(request) -> str | None:
    if request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    path = request.path
    if path in NEVER_CACHED_PATHS or path.startswith(NEVER_CACHED_PREFIXES):
        return None
    query = _cacheable_query(request)
    if query is None:
        return None
    # Hashed: a typed search (spaces, Chinese) is not a valid key for every cache backend.
    address = hashlib.sha256(f"{request.get_host()}:{path}?{query}".encode()).hexdigest()
    return f"public-page:{_version()}:{address}"


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _cache_key(request)
        if key is None:
            return self.get_response(request)
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
