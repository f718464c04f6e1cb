from django import template

from jobs import personal

register = template.Library()


@register.simple_tag(takes_context=True)
def recommended_on_board(context) -> list:
    return personal.recommended_on_board(context["request"].user)


@register.simple_tag(takes_context=True)
def posting_for_visitor(context, posting_id: str, taking_applications: str) -> dict:
    return personal.posting_for_visitor(
        context["request"].user, int(posting_id), taking_applications=taking_applications == "1"
    )
