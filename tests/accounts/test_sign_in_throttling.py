"""Sign-in throttling (django-axes, accounts/lockout.py): five failures for one account from one address
lock that pair out for 15 minutes, on the site's form, the API's token and the admin alike."""

import datetime

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from accounts.tasks import forget_old_sign_ins
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign_in")
TOKEN = reverse("api:token")
ADMIN_SIGN_IN = reverse("wagtailadmin_login")
SIGN_UP = reverse("accounts:sign_up")


def fail(client, url, account, times=5):
    """Wrong passwords; the fifth failure is already answered with the lockout."""
    for attempt in range(1, times + 1):
        response = client.post(url, {"username": account, "password": "wrong"})
        assert response.status_code == (429 if attempt == 5 else 400 if url == TOKEN else 200)
    return response


def test_after_five_failures_even_the_right_password_waits_with_a_clear_message(client, password):
    user = UserFactory(phone="13700001111")
    # Typed five different ways, it is one account.
    for account in ("13700001111", "137 0000 1111", "+86 137-0000-1111", "0086 13700001111", "137-0000-1111"):
        client.post(SIGN_IN, {"username": account, "password": "wrong"})

    response = client.post(SIGN_IN, {"username": "13700001111", "password": password})

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "该账号登录失败次数过多，请等待 15 分钟后再试，或重设密码。" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().username == user.phone


def test_the_message_is_in_english_on_the_english_site(client):
    UserFactory(email="wei@example.com")
    fail(client, "/en" + SIGN_IN, "WEI@example.com", times=4)

    response = client.post("/en" + SIGN_IN, {"username": "wei@example.com", "password": "wrong"})

    assert response.status_code == 429
    assert "Too many failed sign-ins for this account. Wait 15 minutes" in response.content.decode()


def test_another_account_or_address_is_not_locked_out_and_a_success_starts_the_count_again(client, password):
    UserFactory(phone="13700001111")
    UserFactory(phone="13700002222")
    fail(client, SIGN_IN, "13700001111")
    # A classmate behind the same router is not locked out by it.
    assert client.post(SIGN_IN, {"username": "13700002222", "password": password}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")

    response = elsewhere.post(SIGN_IN, {"username": "13700001111", "password": password})
    assert response.status_code == 302

    # From there, four more failures and the right password still signs in: the success reset the count.
    fresh = Client(REMOTE_ADDR="10.0.0.9")
    fail(fresh, SIGN_IN, "13700001111", times=4)
    assert fresh.post(SIGN_IN, {"username": "13700001111", "password": password}).status_code == 302


def test_the_api_token_is_throttled_too_with_a_json_refusal(client, password):
    UserFactory(phone="13700001111")
    fail(client, TOKEN, "13700001111")

    response = client.post(TOKEN, {"username": "13700001111", "password": password})

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json()["code"] == "locked_out"
    assert "15 分钟" in response.json()["detail"]
    assert "token" not in response.json()


def test_a_lockout_at_the_admin_sign_in_answers_with_the_admin_sign_in_page(client, password):
    staff = StaffFactory(phone="13700003333")

    locked = fail(client, ADMIN_SIGN_IN, "137 0000 3333")
    response = client.post(ADMIN_SIGN_IN, {"username": "13700003333", "password": password, "next": "/admin/pages/"})

    for answer in (locked, response):
        assert answer.status_code == 429
        assert answer["Retry-After"] == "900"
        html = answer.content.decode()
        # Wagtail's own sign-in page, in the page's language, saying why and for how long, not "wrong
        # password" (the right one was just refused) and not the public site's form.
        assert "登录Wagtail" in html and 'class="login-form"' in html
        assert f'href="{SIGN_UP}"' not in html
        assert "该账号登录失败次数过多，请等待 15 分钟后再试，或重设密码。" in html
        assert "密码不匹配" not in html
    assert 'value="/admin/pages/"' in response.content.decode()  # where the person was going, kept
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("wagtailadmin_home")).status_code == 302

    # The same account and address are locked out of the site's form too, which answers as before.
    site = client.post(SIGN_IN, {"username": staff.phone, "password": password})
    assert site.status_code == 429
    assert f'href="{SIGN_UP}"' in site.content.decode() and "登录Wagtail" not in site.content.decode()
    assert "该账号登录失败次数过多，请等待 15 分钟后再试，或重设密码。" in site.content.decode()


def test_staff_lift_a_lockout_in_the_admin(client, password):
    UserFactory(phone="13700001111")
    fail(client, SIGN_IN, "13700001111")
    attempt = AccessAttempt.objects.get()
    staff = Client()
    staff.force_login(StaffFactory())

    listing = staff.get(reverse("sign_in_lockouts:index"))
    assert listing.status_code == 200
    assert "13700001111" in listing.content.decode()
    assert staff.post(reverse("sign_in_lockouts:delete", args=[attempt.pk])).status_code == 302

    response = client.post(SIGN_IN, {"username": "13700001111", "password": password})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()


def test_sign_ins_and_failures_are_kept_six_months_then_forgotten_by_beat(client, password):
    user = UserFactory(phone="13700001111")
    client.post(SIGN_IN, {"username": user.phone, "password": "wrong"})
    client.post(SIGN_IN, {"username": user.phone, "password": password})
    assert AccessFailureLog.objects.filter(username=user.phone).count() == 1
    assert AccessLog.objects.filter(username=user.phone).count() == 1
    # The same two, recorded just over six months ago.
    long_ago = timezone.now() - datetime.timedelta(days=181)
    for records in (AccessFailureLog, AccessLog):
        old = records.objects.get()
        old.pk = None
        old.save()
        records.objects.filter(pk=old.pk).update(attempt_time=long_ago)

    assert forget_old_sign_ins() == 2
    assert forget_old_sign_ins() == 0

    assert AccessLog.objects.count() == AccessFailureLog.objects.count() == 1
    assert any(entry["task"] == forget_old_sign_ins.name for entry in settings.CELERY_BEAT_SCHEDULE.values())
