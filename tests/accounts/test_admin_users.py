from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from accounts.roles import Role
from tests.factories import UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_create_an_instructor_account_in_the_back_office(admin_client):
    instructors = Group.objects.get(name=Role.INSTRUCTOR)

    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "phone": "138 1111 2222",
            "display_name": "赵老师",
            "email": "",
            "password1": "teach-luoyang-2026",
            "password2": "teach-luoyang-2026",
            "groups": [instructors.pk],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    teacher = User.objects.get(phone="13811112222")
    assert teacher.display_name == "赵老师"
    assert teacher.has_role(Role.INSTRUCTOR)


def test_the_back_office_refuses_a_bad_mobile_number(admin_client):
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {"phone": "999", "display_name": "X", "password1": "teach-luoyang-2026", "password2": "teach-luoyang-2026"},
    )

    assert response.status_code == 200
    assert "请输入有效的中国大陆手机号" in response.content.decode()


def test_staff_edit_a_user_and_the_user_list_shows_names(admin_client):
    user = UserFactory(display_name="孙悦")

    listing = admin_client.get(reverse("wagtailusers_users:index"))
    edit = admin_client.get(reverse("wagtailusers_users:edit", args=[user.pk]))

    assert "孙悦" in listing.content.decode()
    assert edit.status_code == 200


def test_a_staff_member_changes_their_own_display_name_on_the_account_page(client):
    staff = UserFactory(is_staff=True, role=Role.STAFF, display_name="陈静")
    client.force_login(staff)

    page = client.get(reverse("wagtailadmin_account"))
    client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-display_name": "陈静老师",
            "name_email-email": staff.email,
            "locale-preferred_language": "zh-hans",
            "locale-current_time_zone": "Asia/Shanghai",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "theme-keyboard_shortcuts": "on",
        },
    )

    assert page.status_code == 200
    staff.refresh_from_db()
    assert staff.display_name == "陈静老师"
