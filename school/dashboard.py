"""Panels other apps add to the student's dashboard ("My courses"). The school shows them without knowing
what they are: it never imports the apps that register them (the job board registers its "Jobs for you"
from its AppConfig.ready()), so the school still works without them."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)

# A panel takes the request and returns its HTML (render_to_string's SafeString), or "" to show nothing.
Panel = Callable[[HttpRequest], str]

_panels: dict[str, tuple[int, Panel]] = {}


def register_panel(name: str, panel: Panel, *, order: int = 100) -> None:
    """Show `panel` on every student's dashboard, lowest `order` first. Registering a name again
    replaces the panel (ready() may run more than once)."""
    _panels[name] = (order, panel)


def unregister_panel(name: str) -> None:
    _panels.pop(name, None)


def render_panels(request: HttpRequest) -> list[SafeString]:
    """The HTML of each panel with something to show. A panel that fails is logged and left out (raised
    while developing): another app's fault must not take away the student's courses and certificates."""
    rendered = []
    for name, (_order, panel) in sorted(_panels.items(), key=lambda item: (item[1][0], item[0])):
        try:
            html = panel(request)
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("Student dashboard panel %r failed", name)
            continue
        if html:
            rendered.append(html)
    return rendered
