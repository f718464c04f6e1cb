from celery import shared_task
from celery.signals import worker_ready


@shared_task
def send_unsent_tasks() -> int:
    """Celery beat, every minute, and each worker as it starts: send what waits in the outbox."""
    from outbox.services import send_unsent_tasks as send

    return send()


@worker_ready.connect
def _send_on_start(**kwargs):
    # A worker that starts reaches the broker: what the site kept while it was down can go now.
    send_unsent_tasks.delay()
