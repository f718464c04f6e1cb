"""The public page cache: whole pages shared by every visitor through the cache backend (Redis in
production), dropped when what they show changes, so nobody sees a stale page.

Pages opt in with mark_public(). A page's personal parts (the header with the visitor's name, flash
messages, a student's sharing link …) are written with the {% personal %} tag: the stored copy holds them
as an anonymous visitor sees them, between markers, and a signed-in visitor gets the same copy with each
personal part rendered for them. So signed-in people, most of the traffic of a school's own students,
are served from the cache too.

Two middlewares serve it: PublicPageCacheMiddleware, early, for requests without a session or message
cookie (it skips sessions, auth and templates altogether), and MemberPageCacheMiddleware, after
authentication, for the rest. Everything a page shows outside its personal parts must be the same for
every visitor: a copy with a CSRF token is never stored (tests/cms/test_page_cache.py
renders each kind of public page both ways and compares them).

Seats change with every enrolment: a page that shows a course's seats records the course's seat
version when it starts rendering (mark_public(depends_on=…)), and is served only while that version
holds. An enrolment then drops its course's page and the home page, not the catalogue or the job board."""

import functools
import hashlib
import re
import uuid
from copy import copy
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.template import TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe

from baijia.http import DEPENDS_ON, PUBLIC_PAGE, mark_public  # noqa: F401 - mark_public is this module's API too

VERSION_KEY = "public-pages:version"
TIMEOUT = 60 * 60
# Part of every page's key: copies stored by an older release (another shape) are never read.
FORMAT = 2
# The seats of every course: what the home page's "next classes" depend on.
EVERY_COURSE = "all"

# The templates that may be personal parts: only these are rendered where a marker says so.
PERSONAL_TEMPLATES = frozenset(
    {
        "includes/site_user_menu.html",
        "includes/messages.html",
        "cms/includes/hero_sign_up.html",
        "cms/includes/course_personal.html",
        "jobs/includes/board_links.html",
        "jobs/includes/board_recommended.html",
        "jobs/includes/posting_apply.html",
    }
)
_PERSONAL = re.compile(r"<!--personal ([\w/.-]+)\?([^ >]*) -->.*?<!--/personal-->", re.S)
CSRF_FIELD = "csrfmiddlewaretoken"


def invalidate_public_pages(**kwargs) -> None:
    """Forget every cached public page (a new version makes all old keys unreachable)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _seats_key(course) -> str:
    return f"public-pages:seats:{course}"


def invalidate_seats(*, course_id: int, **kwargs) -> None:
    """A class of this course took or freed a seat: its course page and the home page show it."""
    version = uuid.uuid4().hex
    cache.set_many({_seats_key(course_id): version, _seats_key(EVERY_COURSE): version}, None)


def seat_versions(courses) -> dict[str, str | None]:
    """The current seat versions of these courses (ids, or EVERY_COURSE), for mark_public(depends_on=…):
    read before the page reads the database, so a seat taken meanwhile only makes the copy miss once."""
    keys = [_seats_key(course) for course in courses]
    found = cache.get_many(keys) if keys else {}
    return {key: found.get(key) for key in keys}


def current_version() -> str:
    """The version of the public pages: it changes whenever what they show changes (not seats)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


# --- Personal parts ----------------------------------------------------------------------------------


def personal_part(name: str, request, arguments: dict) -> SafeString:
    """The template `name` rendered for this request, between the markers that let a cached copy render
    it again for another visitor. It sees the request's context (user, messages, CSRF token, settings)
    and `arguments` (strings) only, never the page's context, so it renders the same from the cache."""
    if name not in PERSONAL_TEMPLATES:
        raise TemplateSyntaxError(f"{name} is not one of cms.cache.PERSONAL_TEMPLATES")
    arguments = {key: str(value) for key, value in arguments.items()}
    content = render_to_string(name, arguments, request=request)
    return mark_safe(f"<!--personal {name}?{urlencode(arguments)} -->{content}<!--/personal-->")  # noqa: S308


def _render_personal_parts(content: str, request) -> str:
    def render(match) -> str:
        name = match.group(1)
        if name not in PERSONAL_TEMPLATES:
            return match.group(0)
        return personal_part(name, request, dict(parse_qsl(match.group(2))))

    return _PERSONAL.sub(render, content)


def _as_anonymous(request):
    """The request as a visitor who is not signed in and has no messages would make it."""
    anonymous = copy(request)
    anonymous.user = AnonymousUser()
    anonymous._messages = []
    anonymous.META = {key: value for key, value in request.META.items() if not key.startswith("CSRF_COOKIE")}
    return anonymous


# --- Storing and serving -------------------------------------------------------------------------------
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


def _cache_key(request, *, with_cookies: bool = False) -> str | None:
    """The key of the shared copy of this page, or None when it has none. A request with a session or
    message cookie has none for the early middleware (`with_cookies` False), which cannot see who it is."""
    if request.method not in ("GET", "HEAD"):
        return None
    if not with_cookies and (settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES):
        return None
    path = request.path
    if path in NEVER_CACHED_PATHS or path.startswith(NEVER_CACHED_PREFIXES):
        return None
    query = _cacheable_query(request)
    if query is None:
        return None
    # Hashed: a typed search (spaces, Chinese) is not a valid key for every cache backend.
    address = hashlib.sha256(f"{request.get_host()}:{path}?{query}".encode()).hexdigest()
    return f"public-page:{FORMAT}:{current_version()}:{address}"


def _fresh(key: str):
    """The stored copy under `key` while every seat version it was rendered at still holds, else None."""
    stored = cache.get(key)
    if stored is None:
        return None
    content, content_type, headers, depends_on = stored
    if depends_on and cache.get_many(list(depends_on)) != {k: v for k, v in depends_on.items() if v is not None}:
        return None
    return content, content_type, headers


def _serve(stored, content: str | bytes) -> HttpResponse:
    _stored_content, content_type, headers = stored
    response = HttpResponse(content, content_type=content_type)
    for name, value in headers:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


def _store(key: str, response, *, parts_as=None) -> bool:
    """Keep the shared copy of a public page, its personal parts rendered as for `parts_as` (a request
    of an anonymous visitor; None: as the response has them). Never one that holds a CSRF token
    anywhere, a form tied to one visitor's session, nor one no page marked public."""
    if not (getattr(response, PUBLIC_PAGE, False) and response.status_code == 200):
        return False
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    content = response.content.decode(response.charset)
    if parts_as is not None:
        content = _render_personal_parts(content, parts_as)
    if CSRF_FIELD in content:
        return False
    headers = [(name, value) for name, value in response.items() if name.lower() in {"content-language", "vary"}]
    depends_on = getattr(response, DEPENDS_ON, None) or {}
    cache.set(key, (content, response["Content-Type"], headers, depends_on), TIMEOUT)
    response["X-Page-Cache"] = "miss"
    return True


class PublicPageCacheMiddleware:
    """For visitors with no session or message cookie: the stored copy as it is (its personal parts are
    what an anonymous visitor sees), before sessions, auth and templates are even looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _cache_key(request)
        if key is None:
            return self.get_response(request)
        stored = _fresh(key)
        if stored is not None:
            return _serve(stored, stored[0])
        response = self.get_response(request)
        # Stored only when the page set no cookie: a page that set one (a CSRF token for a form) is not
        # the same for everyone.
        if not response.cookies:
            _store(key, response)
        return response


class MemberPageCacheMiddleware:
    """For visitors with a session (signed in, mostly) or messages: the stored copy with its personal parts
    rendered for them; on a miss, their page, and a shared copy of it with the personal parts rendered as
    for an anonymous visitor. After the session, auth and message middlewares, so those see the response.
    People who may edit pages are left out: the page's Wagtail user bar is theirs alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
            key = _cache_key(request, with_cookies=True)
        if key is None or _may_edit_pages(request.user):
            return self.get_response(request)
        stored = _fresh(key)
        if stored is not None:
            response = _serve(stored, _render_personal_parts(stored[0], request))
        else:
            response = self.get_response(request)
            _store(key, response, parts_as=_as_anonymous(request))
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)  # their name is on it
        return response


def _may_edit_pages(user) -> bool:
    # Editors get the Wagtail user bar (includes/userbar.html is a personal part, but checking the
    # permission on every page costs two queries): staff, superusers, and anyone in a group that is not
    # one of the school's four roles (Wagtail's editors and moderators).
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    from accounts.roles import Role

    return bool(user.group_names - set(Role.values))
