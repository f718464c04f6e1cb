"""Arrangements shared by the pipeline's tests: a merchant with a recruiter and a posting, graduates
with what the school proves (completed courses, valid certificates)."""

import hashlib

from django.contrib.auth import get_user_model

from jobs.models import GraduateProfile
from school.models import Certificate, Enrollment
from tests.factories import (
    CertificateTemplateFactory,
    CompletedEnrollmentFactory,
    GraduateProfileFactory,
    JobPostingFactory,
    MerchantFactory,
    MerchantUserFactory,
    days_from_today,
)


def merchant_with_recruiter(**merchant_fields):
    recruiter = MerchantUserFactory(language="en")
    merchant = MerchantFactory(owner=recruiter, **merchant_fields)
    return merchant, recruiter


def valid_certificate(enrollment, *, expires_on=None, status="valid") -> Certificate:
    """A certificate row as issuing leaves it (without rendering a PDF, which these tests do not read)."""
    cohort = enrollment.cohort
    return Certificate.objects.create(
        enrollment=enrollment,
        number=f"BJ-TEST-{enrollment.pk:06d}",
        status=status,
        template=CertificateTemplateFactory(),
        holder_name=enrollment.student.display_name,
        course_title=cohort.course.title,
        hours=cohort.course.hours,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        issued_on=days_from_today(-3),
        expires_on=expires_on,
        sha256=hashlib.sha256(str(enrollment.pk).encode()).hexdigest(),
    )


def graduate(*, course=None, certified=True, consent=True, **profile_fields):
    """A student who completed `course` (a new one when not given), with a certificate when `certified`,
    and a job profile shared with merchants when `consent`."""
    enrollment = CompletedEnrollmentFactory(**({"cohort__course": course} if course else {}))
    if certified:
        valid_certificate(enrollment)
    profile = GraduateProfileFactory(user=enrollment.student, shared_with_merchants=consent, **profile_fields)
    return profile


def open_posting(merchant, **fields):
    return JobPostingFactory(merchant=merchant, **fields)


def bulk_graduates(count: int, cohort) -> None:
    """`count` consenting graduates of `cohort`, each with a certificate, in a few statements."""
    User = get_user_model()
    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(phone=f"136{start + n:08d}", display_name=f"毕业生{start + n}") for n in range(count)]
    )
    GraduateProfile.objects.bulk_create(
        [GraduateProfile(user=user, shared_with_merchants=True, desired_districts=["jianxi"]) for user in users]
    )
    enrollments = Enrollment.objects.bulk_create(
        [Enrollment(student=user, cohort=cohort, status="completed") for user in users]
    )
    for enrollment in enrollments[:3]:
        valid_certificate(enrollment)
