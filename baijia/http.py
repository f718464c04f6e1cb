"""Request and response helpers every app may use: the client's address, and response markers (the
middleware that reads those lives in cms.cache)."""

from django.conf import settings

PUBLIC_PAGE = "_baijia_public"
DEPENDS_ON = "_baijia_depends_on"


def mark_public(response, *, depends_on: dict | None = None):
    """The same page for every visitor but for its personal parts ({% personal %}): the public page
    cache (cms.cache) may keep it and serve it until what it shows changes. `depends_on`: the seat
    versions (cms.cache.seat_versions) read before the page read its seats."""
    setattr(response, PUBLIC_PAGE, True)
    setattr(response, DEPENDS_ON, depends_on or {})
    return response


def client_ip(request) -> str | None:
    """The visitor's address behind settings.TRUSTED_PROXY_COUNT proxies (each appends the address it
    saw to X-Forwarded-For): what the rate limits and sign-in throttling count and consent records keep,
    like DRF's NUM_PROXIES.
    None for a request made in code (a shell, Client.login) that has no address."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and forwarded:
        return forwarded[-min(count, len(forwarded))]
    return request.META.get("REMOTE_ADDR")
