"""Tasks on a real Celery worker (a thread of this process) over the Redis broker."""

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

import pytest

from accounts.tasks import send_welcome_email
from tests.factories import UserFactory

User = get_user_model()
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_sign_up_welcome_email_is_sent_by_the_worker(client, worker):
    client.post(
        reverse("accounts:sign_up"),
        {
            "display_name": "周敏",
            "phone": "13912340000",
            "email": "zhou.min@example.com",
            "password1": "qiuzhi-2026-luoyang",
            "password2": "qiuzhi-2026-luoyang",
        },
    )
    user = User.objects.get(phone="13912340000")

    # The view enqueued the task on commit; wait for the worker to finish it.
    for _attempt in range(100):
        user.refresh_from_db()
        if user.welcomed_at and mail.outbox:
            break
        import time

        time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [["zhou.min@example.com"]]


def test_running_the_welcome_task_twice_sends_one_email(worker):
    user = UserFactory(email="twice@example.com")

    first = send_welcome_email.delay(user.pk).get(timeout=20)
    second = send_welcome_email.delay(user.pk).get(timeout=20)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
