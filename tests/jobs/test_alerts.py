"""Job alerts: a saved board search mailed instantly or as a daily digest, each posting at most once, only
to confirmed addresses, each mail with a one-click unsubscribe."""

import re

from django.core import mail
from django.test import Client

import pytest

from jobs import services
from jobs.alerts import alert_save, send_daily_digests
from jobs.models import AlertDelivery, JobAlert
from jobs.tasks import send_job_alert_digests
from tests.factories import JobCategoryFactory, JobPostingFactory, StaffFactory, StudentFactory

pytestmark = pytest.mark.django_db


def link_in(message, path: str) -> str:
    return re.search(rf"https?://[^\s]+{path}[^\s]+/", message.body).group(0)


def local(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def care():
    return JobCategoryFactory(slug="care", name="家政", name_en="Housekeeping")


def test_a_signed_in_graduate_saves_the_board_search_and_it_is_on_at_once(client, care):
    graduate = StudentFactory(email="wang@example.com")
    client.force_login(graduate)
    response = client.post(
        "/en/jobs/alerts/",
        {
            "email": "wang@example.com",
            "frequency": "instant",
            "query": "category=care&district=jianxi&page=3&sort=-pay",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/en/jobs/?category=care&district=jianxi"
    assert "Job alert saved" in response.content.decode()
    alert = JobAlert.objects.get()
    assert alert.user == graduate and alert.confirmed_at is not None
    assert alert.query == "category=care&district=jianxi"
    assert mail.outbox == []  # nothing to confirm


def test_the_board_offers_to_save_its_search(client, care):
    page = client.get("/en/jobs/", {"category": "care", "q": "育婴"}).content.decode()
    assert "E-mail me new jobs like these" in page
    assert "/en/jobs/alerts/new/?" in page

    form_page = client.get("/en/jobs/alerts/new/", {"category": "care", "q": "育婴"}).content.decode()
    assert "Housekeeping" in form_page and "育婴" in form_page
    assert 'name="csrfmiddlewaretoken"' in form_page


def test_a_visitor_confirms_the_address_before_anything_is_sent(client, care, django_capture_on_commit_callbacks):
    JobPostingFactory(category=care, title="育婴师")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/jobs/alerts/", {"email": "Visitor@Example.com", "frequency": "daily", "query": "category=care"}
        )
    alert = JobAlert.objects.get()
    assert alert.email == "visitor@example.com" and alert.confirmed_at is None
    assert alert.language == "en"  # saved on the English board: the visitor's mails are in English
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["visitor@example.com"]
    assert mail.outbox[0].subject == "Confirm your job alert"
    confirm_url = local(link_in(mail.outbox[0], "/jobs/alerts/confirm/"))

    assert send_daily_digests() == 0  # unconfirmed: nothing
    assert len(mail.outbox) == 1

    page = client.get(confirm_url)  # a mail scanner following the link confirms nothing
    assert page.status_code == 200
    alert.refresh_from_db()
    assert alert.confirmed_at is None
    client.post(confirm_url)
    alert.refresh_from_db()
    assert alert.confirmed_at is not None

    assert send_daily_digests() == 1
    assert "育婴师" in mail.outbox[-1].body


def test_the_digest_sends_only_new_postings_and_nothing_twice(care):
    alert = alert_save(
        email="li@example.com", query="category=care", frequency="daily", user=StudentFactory(email="li@example.com")
    )
    first = JobPostingFactory(category=care, title="育婴师")
    second = JobPostingFactory(category=care, title="保洁员")
    JobPostingFactory(title="程序员")  # another category
    JobPostingFactory(category=care, title="草稿", status="draft")

    assert send_job_alert_digests.delay().get() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert (
        "育婴师" in digest.body
        and "保洁员" in digest.body
        and "程序员" not in digest.body
        and "草稿" not in digest.body
    )
    assert set(AlertDelivery.objects.filter(alert=alert).values_list("posting_id", flat=True)) == {first.pk, second.pk}

    assert send_daily_digests() == 0  # twice: nothing new, no mail
    assert len(mail.outbox) == 1

    JobPostingFactory(category=care, title="月嫂")
    assert send_daily_digests() == 1
    assert "月嫂" in mail.outbox[-1].body and "育婴师" not in mail.outbox[-1].body


def test_every_mail_has_a_one_click_unsubscribe(care):
    alert_save(email="li@example.com", query="", frequency="daily", user=StudentFactory(email="li@example.com"))
    JobPostingFactory(category=care)
    send_daily_digests()
    message = mail.outbox[0]
    unsubscribe = link_in(message, "/jobs/alerts/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A mail app's one-click POST carries no CSRF token.
    mail_app = Client(enforce_csrf_checks=True)
    response = mail_app.post(local(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not JobAlert.objects.exists()

    JobPostingFactory(category=care)
    assert send_daily_digests() == 0
    assert len(mail.outbox) == 1


def test_the_unsubscribe_link_asks_before_it_stops_the_alert(client, care):
    alert = alert_save(
        email="li@example.com", query="category=care", frequency="instant", user=StudentFactory(email="li@example.com")
    )
    url = f"/en/jobs/alerts/unsubscribe/{alert.token}/"
    page = client.get(url)
    assert "Stop this job alert" in page.content.decode() and "Housekeeping" in page.content.decode()
    assert JobAlert.objects.filter(pk=alert.pk).exists()  # following the link alone stops nothing
    done = client.post(url)
    assert "You are unsubscribed" in done.content.decode()
    assert not JobAlert.objects.filter(pk=alert.pk).exists()
    assert client.get(url).status_code == 404


def test_publishing_mails_matching_instant_alerts_once(care, django_capture_on_commit_callbacks):
    graduate = StudentFactory(email="zhao@example.com")
    instant = alert_save(email="zhao@example.com", query="category=care", frequency="instant", user=graduate)
    other = alert_save(email="zhao@example.com", query="district=yiyang", frequency="instant", user=graduate)
    daily = alert_save(email="zhao@example.com", query="", frequency="daily", user=graduate)
    unconfirmed = alert_save(email="someone@example.com", query="", frequency="instant")
    mail.outbox.clear()
    posting = JobPostingFactory(category=care, status="pending", published_at=None, title="育婴师")

    with django_capture_on_commit_callbacks(execute=True):
        services.posting_review(posting=posting, reviewer=StaffFactory(), approve=True)
    assert [message.to for message in mail.outbox] == [["zhao@example.com"]]
    assert "育婴师" in mail.outbox[0].body
    assert AlertDelivery.objects.filter(alert=instant).count() == 1
    for alert in (other, daily, unconfirmed):
        assert not AlertDelivery.objects.filter(alert=alert).exists()

    # Saving the published posting again announces it again, and nobody is mailed twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.announce_published(posting)
    assert len(mail.outbox) == 1


def test_saving_the_same_search_twice_keeps_one_alert(care):
    graduate = StudentFactory(email="li@example.com")
    alert_save(email="li@example.com", query="category=care", frequency="daily", user=graduate)
    alert_save(email="li@example.com", query="category=care", frequency="instant", user=graduate)
    assert JobAlert.objects.get().frequency == "instant"


def test_a_bad_address_is_refused_with_a_message_and_kept_to_correct(client):
    response = client.post("/en/jobs/alerts/", {"email": "not-an-address", "frequency": "daily"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page and 'value="not-an-address"' in page
    assert not JobAlert.objects.exists()


def test_alerts_mail_in_the_graduates_language(care):
    graduate = StudentFactory(email="li@example.com", language="en")
    alert_save(email="li@example.com", query="category=care", frequency="daily", user=graduate)
    JobPostingFactory(category=care)
    send_daily_digests()
    assert "New jobs for your search “Housekeeping”" in mail.outbox[0].body
    assert "/en/jobs/" in mail.outbox[0].body
