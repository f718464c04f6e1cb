from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from accounts.roles import Role
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_created_by_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_staff_may_use_the_back_office_and_edit_pages():
    staff = StaffFactory()

    assert staff.has_perm("wagtailadmin.access_admin")
    assert staff.has_perm("cms.change_schoolsettings")


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.MERCHANT])
def test_other_roles_are_kept_out_of_the_back_office(client, role):
    client.force_login(UserFactory(role=role))

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_staff_sign_in_to_the_back_office_with_their_mobile_number(client, password):
    StaffFactory(phone="13800000004")

    response = client.post(reverse("wagtailadmin_login"), {"username": "13800000004", "password": password})
    dashboard = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 302
    assert dashboard.status_code == 200


def test_staff_can_edit_the_home_page_in_the_back_office(client):
    from cms.models import HomePage

    client.force_login(StaffFactory())
    home = HomePage.objects.get()

    response = client.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))

    assert response.status_code == 200
