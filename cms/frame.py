"""What the frame of every page shows: the school's name, logo and contact details, and the main menu's
addresses. Read and rendered once per process for each version of the public pages (cms.cache), so a
page that is not served from the cache (a student's dashboard, a form) does not spend half a dozen
queries and two image lookups on them. Publishing a page or saving the school's details makes a new
version, and with it a new frame."""

from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from cms import cache

MAX_FRAMES = 32  # versions × hosts × languages kept; old versions are never asked for again
_frames: dict[tuple, dict] = {}


def site_frame(request) -> dict:
    """Context processor: `frame`, read on first use."""
    return {"frame": SimpleLazyObject(lambda: frame_for(request))}


def frame_for(request) -> dict:
    key = (cache.current_version(), request.get_host(), get_language())
    frame = _frames.get(key)
    if frame is None:
        if len(_frames) >= MAX_FRAMES:
            _frames.clear()
        frame = _frames[key] = _build(request)
    return frame


def _build(request) -> dict:
    from wagtail.templatetags.wagtailcore_tags import slugurl

    from cms.models import SchoolSettings

    school = SchoolSettings.for_request(request)
    context = {"request": request}
    return {
        "school": school,
        "nav": {"courses": slugurl(context, "courses"), "news": slugurl(context, "news")},
        "brand": mark_safe(render_to_string("includes/site_brand.html", {"school": school})),  # noqa: S308
        "footer": mark_safe(render_to_string("includes/site_footer.html", {"school": school})),  # noqa: S308
    }
