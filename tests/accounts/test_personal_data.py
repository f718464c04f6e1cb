"""A person's rights over their data (PIPL): a copy of everything the school holds about them, and erasure
on request that leaves issued certificates verifiable with the holder's name and nothing else personal."""

import json

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import translation

import pytest

from accounts import personal_data
from accounts.models import DeletionRequest, Notification, PersonalDataEvent
from jobs.models import (
    Application,
    CandidateInvitation,
    ConsentRecord,
    DeclaredSkill,
    EnrollmentOutcome,
    GraduateProfile,
    JobAlert,
    Placement,
)
from jobs.outcomes.rows import refresh_outcomes
from jobs.services import apply, schedule_follow_ups, set_consent
from school.identity import mask_id_card
from school.models import Attendance, Certificate, Enrollment, Score, StudentProfile
from school.services import certificates as certificate_services
from school.services import enrolment as enrolment_services
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AssessmentItemFactory,
    ClassSessionFactory,
    CohortFactory,
    CompletedEnrollmentFactory,
    EnrollmentFactory,
    GraduateProfileFactory,
    JobPostingFactory,
    MerchantMemberFactory,
    SkillFactory,
    StaffFactory,
    StudentFactory,
    StudentProfileFactory,
)

pytestmark = pytest.mark.django_db

ID_CARD = "11010519491231002X"
EMERGENCY_PHONE = "13911112222"
MESSAGE = "我很想要这份育婴师的工作"
INTRODUCTION = "做事细心，照顾过双胞胎。"
Action = PersonalDataEvent.Action


def sign_in(account: str, password: str, *, at: str, browser: str = "Mozilla/5.0 (Linux; Android 14)"):
    """A sign-in on the site's form, from the address `at` in the browser `browser`."""
    response = Client(REMOTE_ADDR=at, HTTP_USER_AGENT=browser).post(
        reverse("accounts:sign_in"), {"username": account, "password": password}
    )
    assert response.status_code == (302 if password == PASSWORD else 200)


def full_record(student, staff):
    """Something of every kind the school holds about a person; returns the things the tests look for."""
    student_profile = StudentProfileFactory(user=student, emergency_contact_phone=EMERGENCY_PHONE)
    student_profile.set_id_card(ID_CARD)
    student_profile.save()
    completed = CompletedEnrollmentFactory(student=student)
    Attendance.objects.create(
        session=ClassSessionFactory(cohort=completed.cohort), enrollment=completed, mark="present"
    )
    Score.objects.create(enrollment=completed, item=AssessmentItemFactory(course=completed.cohort.course), score=88)
    certificate = certificate_services.issue_certificate(enrollment=completed, issued_by=staff)
    # Holds a seat when the person asks for deletion (enrolled as a student does: its change is recorded).
    current = enrolment_services.enrol(student=student, cohort=CohortFactory())
    EnrollmentFactory(referred_by=student)  # someone the person brought in
    Notification.objects.create(recipient=student, subject="上课提醒", body="明天 9 点上课")

    profile = GraduateProfileFactory(
        user=student,
        introduction=INTRODUCTION,
        resume=SimpleUploadedFile("resume.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    DeclaredSkill.objects.create(profile=profile, skill=SkillFactory(), level=2)
    set_consent(user=student, granted=True, ip_address="10.0.0.8")
    posting = JobPostingFactory()
    MerchantMemberFactory(merchant=posting.merchant)  # told of the application, by name
    apply(graduate=student, posting=posting, message=MESSAGE)
    hired = ApplicationFactory(graduate=student, status="hired")
    placement = Placement.objects.create(
        application=hired,
        graduate=student,
        merchant=hired.posting.merchant,
        posting=hired.posting,
        position="育婴师",
        start_date=completed.cohort.end_date,
        pay="5200.00",
    )
    schedule_follow_ups(placement)
    member = MerchantMemberFactory(merchant=hired.posting.merchant)
    Notification.objects.create(recipient=member.user, subject="新的申请", body=f"{student.display_name} 申请了育婴师")
    JobAlert.objects.create(user=student, email=student.email, query="育婴")
    CandidateInvitation.objects.create(posting=JobPostingFactory(), graduate=student)
    MerchantMemberFactory(user=student)
    refresh_outcomes([student.pk])
    # A mistyped password on a shared computer (counting towards a lockout there), then a sign-in at home.
    sign_in(student.phone, "wrong", at="10.0.0.5")
    sign_in(student.email, PASSWORD, at="10.0.0.6")
    refused = personal_data.request_deletion(user=student, reason="想想而已")
    personal_data.refuse_deletion(request=refused, actor=staff, response="课程仍在进行")
    return {"certificate": certificate, "current": current, "profile": GraduateProfile.objects.get(user=student)}


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def alice(staff):
    student = StudentFactory(display_name="闻人小丽", email="alice@example.com")
    student.record = full_record(student, staff)
    return student


@pytest.fixture
def bob():
    student = StudentFactory(display_name="闻人大伟", email="bob@example.com")
    StudentProfileFactory(user=student, emergency_contact_phone="13955556666")
    CompletedEnrollmentFactory(student=student)
    Notification.objects.create(recipient=student, subject="闻人大伟的私信", body="只给闻人大伟")
    return student


def test_the_export_holds_every_kind_of_record_of_the_person_and_nothing_of_anyone_else(alice, bob, staff):
    data = personal_data.collect_personal_data(alice)

    for section in personal_data.sections():
        for group in section.groups:
            assert data[section.name][group.key], f"{section.name}.{group.key} is empty"
    assert data["accounts"]["account"][0]["phone"] == alice.phone
    assert data["school"]["student_profile"][0]["id_card_masked"] == mask_id_card(ID_CARD)
    assert data["school"]["certificates"][0]["verify_url"] == alice.record["certificate"].get_verify_url()
    assert MESSAGE in [application["message"] for application in data["jobs"]["applications"]]
    text = json.dumps(data, ensure_ascii=False)
    assert ID_CARD not in text  # masked only: a downloaded file travels
    for other in (bob.phone, bob.display_name, bob.email, "13955556666", "只给闻人大伟"):
        assert other not in text
    # The person alice referred and the staff who issued her certificate are not named.
    referred = Enrollment.objects.get(referred_by=alice).student
    assert referred.display_name not in text and staff.display_name not in text


def test_the_person_sees_their_sign_ins_and_failed_attempts_and_nobody_elses(client):
    alice = StudentFactory(email="Alice@Example.com")
    bob = StudentFactory()
    sign_in("ALICE@example.com", "wrong", at="203.0.113.5", browser="Alice's old laptop")
    sign_in(alice.phone, PASSWORD, at="203.0.113.6", browser="Alice's phone")
    sign_in(bob.phone, "wrong", at="198.51.100.7", browser="Bob's tablet")
    sign_in(bob.phone, PASSWORD, at="198.51.100.8", browser="Bob's phone")

    data = personal_data.collect_personal_data(alice)

    newest, oldest = data["accounts"]["sign_ins"]
    assert (newest["failed"], newest["ip_address"], newest["user_agent"]) == (False, "203.0.113.6", "Alice's phone")
    assert (oldest["failed"], oldest["ip_address"], oldest["user_agent"]) == (True, "203.0.113.5", "Alice's old laptop")
    assert newest["path"] == oldest["path"] == reverse("accounts:sign_in")
    assert newest["time"] >= oldest["time"]
    # The failure still counts towards a lockout from that laptop (the sign-in was from elsewhere).
    (counting,) = data["accounts"]["sign_in_lockout_counts"]
    assert (counting["ip_address"], counting["failures_since_start"]) == ("203.0.113.5", 1)
    text = json.dumps(data, ensure_ascii=False)
    for others in ("198.51.100.7", "198.51.100.8", "Bob's tablet", "Bob's phone"):
        assert others not in text

    client.force_login(alice)
    download = json.loads(client.get(reverse("accounts:my_data_download")).content)
    assert [r["user_agent"] for r in download["accounts"]["sign_ins"]][-2:] == ["Alice's phone", "Alice's old laptop"]
    page = client.get(reverse("accounts:my_data")).content.decode()
    assert "登录记录（含失败的尝试）" in page and "203.0.113.5" in page and "Alice&#x27;s old laptop" in page
    assert "198.51.100.7" not in page and "Bob&#x27;s tablet" not in page


def test_my_data_page_and_download_in_both_languages_each_logged(client, alice):
    client.force_login(alice)

    page = client.get(reverse("accounts:my_data"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "我的数据" in html and "申请删除" in html and "闻人小丽" in html and "育婴师" in html
    assert mask_id_card(ID_CARD) in html and ID_CARD not in html

    with translation.override("en"):
        english = client.get(reverse("accounts:my_data")).content.decode()
        asking = client.get(reverse("accounts:deletion_request")).content.decode()
    assert "My data" in english and "Student profile" in english and "Certificates" in english
    assert "What is kept, and why" in asking

    download = client.get(reverse("accounts:my_data_download"))
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"].startswith('attachment; filename="baijia-my-data-')
    assert json.loads(download.content)["accounts"]["account"][0]["email"] == "alice@example.com"

    actions = list(PersonalDataEvent.objects.filter(subject=alice, actor=alice).values_list("action", flat=True))
    assert Action.VIEWED in actions and Action.DOWNLOADED in actions


def test_the_api_gives_the_same_export_to_its_owner_only_and_is_in_the_schema(client, alice, bob):
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get("/api/v1/me/data/").status_code in (401, 403)
    api.force_authenticate(bob)
    data = api.get("/api/v1/me/data/").json()
    assert data["accounts"]["account"][0]["phone"] == bob.phone
    assert alice.phone not in json.dumps(data, ensure_ascii=False)
    assert PersonalDataEvent.objects.filter(subject=bob, actor=bob, action=Action.API).exists()

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/me/data/" in schema["paths"]


def test_nobody_signed_out_reaches_the_pages_and_students_cannot_answer_requests(client, alice, bob):
    for name in ("accounts:my_data", "accounts:my_data_download", "accounts:deletion_request"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:sign_in") in response["Location"]

    request = personal_data.request_deletion(user=alice)
    client.force_login(bob)
    answer_url = reverse("accounts_deletion_request_answer", args=[request.pk])
    assert client.post(answer_url, {"action": "complete"}).status_code in (302, 403)
    with pytest.raises(personal_data.PersonalDataError):
        personal_data.complete_deletion(request=request, actor=bob)
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.REQUESTED
    assert StudentProfile.objects.filter(user=alice).exists()


def test_asking_twice_makes_one_request(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:deletion_request"), {"reason": "不再需要", "confirm": "on"}, follow=True)
    assert "15" in response.content.decode()
    client.post(reverse("accounts:deletion_request"), {"reason": "again", "confirm": "on"})
    assert DeletionRequest.objects.filter(user=alice, status="requested").count() == 1
    assert (
        PersonalDataEvent.objects.filter(subject=alice, action=Action.DELETION_REQUESTED).count() == 2
    )  # + refused one


def text_fields_containing(value: str):
    """Every (model, primary key, field) in the database whose text holds `value`."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        if not names or not model._meta.managed:
            continue
        condition = Q()
        for name in names:
            condition |= Q(**{f"{name}__contains": value})
        for obj in model._base_manager.filter(condition):
            found += [(model._meta.label, obj.pk, n) for n in names if value in (getattr(obj, n) or "")]
    return found


def test_completing_a_request_erases_everything_but_the_certificate_with_the_name(client, alice, bob, staff, committed):
    certificate = alice.record["certificate"]
    resume = alice.record["profile"].resume
    resume_storage, resume_name = resume.storage, resume.name
    assert resume_storage.exists(resume_name)
    phone, email = alice.phone, alice.email
    request = personal_data.request_deletion(user=alice, reason="我要删除")
    cohort = alice.record["current"].cohort
    cohort.refresh_from_db()
    seats_before = cohort.seats_taken
    assert seats_before == 1
    # A mistyped password is recorded against the phone number (sign-in throttling).
    assert Client().post(reverse("accounts:sign_in"), {"username": phone, "password": "wrong"}).status_code == 200

    client.force_login(staff)
    page = client.get(reverse("accounts_deletion_request_answer", args=[request.pk]))
    assert page.status_code == 200 and "完成：删除个人信息" in page.content.decode()
    listing = client.get(reverse("accounts_deletion_requests:index"))
    assert listing.status_code == 200 and "闻人小丽" in listing.content.decode()
    with committed():
        response = client.post(reverse("accounts_deletion_request_answer", args=[request.pk]), {"action": "complete"})
    assert response.status_code == 302

    request.refresh_from_db()
    assert request.status == "completed" and request.completed_by == staff and request.completed_at
    assert request.reason == ""
    assert PersonalDataEvent.objects.filter(subject=alice, actor=staff, action=Action.DELETION_COMPLETED).exists()

    # The certificate still verifies, showing the name and nothing else of the person's.
    client.logout()
    verify = client.get(certificate.get_verify_url()).content.decode()
    assert "闻人小丽" in verify and certificate.number in verify
    for personal in (phone, email, ID_CARD, EMERGENCY_PHONE):
        assert personal not in verify
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID and certificate.pdf.storage.exists(certificate.pdf.name)

    # The account is an empty shell nobody can sign in to.
    alice.refresh_from_db()
    assert not alice.is_active and not alice.has_usable_password()
    assert (alice.phone, alice.email, alice.display_name) == ("x" + f"{alice.pk:010d}"[-10:], "", "")

    # Nothing else personal anywhere in the database; the résumé is gone from storage.
    for value in (phone, email, EMERGENCY_PHONE, MESSAGE, INTRODUCTION, "10.0.0.8"):
        assert text_fields_containing(value) == [], value
    assert client.post(reverse("accounts:sign_in"), {"username": phone, "password": "x"}).status_code == 200
    assert {label for label, _pk, _field in text_fields_containing("闻人小丽")} == {"school.Certificate"}
    assert not resume_storage.exists(resume_name)
    for model, lookup in [
        (StudentProfile, "user"),
        (Notification, "recipient"),
        (GraduateProfile, "user"),
        (ConsentRecord, "profile__user"),
        (DeclaredSkill, "profile__user"),
        (Application, "graduate"),
        (JobAlert, "user"),
        (CandidateInvitation, "graduate"),
        (Attendance, "enrollment__student"),
        (Score, "enrollment__student"),
    ]:
        assert not model.objects.filter(**{lookup: alice}).exists(), model.__name__
    # Kept as anonymous statistics: the enrolments, the hire and the outcome rows; the seat was freed.
    assert Placement.objects.filter(graduate=alice).count() == 1
    assert EnrollmentOutcome.objects.filter(student=alice).exists()
    assert Enrollment.objects.get(pk=alice.record["current"].pk).status == "withdrawn"
    cohort.refresh_from_db()
    assert cohort.seats_taken == seats_before - 1
    # Someone else's data is untouched.
    assert StudentProfile.objects.filter(user=bob).exists() and Notification.objects.filter(recipient=bob).exists()


def test_a_refusal_is_told_to_the_person_and_logged(alice, staff):
    request = personal_data.request_deletion(user=alice)
    with pytest.raises(personal_data.PersonalDataError):
        personal_data.refuse_deletion(request=request, actor=staff, response=" ")
    personal_data.refuse_deletion(request=request, actor=staff, response="有未结清的学费")
    assert Notification.objects.filter(recipient=alice, body__contains="有未结清的学费").exists()
    assert PersonalDataEvent.objects.filter(subject=alice, actor=staff, action=Action.DELETION_REFUSED).exists()
    with pytest.raises(personal_data.PersonalDataError):
        personal_data.complete_deletion(request=request, actor=staff)
