"""A graduate's job profile: the form, the résumé checked by content and served only to permitted viewers,
the verified certificates shown by themselves, consent given and withdrawn (logged), and "My applications"."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import pytest

from jobs import services
from jobs.models import Application, ConsentRecord, GraduateProfile
from school.models import Certificate
from tests.factories import (
    ApplicationFactory,
    CertificateTemplateFactory,
    CompletedEnrollmentFactory,
    GraduateProfileFactory,
    JobCategoryFactory,
    JobPostingFactory,
    MerchantFactory,
    MerchantMemberFactory,
    MerchantUserFactory,
    StaffFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"


def pdf_upload(content: bytes = PDF, name: str = "简历.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def profile_data(**overrides) -> dict:
    data = {
        "desired_districts": ["jianxi", "luolong"],
        "expected_pay": "5500",
        "expected_pay_period": "month",
        "available_from": "2026-12-01",
        "introduction": "做事细心。",
    }
    return {**data, **overrides}


def certificate_for(student, *, status="valid", number="BJ2026-JZ-00001", expires_on=None) -> Certificate:
    enrollment = CompletedEnrollmentFactory(student=student)
    course = enrollment.cohort.course
    return Certificate.objects.create(
        enrollment=enrollment,
        number=number,
        status=status,
        template=CertificateTemplateFactory(),
        holder_name=student.display_name,
        course_title=course.title,
        hours=course.hours,
        start_date=enrollment.cohort.start_date,
        end_date=enrollment.cohort.end_date,
        issued_on=timezone.localdate(),
        expires_on=expires_on,
        sha256="0" * 64,
    )


def test_a_graduate_fills_in_the_job_profile(client):
    graduate = StudentFactory()
    care = JobCategoryFactory(name="家政", name_en="Housekeeping")
    client.force_login(graduate)
    page = client.get("/en/jobs/profile/")
    assert page.status_code == 200
    assert "Housekeeping" in page.content.decode()

    response = client.post("/en/jobs/profile/", profile_data(desired_categories=[care.pk]), follow=True)
    assert "Your job profile is saved." in response.content.decode()
    profile = GraduateProfile.objects.get(user=graduate)
    assert profile.desired_districts == ["jianxi", "luolong"]
    assert list(profile.desired_categories.all()) == [care]
    assert profile.expected_pay == 5500
    assert profile.available_from == datetime.date(2026, 12, 1)
    assert not profile.shared_with_merchants  # saving the profile is not consent


def test_the_job_profile_is_for_students_only(client):
    client.force_login(MerchantUserFactory())
    response = client.get("/en/jobs/profile/", follow=True)
    assert response.redirect_chain[-1][0] == "/en/jobs/"
    assert "The job profile is for the school&#x27;s students and graduates." in response.content.decode()
    assert client.get("/en/jobs/my/applications/").status_code == 302


def test_a_pdf_resume_is_stored_privately_under_a_name_of_ours(client, settings):
    graduate = StudentFactory()
    client.force_login(graduate)
    client.post("/en/jobs/profile/", profile_data(resume=pdf_upload()))
    profile = GraduateProfile.objects.get(user=graduate)
    assert profile.resume.name.startswith("resumes/resume-") and profile.resume.name.endswith(".pdf")
    assert "简历" not in profile.resume.name
    assert profile.resume.storage.exists(profile.resume.name)
    assert not (settings.MEDIA_ROOT / profile.resume.name).exists()  # not in public media


def test_a_new_resume_replaces_the_old_file(client):
    graduate = StudentFactory()
    client.force_login(graduate)
    client.post("/en/jobs/profile/", profile_data(resume=pdf_upload()))
    first = GraduateProfile.objects.get(user=graduate).resume
    client.post("/en/jobs/profile/", profile_data(resume=pdf_upload(PDF + b"\n")))
    second = GraduateProfile.objects.get(user=graduate).resume
    assert second.name != first.name
    assert second.storage.exists(second.name) and not first.storage.exists(first.name)


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000, "resume.pdf", "This file is not a PDF."),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 2000, "resume.pdf", "This file is not a PDF."),
        (b"%PDF-1.4\n" + b"x" * 100, "resume.pdf", "This file is not a PDF."),  # no trailer: cut short
        (b"\x89PNG\r\n\x1a\n" + PDF, "photo.pdf", "This file is not a PDF."),
        (PDF[:-6] + b"\0" * (5 * 1024 * 1024) + b"%%EOF\n", "big.pdf", "the limit is 5 MB"),
    ],
    ids=["renamed-windows-program", "renamed-linux-program", "truncated-pdf", "renamed-image", "over-5-mb"],
)
def test_a_resume_that_is_not_a_pdf_or_too_big_is_refused(client, content, name, message):
    graduate = StudentFactory()
    client.force_login(graduate)
    response = client.post("/en/jobs/profile/", profile_data(resume=pdf_upload(content, name)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GraduateProfile.objects.get(user=graduate).resume


def resume_url(profile) -> str:
    return f"/en/jobs/profile/{profile.pk}/resume/"


@pytest.fixture
def shared_profile(client):
    profile = GraduateProfileFactory(shared_with_merchants=True)
    profile.resume.save("resume-test.pdf", SimpleUploadedFile("x.pdf", PDF), save=True)
    return profile


def test_the_owner_and_staff_download_the_resume_as_an_attachment(client, shared_profile):
    for viewer in (shared_profile.user, StaffFactory()):
        client.force_login(viewer)
        response = client.get(resume_url(shared_profile))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF


def test_a_merchant_sees_the_resume_only_while_consent_is_on(client, shared_profile):
    recruiter = MerchantMemberFactory(merchant=MerchantFactory()).user
    client.force_login(recruiter)
    assert client.get(resume_url(shared_profile)).status_code == 200

    services.set_consent(user=shared_profile.user, granted=False, ip_address="127.0.0.1")
    assert client.get(resume_url(shared_profile)).status_code == 404


def test_a_member_of_a_merchant_not_approved_cannot_see_it(client, shared_profile):
    client.force_login(MerchantMemberFactory(merchant=MerchantFactory(status="pending")).user)
    assert client.get(resume_url(shared_profile)).status_code == 404


def test_the_employer_applied_to_sees_the_resume_without_general_sharing(client):
    profile = GraduateProfileFactory(shared_with_merchants=False)
    profile.resume.save("resume-test.pdf", SimpleUploadedFile("x.pdf", PDF), save=True)
    posting = JobPostingFactory()
    recruiter = MerchantMemberFactory(merchant=posting.merchant).user
    other_recruiter = MerchantMemberFactory().user
    client.force_login(recruiter)
    assert client.get(resume_url(profile)).status_code == 404
    application = services.apply(graduate=profile.user, posting=posting)
    assert client.get(resume_url(profile)).status_code == 200
    client.force_login(other_recruiter)
    assert client.get(resume_url(profile)).status_code == 404
    services.move_application(application=application, to_status="withdrawn", actor=profile.user)
    client.force_login(recruiter)
    assert client.get(resume_url(profile)).status_code == 404


def test_nobody_else_gets_the_resume(client, shared_profile):
    client.force_login(StudentFactory())
    assert client.get(resume_url(shared_profile)).status_code == 404
    client.logout()
    response = client.get(resume_url(shared_profile))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_consent_needs_the_box_ticked_and_is_logged_with_the_wording_and_ip(client):
    graduate = StudentFactory()
    client.force_login(graduate)
    page = client.get("/en/jobs/profile/").content.decode()
    assert "I agree that Baijia Training shows my job profile" in page
    assert "Not shared:" in page

    refused = client.post("/en/jobs/profile/consent/", {"granted": "1"}, follow=True)
    assert "Tick “I have read this and agree”" in refused.content.decode()
    assert not GraduateProfile.objects.get(user=graduate).shared_with_merchants

    client.post("/en/jobs/profile/consent/", {"granted": "1", "agree": "on"}, REMOTE_ADDR="203.0.113.7")
    assert GraduateProfile.objects.get(user=graduate).shared_with_merchants
    record = ConsentRecord.objects.get(profile__user=graduate)
    assert record.granted and record.ip_address == "203.0.113.7"
    assert "withdraw this consent at any time" in record.wording

    response = client.post("/en/jobs/profile/consent/", {"granted": "0"}, REMOTE_ADDR="203.0.113.8", follow=True)
    assert "You stopped sharing" in response.content.decode()
    assert not GraduateProfile.objects.get(user=graduate).shared_with_merchants
    latest = ConsentRecord.objects.filter(profile__user=graduate).first()
    assert not latest.granted and latest.ip_address == "203.0.113.8"


def test_behind_the_proxy_the_consent_records_the_graduates_address_not_the_proxys(client, settings):
    # nginx (10.0.0.2) appends the address it saw; whatever the phone sent before it is not believed.
    settings.TRUSTED_PROXY_COUNT = 1
    graduate = StudentFactory()
    client.force_login(graduate)

    client.post(
        "/en/jobs/profile/consent/",
        {"granted": "1", "agree": "on"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.9",
    )

    record = ConsentRecord.objects.get(profile__user=graduate)
    assert record.granted and record.ip_address == "203.0.113.9"


def test_withdrawing_consent_hides_the_profile_from_merchants_at_once(client, shared_profile):
    recruiter = MerchantMemberFactory().user
    client.force_login(shared_profile.user)
    client.post("/en/jobs/profile/consent/", {"granted": "0"})
    client.force_login(recruiter)
    assert client.get(resume_url(shared_profile)).status_code == 404


def test_valid_certificates_appear_by_themselves_with_verify_links(client):
    graduate = StudentFactory()
    valid = certificate_for(graduate, number="BJ2026-JZ-00001")
    certificate_for(graduate, status="revoked", number="BJ2026-JZ-00002")
    certificate_for(graduate, number="BJ2026-JZ-00003", expires_on=timezone.localdate() - datetime.timedelta(days=1))
    certificate_for(StudentFactory(), number="BJ2026-JZ-00004")
    client.force_login(graduate)
    page = client.get("/en/jobs/profile/").content.decode()
    assert "BJ2026-JZ-00001" in page and valid.get_verify_url() in page
    assert "Verified" in page
    for other in ("BJ2026-JZ-00002", "BJ2026-JZ-00003", "BJ2026-JZ-00004"):
        assert other not in page


def test_my_applications_show_the_stage_and_interview_and_allow_withdrawing(client):
    graduate = StudentFactory()
    applied = ApplicationFactory(graduate=graduate, posting=JobPostingFactory(title="收银员"))
    interview = ApplicationFactory(
        graduate=graduate,
        posting=JobPostingFactory(title="育婴师"),
        status="interview",
        interview_at=timezone.now() + datetime.timedelta(days=2),
        interview_place="涧西区南昌路 88 号",
    )
    ApplicationFactory(graduate=graduate, posting=JobPostingFactory(title="厨师"), status="hired")
    ApplicationFactory(posting=JobPostingFactory(title="别人的"))
    assert reverse("jobs:my_applications") == "/jobs/my/applications/"

    client.force_login(graduate)
    page = client.get("/en/jobs/my/applications/").content.decode()
    assert "收银员" in page and "育婴师" in page and "厨师" in page and "别人的" not in page
    assert "Interview: " in page and "涧西区南昌路 88 号" in page
    assert page.count(">Withdraw<") == 2  # not the hired one

    response = client.post(f"/en/jobs/my/applications/{interview.pk}/withdraw/", follow=True)
    assert "You withdrew your application for “育婴师”." in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == Application.Status.WITHDRAWN
    assert interview.events.get().to_status == "withdrawn"
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_another_graduate_cannot_withdraw_my_application(client):
    application = ApplicationFactory()
    client.force_login(StudentFactory())
    assert client.post(f"/en/jobs/my/applications/{application.pk}/withdraw/").status_code == 404
    application.refresh_from_db()
    assert application.status == "applied"


def test_the_student_dashboard_links_to_jobs_and_applications(client):
    from django.utils import translation

    client.force_login(StudentFactory())
    with translation.override("en"):
        dashboard = reverse("school:my_courses")
    page = client.get(dashboard).content.decode()
    assert "Jobs for you" in page and 'href="/en/jobs/my/applications/"' in page
