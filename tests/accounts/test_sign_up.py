from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

import pytest

from accounts.roles import Role
from tests.factories import UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db

SIGN_UP = reverse("accounts:sign_up")


def sign_up_data(**overrides):
    data = {
        "display_name": "刘芳",
        "phone": "+86 139-1234-5678",
        "email": "Liu.Fang@Example.com",
        "password1": "qiuzhi-2026-luoyang",
        "password2": "qiuzhi-2026-luoyang",
    }
    return {**data, **overrides}


def test_a_visitor_signs_up_as_a_student_and_is_signed_in(client):
    response = client.post(SIGN_UP, sign_up_data(), follow=True)

    user = User.objects.get()
    assert user.phone == "13912345678"
    assert user.email == "liu.fang@example.com"
    assert user.has_role(Role.STUDENT)
    assert response.context["user"] == user
    assert "刘芳，欢迎您" in response.content.decode()


def test_sign_up_sends_a_welcome_email_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGN_UP, sign_up_data())

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["liu.fang@example.com"]
    assert "欢迎加入百佳商务培训" in mail.outbox[0].subject
    assert User.objects.get().welcomed_at is not None


def test_sign_up_without_email_sends_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(SIGN_UP, sign_up_data(email=""))

    assert User.objects.get().email == ""
    assert callbacks == []
    assert mail.outbox == []


def test_an_invalid_mobile_number_is_refused_in_chinese_and_the_form_keeps_what_was_typed(client):
    response = client.post(SIGN_UP, sign_up_data(phone="12345"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "请输入有效的中国大陆手机号" in page
    assert 'value="刘芳"' in page
    assert 'value="liu.fang@example.com"' in page or 'value="Liu.Fang@Example.com"' in page
    assert not User.objects.exists()


def test_a_taken_email_is_refused_whatever_its_letter_case(client):
    UserFactory(email="liu.fang@example.com")

    response = client.post(SIGN_UP, sign_up_data(email="LIU.FANG@example.com"))

    assert "该邮箱已注册" in response.content.decode()
    assert User.objects.count() == 1


def test_a_taken_mobile_number_is_refused(client):
    UserFactory(phone="13912345678")

    response = client.post(SIGN_UP, sign_up_data())

    assert "该手机号已注册" in response.content.decode()


def test_a_weak_password_is_refused_with_the_reason(client):
    response = client.post(SIGN_UP, sign_up_data(password1="12345678", password2="12345678"))

    page = response.content.decode()
    assert "这个密码太常见了" in page or "密码全是数字" in page
    assert 'value="刘芳"' in page
    assert not User.objects.exists()


def test_errors_speak_english_to_a_visitor_who_chose_english(client):
    response = client.post("/en" + SIGN_UP, sign_up_data(phone="12345"))

    assert "Enter a valid mainland China mobile number" in response.content.decode()


def test_the_phone_field_brings_up_the_phone_keypad(client):
    page = client.get(SIGN_UP).content.decode()

    assert 'type="tel"' in page
    assert 'type="email"' in page


def test_someone_who_signs_up_in_english_hears_from_the_school_in_english(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en" + SIGN_UP, sign_up_data())

    assert User.objects.get().language == "en"
    assert mail.outbox[0].subject == "Welcome to Baijia Training"
