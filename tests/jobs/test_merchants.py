"""A business joins the job board: it applies online with its licence, waits for the school's review,
hears the decision, keeps its profile, and its owner invites colleagues."""

import datetime
import io

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

import pytest
from PIL import Image

from accounts.models import Notification
from jobs import services
from jobs.forms_merchant import LICENCE_MAX_BYTES
from jobs.models import Merchant, MerchantInvitation, MerchantMember
from tests.factories import MerchantFactory, MerchantMemberFactory, MerchantUserFactory, UserFactory, credit_code_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def application(**overrides) -> dict:
    data = {
        "name": "洛阳好邻居超市有限公司",
        "credit_code": credit_code_for(900001),
        "industry": "retail",
        "district": "xigong",
        "address": "西工区中州中路 100 号",
        "contact_name": "刘芳",
        "contact_phone": "0379-6000 0000",
        "description": "社区连锁超市。",
        "licence": SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def applicant(client):
    user = UserFactory()
    client.force_login(user)
    return user


# --- Applying ---------------------------------------------------------------------------------------


def test_a_visitor_is_sent_to_sign_in_or_up_and_comes_back_to_the_application(client):
    response = client.get(en("jobs:merchant_apply"))

    assert response.status_code == 302
    sign_in = client.get(response.url)
    next_url = en("jobs:merchant_apply")
    assert sign_in.context["next"] == next_url
    # The "create an account" link keeps the way back, and sign-up returns there.
    assert f"?next={next_url}" in sign_in.content.decode()
    signed_up = client.post(
        en("accounts:sign_up") + f"?next={next_url}",
        {
            "display_name": "刘芳",
            "phone": "13912345678",
            "password1": "a-long-enough-password-1",
            "password2": "a-long-enough-password-1",
            "next": next_url,
        },
    )
    assert signed_up.status_code == 302, signed_up.context["form"].errors if signed_up.context else ""
    assert signed_up.url == next_url


def test_a_business_applies_and_sees_that_it_awaits_review(client, applicant):
    response = client.post(en("jobs:merchant_apply"), application(), follow=True)

    merchant = Merchant.objects.get()
    assert merchant.status == "pending" and merchant.credit_code == credit_code_for(900001)
    assert MerchantMember.objects.get(merchant=merchant).user == applicant
    assert MerchantMember.objects.get(merchant=merchant).role == "owner"
    assert "Your application awaits review" in response.content.decode()
    # The licence lives in private storage under a name that says what it is, not what it was called.
    assert merchant.licence.path.startswith(str(storages["private"].location))
    assert merchant.licence.name.startswith("merchant-licences/") and merchant.licence.name.endswith(".pdf")
    assert "营业执照" not in merchant.licence.name
    assert merchant.licence.open("rb").read() == PDF


def test_a_photo_of_the_licence_is_accepted(client, applicant):
    photo = SimpleUploadedFile("licence.PNG", png_bytes(), content_type="image/png")

    client.post(en("jobs:merchant_apply"), application(licence=photo))

    assert Merchant.objects.get().licence.name.endswith(".png")


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("licence.pdf", EXE),  # a program renamed to .pdf
        ("licence.pdf", b"This is just text pretending to be a PDF.\n"),
        ("licence.jpg", b"not a photo at all"),
        ("licence.png", png_bytes()[:40]),  # a broken image
    ],
)
def test_a_licence_is_checked_by_its_content_not_its_name(client, applicant, filename, content):
    upload = SimpleUploadedFile(filename, content, content_type="application/pdf")

    response = client.post(en("jobs:merchant_apply"), application(licence=upload))

    assert response.status_code == 200
    assert not Merchant.objects.exists()
    assert "must be a JPEG or PNG photo or a PDF scan" in response.content.decode()


def test_a_licence_over_5_mb_is_refused(client, applicant):
    upload = SimpleUploadedFile("licence.pdf", PDF + b"0" * LICENCE_MAX_BYTES, content_type="application/pdf")

    response = client.post(en("jobs:merchant_apply"), application(licence=upload))

    assert not Merchant.objects.exists()
    assert "at most 5 MB" in response.content.decode()


def test_a_mistyped_credit_code_is_explained_and_nothing_typed_is_lost(client, applicant):
    wrong = credit_code_for(900001)[:-1] + ("0" if credit_code_for(900001)[-1] != "0" else "1")

    response = client.post(en("jobs:merchant_apply"), application(credit_code=wrong))

    page = response.content.decode()
    assert not Merchant.objects.exists()
    assert "does not add up" in page
    assert "洛阳好邻居超市有限公司" in page and "西工区中州中路 100 号" in page and wrong in page
    # A browser cannot keep the chosen file: the merchant is told to choose it again.
    assert "Choose the licence file again" in page


def test_the_credit_code_is_accepted_in_lower_case_with_spaces_and_stored_normalised(client, applicant):
    code = credit_code_for(900002)

    client.post(en("jobs:merchant_apply"), application(credit_code=f" {code[:9].lower()} {code[9:]} "))

    assert Merchant.objects.get().credit_code == code


def test_a_business_already_registered_is_told_to_ask_its_owner(client, applicant):
    existing = MerchantFactory()

    response = client.post(en("jobs:merchant_apply"), application(credit_code=existing.credit_code.lower()))

    assert Merchant.objects.count() == 1
    assert "ask its owner to invite you" in response.content.decode()


# --- The review's outcome ---------------------------------------------------------------------------


def test_the_owner_is_told_of_approval_and_can_then_post(client, applicant, staff_user):
    client.post(en("jobs:merchant_apply"), application())
    merchant = Merchant.objects.get()
    assert client.get(en("jobs:merchant_posting_new", merchant.pk)).status_code == 302  # not yet

    services.merchant_review(merchant=merchant, reviewer=staff_user, approve=True)

    notice = Notification.objects.get(recipient=applicant)
    assert merchant.name in notice.subject and notice.link == "/jobs/merchant/"
    assert client.get(en("jobs:merchant_posting_new", merchant.pk)).status_code == 200
    # Once approved, the workspace leads to the candidates too.
    assert en("jobs:candidates") in client.get(en("jobs:merchant_dashboard", merchant.pk)).content.decode()


def test_the_owner_sees_why_the_business_was_rejected(client, applicant, staff_user):
    client.post(en("jobs:merchant_apply"), application())
    merchant = Merchant.objects.get()

    services.merchant_review(merchant=merchant, reviewer=staff_user, approve=False, reason="营业执照照片不清楚")

    assert Notification.objects.filter(recipient=applicant, body__contains="营业执照照片不清楚").exists()
    page = client.get(en("jobs:merchant_dashboard", merchant.pk)).content.decode()
    assert "was not approved" in page and "营业执照照片不清楚" in page


# --- The workspace and its profile ------------------------------------------------------------------


def test_someone_elses_workspace_is_not_found(client):
    mine, theirs = MerchantFactory(), MerchantFactory()
    user = MerchantUserFactory()
    MerchantMemberFactory(merchant=mine, user=user, role="owner")
    client.force_login(user)

    assert client.get(en("jobs:merchant_dashboard", theirs.pk)).status_code == 404
    assert client.get(en("jobs:merchant_members", theirs.pk)).status_code == 404
    assert client.get(en("jobs:merchant_profile", theirs.pk)).status_code == 404
    assert client.get(en("jobs:merchant_home")).url == en("jobs:merchant_dashboard", mine.pk)


def test_the_owner_edits_the_profile_and_a_recruiter_cannot(client):
    owner, recruiter = MerchantUserFactory(), MerchantUserFactory()
    merchant = MerchantFactory(owner=owner)
    MerchantMemberFactory(merchant=merchant, user=recruiter)

    client.force_login(recruiter)
    assert client.get(en("jobs:merchant_profile", merchant.pk)).status_code == 403
    client.force_login(owner)
    client.post(
        en("jobs:merchant_profile", merchant.pk),
        {
            "description": "二十年老店",
            "address": "新地址 1 号",
            "contact_name": "王经理",
            "contact_phone": "13800000001",
        },
    )

    merchant.refresh_from_db()
    assert (merchant.description, merchant.contact_name) == ("二十年老店", "王经理")


# --- Colleagues -------------------------------------------------------------------------------------


def test_the_owner_invites_a_colleague_who_joins_through_the_link(client):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(owner=owner)
    colleague = UserFactory(phone="13711112222")
    client.force_login(owner)

    client.post(en("jobs:merchant_members", merchant.pk), {"contact": "+86 137-1111-2222", "role": "recruiter"})

    invitation = MerchantInvitation.objects.get()
    assert invitation.contact == "13711112222"
    members_page = client.get(en("jobs:merchant_members", merchant.pk)).content.decode()
    assert reverse("jobs:invitation", args=[invitation.token]).split("/jobs/")[1] in members_page
    # Already signed up at that number: the invitation is in their inbox too.
    assert Notification.objects.filter(recipient=colleague, subject__contains=merchant.name).exists()

    client.force_login(colleague)
    assert merchant.name in client.get(en("jobs:invitation", invitation.token)).content.decode()
    joined = client.post(en("jobs:invitation", invitation.token))

    assert joined.url == en("jobs:merchant_dashboard", merchant.pk)
    assert MerchantMember.objects.get(merchant=merchant, user=colleague).role == "recruiter"
    assert colleague.has_role("merchant")
    again = client.post(en("jobs:invitation", invitation.token), follow=True)
    assert "has been used" in again.content.decode()


def test_a_visitor_opening_an_invitation_signs_in_first(client):
    invitation = services.invite_member(
        merchant=(merchant := MerchantFactory(owner=(owner := MerchantUserFactory()))),
        invited_by=owner,
        contact="new@example.com",
    )

    response = client.get(en("jobs:invitation", invitation.token))

    assert response.status_code == 302 and "next=" in response.url
    assert merchant.members.count() == 1


def test_an_invitation_is_only_for_the_account_it_was_sent_to(client):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(owner=owner)
    invitation = services.invite_member(merchant=merchant, invited_by=owner, contact="13711113333")
    someone_else = UserFactory(phone="13711114444")
    client.force_login(someone_else)

    page = client.post(en("jobs:invitation", invitation.token), follow=True).content.decode()

    assert "sent to another mobile number or e-mail address" in page and "13711113333" not in page
    assert not MerchantMember.objects.filter(user=someone_else).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # still there for the colleague it was meant for


def test_an_invitation_expires_after_two_weeks(client):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(owner=owner)
    invitation = services.invite_member(merchant=merchant, invited_by=owner, contact="late@example.com")
    MerchantInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - services.INVITATION_VALID_FOR - datetime.timedelta(minutes=1)
    )
    client.force_login(UserFactory(email="LATE@example.com"))

    page = client.post(en("jobs:invitation", invitation.token), follow=True).content.decode()

    assert "This invitation has expired" in page
    assert merchant.members.count() == 1


def test_an_unknown_invitation_is_not_found(client, applicant):
    assert client.get(en("jobs:invitation", "no-such-token")).status_code == 404


def test_a_recruiter_cannot_invite(client):
    recruiter = MerchantUserFactory()
    merchant = MerchantFactory(owner=MerchantUserFactory())
    MerchantMemberFactory(merchant=merchant, user=recruiter)
    client.force_login(recruiter)

    response = client.post(en("jobs:merchant_members", merchant.pk), {"contact": "13700000009", "role": "owner"})

    assert response.status_code == 403
    assert "Only the merchant&#x27;s owner can invite colleagues." in response.content.decode()
    assert not MerchantInvitation.objects.exists()


def test_an_invitation_needs_a_real_mobile_or_e_mail(client):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(owner=owner)
    client.force_login(owner)

    response = client.post(en("jobs:merchant_members", merchant.pk), {"contact": "12345", "role": "recruiter"})

    assert response.status_code == 400 and "mobile number" in response.content.decode()
    assert not MerchantInvitation.objects.exists()


def test_someone_without_a_business_is_invited_to_apply(client, applicant):
    page = client.get(en("jobs:merchant_home")).content.decode()

    assert "You do not work for a partner merchant yet" in page and en("jobs:merchant_apply") in page


def test_someone_working_for_two_businesses_chooses_one(client):
    user = MerchantUserFactory()
    first, second = MerchantFactory(name="甲公司", owner=user), MerchantFactory(name="乙公司", status="pending")
    MerchantMemberFactory(merchant=second, user=user)
    client.force_login(user)

    page = client.get(en("jobs:merchant_home")).content.decode()

    assert en("jobs:merchant_dashboard", first.pk) in page and en("jobs:merchant_dashboard", second.pk) in page
    assert "Awaiting review" in page
    assert "Business profile" in client.get(en("jobs:merchant_profile", first.pk)).content.decode()
