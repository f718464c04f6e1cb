"""Two instructors issue certificates at the same moment: numbers stay unique and gapless per (year,
program), and a class issued twice at once still gets exactly one valid certificate per student."""

import hashlib
import threading

from django.db import connection
from django.utils import timezone

import pytest

from school.models import Certificate, CertificateSequence
from school.services.certificates import issue_certificates
from tests.factories import CompletedEnrollmentFactory, CourseFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STUDENTS = 6


def finished_class(course, size=STUDENTS):
    cohort = CompletedEnrollmentFactory(cohort__course=course).cohort
    for _ in range(size - 1):
        CompletedEnrollmentFactory(cohort=cohort)
    return cohort


def at_once(*runs):
    """Run each callable in its own thread, all released together; the errors they raised."""
    start = threading.Barrier(len(runs))
    errors = []

    def run(action):
        try:
            start.wait()
            action()
        except Exception as error:  # noqa: BLE001 - any failure is a test failure, reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "an issuing run did not finish"
    return errors


def sequence_numbers(certificates) -> list[int]:
    return [int(certificate.number.rsplit("-", 1)[1]) for certificate in certificates]


def assert_pdf_is_stored(certificate):
    assert certificate.pdf, certificate.number
    with certificate.pdf.open("rb") as stored:
        data = stored.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == certificate.sha256


def test_two_classes_of_one_program_issued_at_once_share_one_gapless_sequence():
    course = CourseFactory(program__code="JZ")
    first, second = finished_class(course), finished_class(course)
    staff = StaffFactory()

    errors = at_once(
        lambda: issue_certificates(cohort=first, issued_by=staff),
        lambda: issue_certificates(cohort=second, issued_by=staff),
    )

    assert errors == []
    certificates = list(Certificate.objects.order_by("number"))
    assert len(certificates) == 2 * STUDENTS
    assert all(certificate.status == Certificate.Status.VALID for certificate in certificates)
    year = timezone.localdate().year
    assert all(certificate.number.startswith(f"BJ{year}-JZ-") for certificate in certificates)
    assert sequence_numbers(certificates) == list(range(1, 2 * STUDENTS + 1))
    assert CertificateSequence.objects.get(program=course.program, year=year).last == 2 * STUDENTS
    # Each class took its numbers in one go: a block of consecutive numbers.
    for cohort in (first, second):
        numbers = sorted(sequence_numbers(Certificate.objects.filter(enrollment__cohort=cohort)))
        assert numbers == list(range(numbers[0], numbers[0] + STUDENTS))
    for certificate in certificates:
        assert_pdf_is_stored(certificate)


def test_one_class_issued_twice_at_once_gets_one_valid_certificate_per_student():
    cohort = finished_class(CourseFactory(program__code="YL"))
    staff = StaffFactory()

    errors = at_once(
        lambda: issue_certificates(cohort=cohort, issued_by=staff),
        lambda: issue_certificates(cohort=cohort, issued_by=staff),
    )

    assert errors == []
    certificates = list(Certificate.objects.order_by("number"))
    assert len(certificates) == STUDENTS  # no second set of numbers was taken
    assert {certificate.status for certificate in certificates} == {Certificate.Status.VALID}
    assert len({certificate.enrollment_id for certificate in certificates}) == STUDENTS
    assert sequence_numbers(certificates) == list(range(1, STUDENTS + 1))
    # The run that lost the race left the winner's PDFs in place, and nothing of its own.
    for certificate in certificates:
        assert_pdf_is_stored(certificate)
    stored = {certificate.pdf.name for certificate in certificates}
    storage = certificates[0].pdf.storage
    folder = f"certificates/{timezone.localdate().year}"
    assert {f"{folder}/{name}" for name in storage.listdir(folder)[1]} == stored
    # Each student was told once.
    assert all(certificate.emailed_at for certificate in certificates)
    from accounts.models import Notification

    assert Notification.objects.filter(subject__contains=cohort.course.title).count() == STUDENTS


def test_a_class_run_beside_another_programs_run_numbers_each_program_from_one():
    first = finished_class(CourseFactory(program__code="JZ"), size=3)
    second = finished_class(CourseFactory(program__code="YL"), size=3)
    staff = StaffFactory()

    errors = at_once(
        lambda: issue_certificates(cohort=first, issued_by=staff),
        lambda: issue_certificates(cohort=second, issued_by=staff),
    )

    assert errors == []
    for cohort in (first, second):
        certificates = Certificate.objects.filter(enrollment__cohort=cohort).order_by("number")
        assert sorted(sequence_numbers(certificates)) == [1, 2, 3]
