"""Job alerts: a saved board search, mailed instantly when a matching job is published or as a daily
digest. Each alert mails a posting at most once (AlertDelivery is unique per alert and posting), mails
nothing until its address is confirmed, and every mail carries a one-click unsubscribe link.

The writes a person causes (save, confirm, unsubscribe) and the sending the tasks run live here together."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.filters import PostingFilter
from jobs.models import AlertDelivery, JobAlert, JobPosting
from jobs.selectors import filter_postings
from jobs.services import JobError

# A digest lists at most this many postings; the rest follow in the next one.
DIGEST_SIZE = 20
# One address may hold this many alerts: enough for anyone, and a limit on mail to an unconfirmed address.
ALERTS_PER_EMAIL = 10
QUERY_KEYS = tuple(name for name in PostingFilter.base_filters if name != "sort")


def alert_query(data) -> str:
    """The board's GET query an alert keeps: its filters only (no page or sort), empty ones dropped."""
    query = QueryDict(mutable=True)
    for key in QUERY_KEYS:
        values = [value.strip() for value in data.getlist(key) if value.strip()]
        if values:
            query.setlist(key, values)
    return query.urlencode()


def alert_language(alert: JobAlert) -> str:
    if alert.user_id and alert.user.language:
        return alert.user.language
    return alert.language or settings.LANGUAGE_CODE


def absolute(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL}{path}"


def board_path(query: str) -> str:
    return f"{reverse('jobs:board')}?{query}" if query else reverse("jobs:board")


def describe(query: str) -> str:
    """The saved search in words, e.g. “育婴 · Jianxi · Full-time”, in the active language."""
    board = PostingFilter(QueryDict(query))
    form = board.form
    if not form.is_valid():
        return _("All jobs")
    parts = []
    for name in QUERY_KEYS:
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        field = form.fields[name]
        if hasattr(field, "label_from_instance"):
            parts.append(field.label_from_instance(value))
        elif getattr(field, "choices", None):
            parts.append(str(dict(field.choices).get(value, value)))
        elif name == "min_pay":
            parts.append(_("from %(pay)s CNY") % {"pay": f"{value:,.0f}"})
        else:
            parts.append(str(value))
    return " · ".join(parts) or _("All jobs")


# --- What a person does ---------------------------------------------------------------------------------


@transaction.atomic
def alert_save(*, email: str, query: str, frequency: str, user=None) -> JobAlert:
    """Save a search as an alert. Signed in with this very address, it is confirmed at once; any other
    address gets a confirmation link first and is sent nothing until it is followed. Saving the same
    search for the same address again only changes how often it is sent."""
    email = (email or "").strip().lower()
    if not email:
        raise JobError(_("Give the e-mail address to send the jobs to."), code="email_required")
    if frequency not in JobAlert.Frequency.values:
        raise JobError(_("Choose how often to be told."), code="frequency")
    alert = JobAlert.objects.select_for_update().filter(email=email, query=query).first()
    if alert is None:
        if JobAlert.objects.filter(email=email).count() >= ALERTS_PER_EMAIL:
            raise JobError(
                _("This address already has %(count)s job alerts; unsubscribe from one first.")
                % {"count": ALERTS_PER_EMAIL},
                code="too_many",
            )
        alert = JobAlert(email=email, query=query)
    alert.frequency = frequency
    alert.language = translation.get_language() or settings.LANGUAGE_CODE
    if user is not None and user.is_authenticated:
        alert.user = alert.user or user
        if user.email and user.email.lower() == email and alert.confirmed_at is None:
            alert.confirmed_at = timezone.now()
    alert.full_clean()
    alert.save()
    if alert.confirmed_at is None:
        from jobs.tasks import send_alert_confirmation

        send_alert_confirmation.delay_on_commit(alert.pk)
    return alert


@transaction.atomic
def alert_confirm(*, token: str) -> JobAlert:
    alert = JobAlert.objects.select_for_update().filter(token=token).first()
    if alert is None:
        raise JobError(_("This job alert does not exist any more."), code="unknown_alert")
    if alert.confirmed_at is None:
        alert.confirmed_at = timezone.now()
        alert.save(update_fields=["confirmed_at"])
    return alert


@transaction.atomic
def alert_unsubscribe(*, token: str) -> bool:
    """Stop an alert for good: it is deleted with what it sent. False if it was already gone."""
    deleted, _rows = JobAlert.objects.filter(token=token).delete()
    return bool(deleted)


# --- What the tasks do ----------------------------------------------------------------------------------


def matching_postings(alert: JobAlert, posting_ids=None) -> list[JobPosting]:
    """Postings on the board that match the alert's search and that it has not mailed yet, newest first."""
    board = filter_postings(QueryDict(alert.query))
    postings = board.qs.exclude(pk__in=AlertDelivery.objects.filter(alert=alert).values("posting_id"))
    if posting_ids is not None:
        postings = postings.filter(pk__in=posting_ids)
    return list(postings.order_by("-published_at", "-pk")[:DIGEST_SIZE])


def _unsubscribe_url(alert: JobAlert) -> str:
    return absolute(reverse("jobs:alert_unsubscribe", args=[alert.token]))


def send_alert(alert_id: int, posting_ids=None) -> int:
    """Mail a confirmed alert the matching postings it has not sent before; returns how many. Safe to
    run twice: the deliveries are recorded in the same transaction as the mail is sent, so a second run
    finds nothing new, and a failed send records nothing."""
    with transaction.atomic():
        alert = JobAlert.objects.select_for_update(of=("self",)).select_related("user").filter(pk=alert_id).first()
        if alert is None or alert.confirmed_at is None:
            return 0
        postings = matching_postings(alert, posting_ids)
        if not postings:
            return 0
        AlertDelivery.objects.bulk_create([AlertDelivery(alert=alert, posting=posting) for posting in postings])
        alert.last_sent_at = timezone.now()
        alert.save(update_fields=["last_sent_at"])
        with translation.override(alert_language(alert)):
            unsubscribe = _unsubscribe_url(alert)
            context = {
                "alert": alert,
                "search": describe(alert.query),
                "postings": [
                    (posting, absolute(reverse("jobs:posting_detail", args=[posting.pk]))) for posting in postings
                ],
                "board_url": absolute(board_path(alert.query)),
                "unsubscribe_url": unsubscribe,
            }
            subject = render_to_string("jobs/email/alert_subject.txt", context).strip()
            body = render_to_string("jobs/email/alert.txt", context)
        message = EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[alert.email],
            # RFC 2369 and RFC 8058: mail apps show an unsubscribe button that POSTs to this address.
            headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
        message.send()
    return len(postings)


def send_instant_alerts(posting_id: int) -> int:
    """A posting was published: mail it to each confirmed instant alert it matches. Returns mails sent."""
    alerts = JobAlert.objects.filter(frequency=JobAlert.Frequency.INSTANT, confirmed_at__isnull=False)
    return sum(1 for alert_id in alerts.values_list("pk", flat=True) if send_alert(alert_id, [posting_id]))


def send_daily_digests() -> int:
    """Each confirmed daily alert gets one mail with what is new for it (nothing new: no mail)."""
    alerts = JobAlert.objects.filter(frequency=JobAlert.Frequency.DAILY, confirmed_at__isnull=False)
    return sum(1 for alert_id in alerts.values_list("pk", flat=True) if send_alert(alert_id))


def send_confirmation(alert_id: int) -> bool:
    alert = JobAlert.objects.select_related("user").filter(pk=alert_id, confirmed_at__isnull=True).first()
    if alert is None:
        return False
    with translation.override(alert_language(alert)):
        context = {
            "alert": alert,
            "search": describe(alert.query),
            "confirm_url": absolute(reverse("jobs:alert_confirm", args=[alert.token])),
            "frequency": alert.get_frequency_display(),
        }
        EmailMessage(
            subject=str(CONFIRM_SUBJECT),
            body=render_to_string("jobs/email/alert_confirm.txt", context),
            to=[alert.email],
        ).send()
    return True


CONFIRM_SUBJECT = gettext_lazy("Confirm your job alert")
