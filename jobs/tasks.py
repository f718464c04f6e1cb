"""Celery tasks of the job board: take ids, call a service, safe to run twice."""

import datetime

from django.utils import timezone

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_instant_job_alerts(posting_id: int) -> int:
    """A posting was published: mail the instant alerts it matches (each alert gets it at most once)."""
    from jobs.alerts import send_instant_alerts

    return send_instant_alerts(posting_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_job_alert_digests() -> int:
    """Celery beat, daily: each confirmed daily alert gets what is new for it, at most once."""
    from jobs.alerts import send_daily_digests

    return send_daily_digests()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_alert_confirmation(alert_id: int) -> bool:
    """Mail the link that confirms a visitor's job alert (nothing once it is confirmed)."""
    from jobs.alerts import send_confirmation

    return send_confirmation(alert_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def ask_follow_ups() -> int:
    """Celery beat, daily: ask the merchant and the graduate of each placement due a follow-up whether the
    job continues. Each follow-up is asked once, however often this runs."""
    from jobs.services import ask_due_follow_ups

    return ask_due_follow_ups()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def close_expired_postings() -> int:
    """Celery beat, daily just after midnight: postings past their closing date leave the board (they
    stay in reports). Running it again closes nothing more."""
    from jobs.services import close_expired_postings as close

    return close()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_candidate_features(user_ids: list[int]) -> int:
    """Rebuild what matching reads for these people from their record; running it again changes nothing."""
    from jobs.matching.features import refresh_candidates

    return refresh_candidates(user_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_expired_certificates() -> int:
    """Celery beat, daily: certificates that expired yesterday stop counting for their holders."""
    from jobs.matching.features import refresh_candidates
    from school.models import Certificate

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    holders = Certificate.objects.filter(status=Certificate.Status.VALID, expires_on=yesterday)
    return refresh_candidates(holders.values_list("enrollment__student_id", flat=True))


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_monthly_outcomes_report() -> int:
    """Celery beat, the 1st of each month: mail last month's outcomes report (PDF) to staff, once a month."""
    from jobs.outcomes.report import previous_month, send_monthly_report

    return send_monthly_report(previous_month(timezone.localdate()))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_public_outcomes() -> None:
    """Celery beat, nightly: compute the public outcomes page's figures so no visitor waits for them."""
    from jobs.outcomes.public import refresh_public_outcomes as refresh

    refresh()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_stale_outcomes() -> int:
    """Celery beat, every few minutes: the outcome rows of students who enrolled since, so the figures
    are near-current even before anyone reads them (readers refresh first anyway). Idempotent."""
    from jobs.outcomes.rows import refresh_stale_outcomes as refresh

    return refresh()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rebuild_outcomes() -> int:
    """Celery beat, nightly, before the public figures: every outcome row from the record again, a safety
    net for writes that sent no signal (a fix in the database shell, a restore). Idempotent."""
    from jobs.outcomes.rows import rebuild_outcomes as rebuild

    return rebuild()
