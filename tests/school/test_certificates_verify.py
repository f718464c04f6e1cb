"""Verifying a certificate in the browser (by code, QR address or PDF upload) and downloading it: what a
hiring merchant sees, what holders, instructors and staff may download, and what nobody else learns."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest

from accounts.roles import Role
from school.models import Certificate, CertificateEvent, CertificateTemplate
from school.services import certificates as services
from tests.factories import (
    CohortFactory,
    CompletedEnrollmentFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rate_limit_clock_stands_still(monkeypatch):
    """django-ratelimit counts in fixed windows of the clock: a test that crossed a minute boundary would
    start a fresh window half-way. Here the whole test happens within one window."""
    import time
    import types

    now = time.time()
    # Only django-ratelimit's view of the clock: the time module itself is left alone.
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: now))


Action = CertificateEvent.Action


@pytest.fixture
def certificate():
    enrollment = CompletedEnrollmentFactory(
        profile__real_name="王小丽",
        student__phone="13912345678",
        student__email="xiaoli@example.com",
        cohort__course__title="中式烹调师",
        cohort__course__title_en="Chinese Cookery",
        cohort__course__hours=64,
        final_score="91.50",
    )
    return services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())


def stored_pdf(certificate) -> bytes:
    with certificate.pdf.open("rb") as stored:
        return stored.read()


def page(client, certificate, prefix="/en"):
    return client.get(f"{prefix}/certificates/verify/{certificate.code}/")


# --- Looking a certificate up ------------------------------------------------------------------------


def test_a_merchant_types_the_code_as_printed_and_sees_what_it_certifies(client, certificate):
    typed = f" {certificate.display_code.lower()} "  # lower case, dashes, stray spaces
    response = client.get("/en/certificates/verify/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/en/certificates/verify/{certificate.code}/"

    response = client.get(response["Location"])
    text = response.content.decode()
    assert response.status_code == 200
    for fact in ("王小丽", "Chinese Cookery", "64", "百佳商务培训", certificate.number, certificate.display_code):
        assert fact in text
    assert "genuine and valid" in text
    assert 'name="robots" content="noindex"' in text
    assert "no-cache" in response["Cache-Control"]


def test_the_page_shows_no_other_personal_data(client, certificate):
    text = page(client, certificate).content.decode()
    for private in ("13912345678", "xiaoli@example.com", "91.50", "91.5"):
        assert private not in text


def test_the_qr_address_in_chinese_and_a_hand_typed_address_both_work(client, certificate):
    assert "中式烹调师" in page(client, certificate, prefix="").content.decode()
    response = client.get(f"/en/certificates/verify/{certificate.display_code.lower()}/")
    assert response.status_code == 302
    assert response["Location"] == f"/en/certificates/verify/{certificate.code}/"


def test_an_unknown_code_is_a_kind_404(client):
    response = client.get("/en/certificates/verify/ABCDEFGHJKMNPQRS/")
    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()
    assert "Check another certificate" in response.content.decode()


def test_a_mistyped_code_is_explained_on_the_form(client):
    response = client.get("/en/certificates/verify/", {"code": "ABC-123"})
    assert response.status_code == 200
    assert "A verification code has 16 letters and digits" in response.content.decode()


def test_a_certificate_still_being_issued_is_not_visible(client):
    enrollment = CompletedEnrollmentFactory()
    course = enrollment.cohort.course
    pending = Certificate.objects.create(
        enrollment=enrollment,
        number="BJ2026-TEST-00001",
        template=CertificateTemplate.for_course(course),
        holder_name="李四",
        course_title=course.title,
        hours=course.hours,
        start_date=enrollment.cohort.start_date,
        end_date=enrollment.cohort.end_date,
        issued_on=datetime.date.today(),
    )
    assert pending.status == Certificate.Status.PENDING
    assert page(client, pending).status_code == 404


def test_a_revoked_certificate_says_when_and_why(client, certificate):
    services.revoke_certificate(certificate=certificate, actor=StaffFactory(), reason="考核成绩作弊")
    text = page(client, certificate).content.decode()
    assert "Revoked" in text and "考核成绩作弊" in text
    assert "revoked on" in text and "no longer valid" in text
    assert "genuine and valid" not in text


def test_a_replaced_certificate_says_so_and_points_nowhere_else(client, certificate):
    new = services.reissue_certificate(certificate=certificate, actor=StaffFactory(), holder_name="王晓丽")
    text = page(client, certificate).content.decode()
    assert "Superseded" in text and "replaced by a corrected certificate" in text
    for about_the_new_one in (new.number, new.code, new.display_code, "王晓丽"):
        assert about_the_new_one not in text
    assert "王晓丽" in page(client, new).content.decode()


def test_an_expired_certificate_shows_its_expiry_date(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=days_from_today(-1))
    text = page(client, certificate).content.decode()
    assert "Expired" in text and "Expires on" in text and "expired on" in text


# --- Uploading the PDF -------------------------------------------------------------------------------


def upload(client, data: bytes, name="certificate.pdf"):
    return client.post("/en/certificates/verify/", {"pdf": SimpleUploadedFile(name, data, "application/pdf")})


def test_the_issued_pdf_is_recognised_byte_for_byte(client, certificate):
    response = upload(client, stored_pdf(certificate))
    text = response.content.decode()
    assert response.status_code == 200
    assert f"identical, byte for byte, to certificate {certificate.number}" in text
    assert "王小丽" in text and certificate.sha256 in text


def test_a_tampered_pdf_is_not_recognised(client, certificate):
    data = bytearray(stored_pdf(certificate))
    data[len(data) // 2] ^= 0x01  # one bit changed
    text = upload(client, bytes(data)).content.decode()
    assert "does not match any certificate we issued" in text
    assert "王小丽" not in text


def test_a_file_that_is_not_a_pdf_is_refused_with_a_reason(client):
    text = upload(client, b"GIF89a not a certificate", name="photo.pdf").content.decode()
    assert "This file is not a PDF" in text


def test_a_file_over_5_mb_is_refused_with_a_reason(client):
    just_over = b"%PDF-" + b"0" * (5 * 1024 * 1024 - 4)
    response = upload(client, just_over)
    assert response.status_code == 200
    assert "larger than 5 MB" in response.content.decode()

    far_over = b"%PDF-" + b"0" * (7 * 1024 * 1024)  # refused before the body is read
    response = upload(client, far_over)
    assert response.status_code == 413
    assert "larger than 5 MB" in response.content.decode()


def test_the_upload_form_is_protected_against_cross_site_posts(certificate):
    response = Client(enforce_csrf_checks=True).post(
        "/en/certificates/verify/", {"pdf": SimpleUploadedFile("c.pdf", stored_pdf(certificate))}
    )
    assert response.status_code == 403


# --- Rate limits -------------------------------------------------------------------------------------


def test_lookups_are_rate_limited_per_address_with_a_page_in_the_visitors_language(client, settings):
    settings.CERTIFICATE_VERIFY_RATE = "5/m"
    for _ in range(5):
        assert client.get("/en/certificates/verify/ABCDEFGHJKMNPQRS/").status_code == 404
    blocked = client.get("/en/certificates/verify/ABCDEFGHJKMNPQRS/")
    assert blocked.status_code == 429
    assert "Too many certificates were checked" in blocked.content.decode()
    assert blocked["Retry-After"] == "60"
    assert client.get("/certificates/verify/ABCDEFGHJKMNPQRS/").status_code == 429  # the same visitor, in Chinese
    other = client.get("/en/certificates/verify/ABCDEFGHJKMNPQRS/", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 404


def test_behind_the_proxy_each_visitor_is_counted_by_their_own_address(client, settings):
    settings.CERTIFICATE_VERIFY_RATE = "2/m"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATELIMIT_IP_META_KEY = "baijia.http.client_ip"

    def lookup(visitor):
        # nginx appends the address it saw; a visitor may send a made-up header in front of it.
        forwarded = f"6.6.6.6, {visitor}"
        return client.get("/en/certificates/verify/ABCDEFGHJKMNPQRS/", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [lookup("203.0.113.5") for _ in range(3)] == [404, 404, 429]
    assert lookup("198.51.100.7") == 404


def test_the_default_limit_lets_a_person_check_thirty_codes_a_minute(client, settings):
    assert settings.CERTIFICATE_VERIFY_RATE == "30/m"
    statuses = [client.get("/en/certificates/verify/ABCDEFGHJKMNPQRS/").status_code for _ in range(31)]
    assert statuses == [404] * 30 + [429]


def test_uploads_are_rate_limited(client, settings):
    settings.CERTIFICATE_UPLOAD_RATE = "2/m"
    assert [upload(client, b"%PDF-1.7 x").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/en/certificates/verify/").status_code == 200  # the form still shows


# --- Downloads ---------------------------------------------------------------------------------------


def instructor_of(certificate):
    instructor = UserFactory(role=Role.INSTRUCTOR)
    certificate.enrollment.cohort.instructors.add(instructor)
    return instructor


def test_holder_instructor_and_staff_download_the_stored_pdf_and_each_download_is_logged(client, certificate):
    people = [certificate.enrollment.student, instructor_of(certificate), StaffFactory()]
    for person in people:
        client.force_login(person)
        response = client.get(f"/certificates/{certificate.code}/pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.pdf"'
        assert b"".join(response.streaming_content) == stored_pdf(certificate)
    logged = CertificateEvent.objects.filter(certificate=certificate, action=Action.DOWNLOADED)
    assert sorted(logged.values_list("actor_id", flat=True)) == sorted(person.pk for person in people)


def test_nobody_else_can_download_or_learn_that_the_certificate_exists(client, certificate):
    other_instructor = UserFactory(role=Role.INSTRUCTOR)
    CohortFactory().instructors.add(other_instructor)  # teaches another class
    for outsider in (StudentFactory(), other_instructor, UserFactory(role=Role.MERCHANT)):
        client.force_login(outsider)
        for kind in ("pdf", "credential"):
            assert client.get(f"/en/certificates/{certificate.code}/{kind}/").status_code == 404
            assert client.get(f"/en/certificates/ABCDEFGHJKMNPQRS/{kind}/").status_code == 404
    client.logout()
    known = client.get(f"/en/certificates/{certificate.code}/pdf/")
    unknown = client.get("/en/certificates/ABCDEFGHJKMNPQRS/pdf/")
    assert known.status_code == unknown.status_code == 302  # sign in first, whatever the code
    assert known["Location"].split("?")[0] == unknown["Location"].split("?")[0]
    assert not CertificateEvent.objects.filter(action__in=[Action.DOWNLOADED, Action.CREDENTIAL]).exists()


def test_a_revoked_certificate_is_kept_from_holder_and_instructor_but_staff_keep_the_record(client, certificate):
    services.revoke_certificate(certificate=certificate, actor=StaffFactory(), reason="信息有误")
    for person in (certificate.enrollment.student, instructor_of(certificate)):
        client.force_login(person)
        response = client.get(f"/en/certificates/{certificate.code}/pdf/")
        assert response.status_code == 410
        assert "was revoked on" in response.content.decode() and "信息有误" in response.content.decode()
    client.force_login(StaffFactory())
    response = client.get(f"/en/certificates/{certificate.code}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_pdf(certificate)
    assert CertificateEvent.objects.filter(certificate=certificate, action=Action.DOWNLOADED).count() == 1


def test_a_replaced_certificate_sends_the_holder_to_the_new_one(client, certificate):
    new = services.reissue_certificate(certificate=certificate, actor=StaffFactory(), holder_name="王晓丽")
    client.force_login(certificate.enrollment.student)
    response = client.get(f"/en/certificates/{certificate.code}/pdf/")
    assert response.status_code == 410
    assert "replaced by a corrected one" in response.content.decode()
    assert client.get(f"/en/certificates/{new.code}/pdf/").status_code == 200
