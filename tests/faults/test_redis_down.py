"""Redis stopped under a running site: pages are still served (the cache misses instead of failing),
and what a person asks of the task service while it is down is kept and done once it is back."""

from django.core.management import call_command
from django.urls import reverse

import pytest

from baijia.settings.base import redis_cache
from outbox.models import UnsentTask
from school.models import CertificateBatch
from tests.factories import CohortFactory, CourseFactory
from tests.faults.services import wait_for
from tests.school.test_certificates_bulk import assert_one_valid_certificate_each, make_class

# Redis, not the database, is what fails here: the SQLite pass only.
pytestmark = [pytest.mark.faults, pytest.mark.sqlite_only]


@pytest.mark.django_db
def test_pages_are_served_from_the_database_while_the_cache_s_redis_is_down(client, settings, private_redis, catalogue):
    settings.CACHES = {"default": redis_cache(private_redis.url)}
    course = CourseFactory(code="EC-301", title="直播电商运营")
    CohortFactory(course=course, code="EC-301-A")
    page = catalogue.publish(course)
    assert client.get(page.url)["X-Page-Cache"] == "miss"
    assert client.get(page.url)["X-Page-Cache"] == "hit"

    private_redis.stop()
    during = [client.get(page.url), client.get("/courses/"), client.get(reverse("certificates:verify"))]

    assert [response.status_code for response in during] == [200, 200, 200]
    assert during[0]["X-Page-Cache"] == "miss"  # built from the database
    assert "直播电商运营" in during[0].content.decode()
    assert "请求过于频繁" not in during[2].content.decode()  # verification is not refused for want of a counter

    private_redis.start()
    assert client.get(page.url)["X-Page-Cache"] == "miss"  # an empty cache again, filling up
    assert client.get(page.url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_signing_up_while_the_broker_is_down_keeps_the_welcome_e_mail_for_later(
    client, configure_celery, private_redis, django_capture_on_commit_callbacks
):
    # No result store, as in production (CELERY_TASK_IGNORE_RESULT): only the broker is down.
    configure_celery(task_always_eager=False, broker_url=private_redis.url, result_backend=None)
    private_redis.stop()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:sign_up"),
            {
                "display_name": "周敏",
                "phone": "13912340001",
                "email": "zhou.min@example.com",
                "password1": "qiuzhi-2026-luoyang",
                "password2": "qiuzhi-2026-luoyang",
            },
        )

    assert response.status_code == 302
    [kept] = UnsentTask.objects.all()
    assert kept.task == "accounts.tasks.send_welcome_email" and kept.last_error


@pytest.mark.django_db(transaction=True)
def test_issuing_while_the_task_service_is_down_tells_the_instructor_and_runs_once_it_is_back(
    client, configure_celery, private_redis
):
    from celery.contrib.testing.worker import start_worker

    from baijia.celery import app

    cohort, instructor = make_class(4)
    # No result store, as in production (CELERY_TASK_IGNORE_RESULT): only the broker is down.
    configure_celery(task_always_eager=False, broker_url=private_redis.url, result_backend=None)
    client.force_login(instructor)
    private_redis.stop()

    response = client.post(reverse("school:certificate_issue_all", args=[cohort.code]), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "后台任务服务暂时无响应。发证已排队，服务恢复后会自动开始" in page  # the message after the click
    assert "正在等待后台任务服务恢复" in page  # and in the progress box, until it moves
    assert "后续处理会稍晚一些" not in page  # its own notice says so: not the general one as well
    batch = CertificateBatch.objects.get()
    api = client.get(reverse("api:certificate-batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en").json()
    assert (api["status"], api["delayed"]) == ("queued", True)
    assert api["notice"].startswith("The task service is not answering right now.")
    assert UnsentTask.objects.filter(task="school.tasks.issue_cohort_certificates", args=[batch.pk]).exists()

    private_redis.start()
    call_command("send_unsent_tasks")  # what beat does every minute, and each worker as it starts
    assert not UnsentTask.objects.exists()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        wait_for(
            lambda: CertificateBatch.objects.filter(pk=batch.pk, status="done").exists(),
            timeout=60,
            what="the batch to finish",
            interval=0.1,
        )

    assert_one_valid_certificate_each(cohort)
    api = client.get(reverse("api:certificate-batch", args=[batch.pk])).json()
    assert (api["status"], api["delayed"], api["issued"]) == ("done", False, 4)


@pytest.mark.django_db
def test_sending_again_while_the_broker_is_still_down_keeps_every_task(configure_celery, private_redis):
    from accounts.tasks import send_welcome_email

    configure_celery(task_always_eager=False, broker_url=private_redis.url, result_backend=None)
    private_redis.stop()
    assert send_welcome_email.delay(1) is None and send_welcome_email.delay(2) is None

    assert call_command_output("send_unsent_tasks") == "Sent 0 task(s); 2 still waiting."
    assert list(UnsentTask.objects.values_list("args", "attempts")) == [([1], 1), ([2], 0)]


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()
