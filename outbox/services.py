"""Sending again the tasks the broker did not take (see outbox.celery)."""

import logging

from django.db import transaction
from django.db.models import F

from outbox.celery import BROKER_ERRORS, _Breaker
from outbox.models import UnsentTask

logger = logging.getLogger(__name__)


def send_unsent_tasks(limit: int = 1000) -> int:
    """Send the kept tasks, oldest first, and delete each once the broker has it; stop at the first the
    broker refuses (it is still down). Each row is locked while it is sent, so two drains at once do not
    send it twice. Returns how many were sent."""
    from baijia.celery import app

    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            held = UnsentTask.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if held is None:
                break
            try:
                app.send_task(held.task, args=held.args, kwargs=held.kwargs, **held.options)
            except BROKER_ERRORS as error:
                UnsentTask.objects.filter(pk=held.pk).update(attempts=F("attempts") + 1, last_error=str(error)[:500])
                logger.warning("Broker still unavailable (%s): %s tasks wait in the outbox", error, unsent_count())
                break
            held.delete()
        sent += 1
    if sent:
        _Breaker.open_until = 0.0  # the broker answers: new tasks go to it again at once
        logger.info("Sent %s task(s) from the outbox", sent)
    return sent


def unsent_count() -> int:
    return UnsentTask.objects.count()


def is_waiting(task_names: tuple[str, ...], first_arg) -> bool:
    """Whether a task of one of these names, whose first argument is `first_arg`, waits in the outbox
    (e.g. a class's certificate run): the page then tells the person why nothing moves yet."""
    return any(
        held and held[0] == first_arg
        for held in UnsentTask.objects.filter(task__in=task_names).values_list("args", flat=True)
    )
