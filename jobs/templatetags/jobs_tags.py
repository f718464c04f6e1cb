from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def recommended_on_board(context) -> list:
    """The signed-in graduate's best-fitting open postings, for the top of the job board; none for others."""
    from jobs.recommendations import postings_for
    from jobs.views.board import RECOMMENDED_ON_BOARD, is_graduate

    user = context["request"].user
    return postings_for(user, limit=RECOMMENDED_ON_BOARD) if is_graduate(user) else []


@register.simple_tag(takes_context=True)
def posting_for_visitor(context, posting_id: str, taking_applications: str) -> dict:
    """The visitor's own part of a posting's page (jobs.views.board.posting_for_visitor)."""
    from jobs.views.board import posting_for_visitor

    return posting_for_visitor(context["request"], int(posting_id), taking_applications=taking_applications == "1")
