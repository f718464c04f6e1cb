"""Telling the person when the follow-up of what they just did waits in the outbox: their change is saved,
but the e-mails and other work it sends out will go a little later (outbox.celery keeps the tasks the
broker refused and sends them when it answers).

OutboxTask notes each task it keeps in the request being served; DelayedWorkMiddleware, which serves
every request, then adds one message for the next page (a redirect after a POST shows it on the page it
leads to), or under /api/ the X-Tasks-Delayed header. Tasks sent after commit (delay_on_commit) are
noted too: a request's transactions commit before its view returns.

While the broker answers nothing is noted: a request costs one context variable set and reset."""

from contextvars import ContextVar

from django.contrib import messages
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# Under /api/: how many tasks of this request wait in the outbox (absent when none do).
HEADER = "X-Tasks-Delayed"


# The tasks kept during the request being served.
_this_request: ContextVar[list | None] = ContextVar("tasks_held_in_this_request", default=None)


def note_held(task) -> None:
    """OutboxTask kept `task` for later: remembered for the request being served, if any (a worker, beat
    or a management command serves none)."""
    held = _this_request.get()
    if held is not None:
        held.append(task)


def delay_notice() -> str:
    return _(
        "Done. The e-mails and other follow-up this sends will go out a little later, once our background "
        "service is back."
    )


class DelayedWorkMiddleware:
    """After MessageMiddleware (it adds a message) and innermost, so it sees what the view's commits sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        held = []
        token = _this_request.set(held)
        try:
            response = self.get_response(request)
        finally:
            _this_request.reset(token)
        if held:
            self._tell(request, response, held)
        return response

    @staticmethod
    def _tell(request, response, held: list) -> None:
        if request.path_info.startswith(API_PREFIX):
            response[HEADER] = str(len(held))
        # A refused request did nothing to follow up; a task whose own page says it waits (a class's
        # certificate run: "tells_its_own_delay") needs no second notice.
        elif response.status_code < 400 and not all(getattr(task, "tells_its_own_delay", False) for task in held):
            messages.info(request, delay_notice())
