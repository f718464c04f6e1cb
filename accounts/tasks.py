import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from celery import shared_task

User = get_user_model()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_welcome_email(user_id: int) -> bool:
    """Welcome a new account by e-mail, once: a second run finds it already welcomed."""
    claimed = User._default_manager.filter(pk=user_id, welcomed_at__isnull=True).update(welcomed_at=timezone.now())
    if not claimed:
        return False
    user = User._default_manager.get(pk=user_id)
    try:
        with translation.override(user.language):
            send_mail(
                subject=_("Welcome to Baijia Training"),
                message=render_to_string("accounts/email/welcome.txt", {"user": user}),
                from_email=None,
                recipient_list=[user.email],
            )
    except Exception:
        # Not sent: release the claim so the retry can send it.
        User._default_manager.filter(pk=user_id).update(welcomed_at=None)
        raise
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    """E-mail an inbox message, once: a second run finds it already sent."""
    from accounts.models import Notification

    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = f"{settings.WAGTAILADMIN_BASE_URL}{notification.link}" if notification.link else ""
    try:
        send_mail(
            subject=notification.subject,
            message=f"{notification.body}\n\n{link}".strip(),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


@shared_task
def forget_old_sign_ins() -> int:
    """Delete the sign-ins and failed attempts recorded more than SIGN_IN_LOG_DAYS ago; safe to run twice.
    The lockout counters (AccessAttempt) axes deletes itself at the next sign-in after their wait."""
    from axes.models import AccessFailureLog, AccessLog

    cutoff = timezone.now() - datetime.timedelta(days=settings.SIGN_IN_LOG_DAYS)
    return sum(records.objects.filter(attempt_time__lt=cutoff).delete()[0] for records in (AccessLog, AccessFailureLog))
