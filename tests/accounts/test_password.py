import re

from django.core import mail
from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def test_a_signed_in_user_changes_their_password(client, student, password):
    client.force_login(student)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "luoyang-peony-2027", "new_password2": "luoyang-peony-2027"},
        follow=True,
    )

    assert "密码已修改" in response.content.decode()
    student.refresh_from_db()
    assert student.check_password("luoyang-peony-2027")


def test_password_change_needs_sign_in(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert reverse("accounts:sign_in") in response.url


def test_a_user_resets_a_forgotten_password_through_the_emailed_link(client, student):
    client.post(reverse("accounts:password_reset"), {"email": student.email.upper()})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "mudan-flower-2027", "new_password2": "mudan-flower-2027"},
        follow=True,
    )

    assert "新密码已保存" in response.content.decode()
    student.refresh_from_db()
    assert student.check_password("mudan-flower-2027")


def test_reset_for_an_unknown_email_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert "请查收邮件" in response.content.decode()
    assert mail.outbox == []
