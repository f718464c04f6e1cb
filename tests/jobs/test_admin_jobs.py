"""School staff review merchants and postings in the back office, and keep the job categories."""

from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from accounts.models import Notification
from accounts.roles import Role
from jobs.models import JobCategory, JobPosting, Merchant
from tests.factories import (
    JobPostingFactory,
    MerchantFactory,
    MerchantUserFactory,
    ProgramFactory,
    UserFactory,
    credit_code_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_staff_hold_the_job_board_permissions():
    codenames = set(Group.objects.get(name=Role.STAFF).permissions.values_list("codename", flat=True))

    assert {"view_merchant", "change_merchant", "view_jobposting", "change_jobposting"} <= codenames
    assert {"add_jobcategory", "change_jobcategory", "delete_jobcategory", "view_jobcategory"} <= codenames


def test_staff_filter_merchants_by_status_and_search_by_credit_code(staff_client):
    MerchantFactory(name="待审核的超市", status="pending", credit_code=credit_code_for(700001))
    MerchantFactory(name="已批准的家政", status="approved")

    pending = staff_client.get(reverse("jobs_merchants:index"), {"status": "pending"}).content.decode()
    found = staff_client.get(reverse("jobs_merchants:index"), {"q": credit_code_for(700001)[-6:]}).content.decode()

    assert "待审核的超市" in pending and "已批准的家政" not in pending
    assert "待审核的超市" in found and "已批准的家政" not in found


def test_staff_see_the_licence_and_approve_a_merchant(staff_client, staff_user):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(status="pending", owner=owner)

    inspect = staff_client.get(reverse("jobs_merchants:inspect", args=[merchant.pk])).content.decode()
    licence = staff_client.get(reverse("jobs_merchants:licence", args=[merchant.pk]))
    staff_client.post(reverse("jobs_merchants:approve", args=[merchant.pk]))

    assert reverse("jobs_merchants:licence", args=[merchant.pk]) in inspect
    assert licence.status_code == 200 and b"".join(licence.streaming_content).startswith(b"%PDF-")
    merchant.refresh_from_db()
    assert merchant.status == "approved" and merchant.reviewed_by == staff_user
    assert Notification.objects.filter(recipient=owner, subject__contains=merchant.name).exists()


def test_a_rejection_needs_a_reason_which_the_merchant_is_sent(staff_client):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(status="pending", owner=owner)
    url = reverse("jobs_merchants:reject", args=[merchant.pk])

    without = staff_client.post(url, {"reason": ""})
    merchant.refresh_from_db()
    assert without.status_code == 200 and merchant.status == "pending"

    staff_client.post(url, {"reason": "执照已过期"})
    merchant.refresh_from_db()
    assert (merchant.status, merchant.review_reason) == ("rejected", "执照已过期")
    assert Notification.objects.filter(recipient=owner, body__contains="执照已过期").exists()


def test_staff_trust_an_approved_merchant_and_not_a_pending_one(staff_client):
    approved, pending = MerchantFactory(), MerchantFactory(status="pending")

    staff_client.post(reverse("jobs_merchants:trust", args=[approved.pk]))
    staff_client.post(reverse("jobs_merchants:trust", args=[pending.pk]))

    approved.refresh_from_db()
    pending.refresh_from_db()
    assert approved.trusted and not pending.trusted
    staff_client.post(reverse("jobs_merchants:trust", args=[approved.pk]))
    approved.refresh_from_db()
    assert not approved.trusted


@pytest.mark.parametrize("who", ["merchant_owner", "student", "anonymous"])
def test_only_staff_see_a_licence_or_review(client, student, who):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(status="pending", owner=owner)
    if who == "merchant_owner":
        client.force_login(owner)
    elif who == "student":
        client.force_login(student)

    licence = client.get(reverse("jobs_merchants:licence", args=[merchant.pk]))
    approve = client.post(reverse("jobs_merchants:approve", args=[merchant.pk]))

    assert licence.status_code in (302, 403) and approve.status_code in (302, 403)
    assert not getattr(licence, "streaming", False)
    merchant.refresh_from_db()
    assert merchant.status == "pending"


def test_a_staff_member_without_the_permission_cannot_review(client):
    # is_staff but not in the staff group: no back-office permissions.
    client.force_login(UserFactory(is_staff=True, role=Role.STAFF, is_superuser=False))
    Group.objects.get(name=Role.STAFF).permissions.filter(codename="change_merchant").delete()
    merchant = MerchantFactory(status="pending")

    assert client.post(reverse("jobs_merchants:approve", args=[merchant.pk])).status_code in (302, 403)
    merchant.refresh_from_db()
    assert merchant.status == "pending"


def test_staff_cannot_add_or_delete_merchants_in_the_back_office(staff_client):
    merchant = MerchantFactory()

    assert staff_client.get(reverse("jobs_merchants:add")).status_code in (302, 403)
    assert staff_client.post(reverse("jobs_merchants:delete", args=[merchant.pk])).status_code in (302, 403)
    assert Merchant.objects.filter(pk=merchant.pk).exists()


def test_the_review_queue_lists_pending_postings_and_approves_one(staff_client):
    owner = MerchantUserFactory()
    waiting = JobPostingFactory(title="待审职位", status="pending", published_at=None, merchant__owner=owner)
    JobPostingFactory(title="已发布职位")

    queue = staff_client.get(reverse("jobs_posting_review:index")).content.decode()
    inspect = staff_client.get(reverse("jobs_posting_review:inspect", args=[waiting.pk])).content.decode()
    staff_client.post(reverse("jobs_posting_review:approve", args=[waiting.pk]))

    assert "待审职位" in queue and "已发布职位" not in queue
    assert "负责婴幼儿日常照护" in inspect
    waiting.refresh_from_db()
    assert waiting.status == "published" and waiting.published_at is not None
    assert Notification.objects.filter(recipient=owner, subject__contains="待审职位").exists()


def test_a_posting_is_returned_with_a_reason(staff_client):
    owner = MerchantUserFactory()
    waiting = JobPostingFactory(status="pending", merchant__owner=owner)
    url = reverse("jobs_posting_review:return", args=[waiting.pk])

    staff_client.post(url, {"reason": ""})
    waiting.refresh_from_db()
    assert waiting.status == "pending"

    staff_client.post(url, {"reason": "请写明工作时间"})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.review_reason) == ("rejected", "请写明工作时间")
    assert Notification.objects.filter(recipient=owner, body__contains="请写明工作时间").exists()


def test_the_back_office_never_edits_a_posting(staff_client):
    posting = JobPostingFactory(status="pending")

    response = staff_client.post(reverse("jobs_posting_review:edit", args=[posting.pk]), {"title": "改过的"})

    assert response.status_code in (302, 403)
    assert JobPosting.objects.get(pk=posting.pk).title == posting.title


def test_staff_keep_job_categories_mapped_to_programs(staff_client):
    program = ProgramFactory()

    staff_client.post(
        reverse("jobs_categories:add"),
        {"name": "收银理货", "name_en": "Cashier", "slug": "cashier", "programs": [program.pk], "sort_order": 1},
    )

    category = JobCategory.objects.get(slug="cashier")
    assert category.name_en == "Cashier" and list(category.programs.all()) == [program]
