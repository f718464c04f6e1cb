"""Celery tasks of the school: take ids, call a service, safe to run twice."""

import datetime

from django.conf import settings

from celery import shared_task
from celery.signals import worker_ready


# Its page and the API say when it waits for the broker (waiting_for_task_service): no general notice.
@shared_task(acks_late=True, reject_on_worker_lost=True, tells_its_own_delay=True)
def issue_cohort_certificates(batch_id: int) -> dict:
    """Issue a class's certificates. If the worker dies half-way the broker hands the task out again,
    and the service finishes what is pending without a second certificate or a gap in numbering."""
    from school.services.certificates import run_certificate_batch

    batch = run_certificate_batch(batch_id)
    return {"status": batch.status, "done": batch.done, "total": batch.total, "issued": batch.issued}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_certificate_chunk(batch_id: int, certificate_ids: list[int]) -> int:
    """Render one chunk of a class's certificates (numbers already taken). Run twice, or after a worker
    died half-way, it renders only what is still pending."""
    from school.services.certificates import run_certificate_chunk

    return run_certificate_chunk(batch_id, certificate_ids)


@shared_task
def resume_certificate_batches(on_start: bool = False) -> list[int]:
    """Celery beat, every minute: class runs that stopped moving are queued again. A worker that starts
    resumes every unfinished run at once (a whole worker killed is why a run stops; its message would come
    back only after Redis's visibility timeout)."""
    from school.services.certificates import resume_certificate_batches as resume

    idle = 0 if on_start else settings.CERTIFICATE_RESUME_AFTER_SECONDS
    return resume(idle_for=datetime.timedelta(seconds=idle))


@worker_ready.connect
def _resume_on_start(**kwargs):
    resume_certificate_batches.delay(on_start=True)
