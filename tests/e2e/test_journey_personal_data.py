"""Journey 5: a student on her phone opens "My data", downloads everything the school holds about her as
JSON, and asks for it to be deleted, confirming that she understands her account will be closed."""

import json
from pathlib import Path

from django.utils import translation

import pytest

from accounts.models import DeletionRequest
from tests.e2e.site import PHONE
from tests.factories import StudentFactory, StudentProfileFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("site", [(PHONE, "zh-hans"), (PHONE, "en")], ids=["phone-zh", "phone-en"], indirect=True)
def test_a_student_downloads_her_data_and_asks_for_its_deletion(site):
    student = StudentFactory(display_name="赵晓燕", phone="13903798866", email="zhao@example.com")
    StudentProfileFactory(user=student, real_name="赵晓燕")

    with translation.override(site.language):
        t = translation.gettext
        page = site.open(student)
        site.goto(page, site.url("/me/"))
        page.get_by_role("link", name=t("My data"), exact=True).click()
        site.arrive(page)
        assert page.get_by_role("heading", name=t("My data"), level=1).is_visible()
        assert page.get_by_text("13903798866").first.is_visible()
        site.shot(page, "1-my-data")

        with page.expect_download() as download:
            page.get_by_role("link", name=t("Download (JSON)")).click()
        data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        account = data["accounts"]["account"][0]
        assert (account["display_name"], account["phone"], account["email"]) == (
            "赵晓燕",
            "13903798866",
            "zhao@example.com",
        )
        assert data["school"]["student_profile"][0]["real_name"] == "赵晓燕"

        page.get_by_role("link", name=t("Ask for deletion")).click()
        site.arrive(page)
        assert page.get_by_role("heading", name=t("What is kept, and why")).is_visible()
        page.get_by_label(t("Why (optional)")).fill("我已经找到工作了" if not site.english else "I found a job")
        # Without the confirmation nothing is sent.
        page.get_by_role("button", name=t("Ask for deletion")).click()
        site.arrive(page)
        assert page.get_by_text(t("This field is required.")).is_visible()
        assert not DeletionRequest.objects.filter(user=student).exists()
        site.shot(page, "2-confirm-first")

        page.get_by_label(t("I understand that my account will be closed and cannot be restored.")).check()
        page.get_by_role("button", name=t("Ask for deletion")).click()
        site.arrive(page)
        assert page.get_by_text(t("Your request has been sent. Staff will answer within 15 working days.")).is_visible()
        asked = t(
            "You asked on %(date)s. Staff will answer within 15 working days; "
            "you will find the answer in your messages."
        )
        assert page.get_by_text(asked.split("%(date)s")[0], exact=False).is_visible()
        assert not page.get_by_role("button", name=t("Ask for deletion")).count()
        site.shot(page, "3-asked")

        page.get_by_role("link", name=t("My data"), exact=True).last.click()
        site.arrive(page)
        assert page.get_by_role("link", name=t("Your deletion request")).is_visible()

    request = DeletionRequest.objects.get(user=student)
    assert request.status == DeletionRequest.Status.REQUESTED
    assert request.reason == ("I found a job" if site.english else "我已经找到工作了")
