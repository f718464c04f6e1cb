"""The base class of every Celery task (baijia/celery.py): sending one never fails because the broker
is down. What the broker does not take is kept in the database (UnsentTask) and sent again when it
answers, so the request that asked gets its page and the task is not lost.

Nothing is written while the broker answers: the enrolment request sends tasks on its hot path, and an
outbox row for every task would cost each of them an INSERT and a DELETE. The price is a narrow gap (a
process killed between its commit and the publish); long work is also resumable from its own rows
(a class's certificate run: school.services.certificates.resume_certificate_batches)."""

import logging
import time

from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (OperationalError, RedisError, OSError)
# After a failure, tasks go straight to the outbox for this long: a page that sends several tasks during
# an outage does not wait for the broker each time.
SKIP_BROKER_SECONDS = 5.0
KEPT_OPTIONS = ("queue", "routing_key", "exchange", "priority")


class _Breaker:
    open_until = 0.0


def broker_recently_failed() -> bool:
    return time.monotonic() < _Breaker.open_until


class OutboxTask(DjangoTask):
    def apply_async(
        self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, shadow=None, **options
    ):
        """As Celery's, but when the broker cannot take the task it is kept in the outbox and None is
        returned instead of an AsyncResult (nobody waits on a result here: tasks report in the database)."""
        if self.app.conf.task_always_eager or producer is not None or link or link_error or shadow:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, shadow, **options)
        if not broker_recently_failed():
            try:
                return super().apply_async(args, kwargs, task_id, **options)
            except BROKER_ERRORS as error:
                _Breaker.open_until = time.monotonic() + SKIP_BROKER_SECONDS
                return self._hold(args, kwargs, options, error)
        return self._hold(args, kwargs, options, "the broker failed moments ago")

    def _hold(self, args, kwargs, options, error) -> None:
        from outbox.delays import note_held
        from outbox.models import UnsentTask

        UnsentTask.objects.create(
            task=self.name,
            args=list(args or ()),
            kwargs=dict(kwargs or {}),
            options={name: options[name] for name in KEPT_OPTIONS if options.get(name) is not None},
            last_error=str(error)[:500],
        )
        logger.warning("Broker unavailable (%s): %s kept in the outbox", error, self.name)
        note_held(self)  # the person who asked is told their follow-up waits (outbox.delays)
        return None
