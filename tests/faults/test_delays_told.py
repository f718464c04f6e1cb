"""The broker stopped while people use the site: their action is done, and the next page tells them, in
their language, that the e-mails it sends will go out a little later (outbox.delays). The API says so
with a header. While the broker answers, nobody is told anything."""

from django.urls import reverse
from django.utils import translation

import pytest

from outbox.delays import HEADER
from outbox.models import UnsentTask
from tests.factories import CohortFactory, JobCategoryFactory, StudentProfileFactory

# Redis, not the database, is what fails here: the SQLite pass only. Transactional: the tasks are sent
# when the enrolment commits, inside the request, as in production.
pytestmark = [pytest.mark.faults, pytest.mark.sqlite_only, pytest.mark.django_db(transaction=True)]

NOTICE = {
    "zh-hans": "操作已完成。相关的邮件通知等后续处理会稍晚一些，后台服务恢复后自动完成。",
    "en": "Done. The e-mails and other follow-up this sends will go out a little later, once our background "
    "service is back.",
}
ENROLLED = {"zh-hans": "报名成功，课堂上见！", "en": "You are enrolled. See you in class!"}


@pytest.fixture
def broker(configure_celery, private_redis):
    """The private Redis as the broker, not eager; no result store, as in production."""
    configure_celery(task_always_eager=False, broker_url=private_redis.url, result_backend=None)
    return private_redis


def enrol_through_the_form(client, student, cohort, language: str):
    client.force_login(student)
    with translation.override(language):
        address = reverse("school:enrol", args=[cohort.code])
    return client.post(address)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_enrolling_while_the_broker_is_down_says_the_e_mails_come_later(client, broker, language):
    student = StudentProfileFactory(user__email="li.na@example.com").user
    broker.stop()

    response = enrol_through_the_form(client, student, CohortFactory(), language)

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert ENROLLED[language] in page  # what they did is done
    assert page.count(NOTICE[language]) == 1
    assert NOTICE[language] not in client.get(response.url).content.decode()  # told once
    [kept] = UnsentTask.objects.all()
    assert kept.task == "accounts.tasks.send_notification_email"


def test_enrolling_while_the_broker_answers_says_nothing_more(client, broker):
    student = StudentProfileFactory(user__email="li.na@example.com").user

    response = enrol_through_the_form(client, student, CohortFactory(), "zh-hans")

    page = client.get(response.url).content.decode()
    assert ENROLLED["zh-hans"] in page
    assert NOTICE["zh-hans"] not in page
    assert not UnsentTask.objects.exists()


def test_the_api_says_the_follow_up_waits_only_while_the_broker_is_down(client, broker):
    def enrol_by_api(student):
        client.force_login(student)
        return client.post("/api/v1/enrolments/", {"cohort": CohortFactory().code}, content_type="application/json")

    answered = enrol_by_api(StudentProfileFactory(user__email="a@example.com").user)
    broker.stop()
    delayed = enrol_by_api(StudentProfileFactory(user__email="b@example.com").user)

    assert (answered.status_code, delayed.status_code) == (201, 201)
    assert HEADER not in answered
    assert delayed[HEADER] == "1"
    assert UnsentTask.objects.count() == 1


def test_a_visitor_saving_a_job_alert_is_told_the_confirmation_comes_later(client, broker):
    JobCategoryFactory(slug="care", name="家政", name_en="Housekeeping")
    broker.stop()

    response = client.post(
        "/en/jobs/alerts/", {"email": "visitor@example.com", "frequency": "daily", "query": "category=care"}
    )
    page = client.get(response.url).content.decode()

    assert "Almost done: we sent a link to visitor@example.com" in page
    assert page.count(NOTICE["en"]) == 1
    assert UnsentTask.objects.get().task == "jobs.tasks.send_alert_confirmation"
