from django.urls import reverse

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign_in")


@pytest.mark.parametrize("account", ["13700001111", "137 0000 1111", "+86 137-0000-1111", "WEI@example.com"])
def test_a_user_signs_in_with_mobile_or_email(client, password, account):
    user = UserFactory(phone="13700001111", email="wei@example.com")

    response = client.post(SIGN_IN, {"username": account, "password": password}, follow=True)

    assert response.context["user"] == user


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    UserFactory(phone="13700001111")

    response = client.post(SIGN_IN, {"username": "13700001111", "password": "wrong"})

    assert "手机号（或邮箱）与密码不匹配" in response.content.decode()
    assert 'value="13700001111"' in response.content.decode()


def test_a_disabled_account_cannot_sign_in(client, password):
    UserFactory(phone="13700001111", is_active=False)

    response = client.post(SIGN_IN, {"username": "13700001111", "password": password})

    assert not response.context["user"].is_authenticated


def test_sign_out_ends_the_session(client, student):
    client.force_login(student)

    client.post(reverse("accounts:sign_out"))

    assert "_auth_user_id" not in client.session


def test_after_sign_in_the_user_returns_to_the_page_they_came_from(client, password, student):
    response = client.post(f"{SIGN_IN}?next=/accounts/password/", {"username": student.phone, "password": password})

    assert response.url == "/accounts/password/"
