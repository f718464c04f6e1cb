from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

import pytest

from accounts.roles import Role
from cms.models import SchoolSettings

User = get_user_model()
pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_account_per_role_and_prints_how_to_sign_in():
    output = seed()

    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists()
    assert "13800000004" in output and "baijia-demo-2026" in output
    assert SchoolSettings.objects.get().address.startswith("河南省洛阳市")


def test_seed_demo_is_idempotent_and_deterministic():
    seed()
    first = sorted(User.objects.values_list("phone", "display_name"))
    seed()

    assert sorted(User.objects.values_list("phone", "display_name")) == first


def test_seed_demo_scales():
    seed("--scale", "2")

    # --scale 2 adds 2 × 20 students (phones 13900000000 and up) beside the fixed demo accounts.
    assert User.objects.filter(groups__name=Role.STUDENT, phone__startswith="1390000").count() == 40


def test_the_seeded_staff_account_signs_in_to_the_back_office(client):
    seed()

    client.post("/admin/login/", {"username": "13800000004", "password": "baijia-demo-2026"})

    assert client.get("/admin/").status_code == 200
