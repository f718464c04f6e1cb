import json

from django import template
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cms.cache import personal_part

register = template.Library()

# The characters that could end a <script> element or start a comment, escaped for JSON in HTML.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def language_url(context, language_code: str) -> str:
    """This page's address in another language (/courses/ <-> /en/courses/), query string kept."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)


@register.filter
def ld_json(data) -> str:
    """A schema.org object as a JSON-LD script element."""
    text = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def personal(context, name: str, **arguments) -> str:
    """{% personal "includes/site_header.html" course=course.pk %}: a part of a public page that differs
    from one visitor to the next, rendered with the request's context and these arguments only, so a
    cached copy of the page can render it again for whoever comes next (cms.cache)."""
    return personal_part(name, context["request"], arguments)


@register.simple_tag(takes_context=True)
def my_certificate(context, course_id: str):
    """The visitor's valid certificate for the course (by id), if they hold one."""
    from school.selectors import valid_certificate_for

    return valid_certificate_for(context["request"].user, int(course_id))
