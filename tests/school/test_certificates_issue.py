"""Issuing certificates through the service: numbering, the PDF, rare characters, idempotency."""

import io

import pytest
from pypdf import PdfReader

from school.errors import CertificateError
from school.models import Certificate, CertificateEvent
from school.services import certificates as services
from tests.factories import CompletedEnrollmentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as stored:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.read())).pages)


def test_one_student_gets_a_numbered_pdf_with_their_name():
    enrollment = CompletedEnrollmentFactory(profile__real_name="王小丽", cohort__course__program__code="JZ")
    certificate = services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())

    assert certificate.status == Certificate.Status.VALID
    assert certificate.number.endswith("-JZ-00001")
    text = pdf_text(certificate)
    assert "王小丽" in text and certificate.number in text
    assert CertificateEvent.objects.filter(certificate=certificate, action="issued").count() == 1


def test_a_name_no_font_can_draw_is_refused_naming_the_character_and_nothing_is_issued():
    enrollment = CompletedEnrollmentFactory(profile__real_name="王\U000f0001丽")  # private use: no glyph anywhere
    with pytest.raises(CertificateError, match="U\\+F0001"):
        services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())
    assert not Certificate.objects.exists()


def test_rare_characters_get_a_real_glyph():
    enrollment = CompletedEnrollmentFactory(profile__real_name="𠮷䶮龘")
    certificate = services.issue_certificate(enrollment=enrollment, issued_by=StaffFactory())
    assert "𠮷䶮龘" in pdf_text(certificate)
