"""Tell a person something: a message in their in-site inbox, and by e-mail when they have an address,
written in their own language."""

from collections.abc import Callable

from django.utils import translation

from accounts.models import Notification
from baijia import rows


def notify(*, recipient, subject, body, link: str | Callable[[], str] = "", **params) -> Notification:
    """`subject` and `body` are lazily translated texts with %(name)s placeholders; each param is a
    value or a callable giving one, evaluated in the recipient's language (so is `link`, which then
    points at the page in their language), and only when the subject or the body uses it: one set of
    params serves every message of a kind, and reading some (dates, a course's title) has a cost."""
    from accounts.tasks import send_notification_email

    with translation.override(recipient.language):
        subject, body = str(subject), str(body)
        said = subject + body
        values = {name: _evaluate(value) for name, value in params.items() if f"%({name})" in said}
        notification = Notification(
            recipient=recipient, subject=subject % values, body=body % values, link=_evaluate(link)
        )
    # One INSERT, not save(): every enrolment, application and hire writes one, and nothing listens to it.
    rows.insert(notification)
    if recipient.email:
        send_notification_email.delay_on_commit(notification.pk)
    return notification


def _evaluate(value: object | Callable[[], object]) -> str:
    return str(value() if callable(value) else value)
