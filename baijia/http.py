"""Response markers every app may set; the middleware that reads them lives in cms.cache."""

PUBLIC_PAGE = "_baijia_public"


def mark_public(response):
    """The same page for every visitor who is not signed in: cms.cache.PublicPageCacheMiddleware may
    keep it and serve it to them until what it shows changes."""
    setattr(response, PUBLIC_PAGE, True)
    return response
