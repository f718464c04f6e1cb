"""Journey 2: an instructor takes attendance, enters scores, finalises the class and issues its
certificates in bulk on a real Celery worker, watching the progress bar; a student downloads the PDF
and the credential; a third party verifies the code, and sees "revoked" once staff revoke it."""

import re
from pathlib import Path

from django.utils import translation

import pytest

from accounts.roles import Role
from school.models import Certificate
from tests.e2e import checks
from tests.factories import (
    AssessmentItemFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    StaffFactory,
    StudentFactory,
    StudentProfileFactory,
    UserFactory,
    days_from_today,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journey,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def a_class_in_its_last_session():
    course = CourseFactory(
        title="母婴护理实务", title_en="Maternity and Infant Care", min_attendance_percent=80, pass_mark=60
    )
    theory = AssessmentItemFactory(course=course, name="理论考试", weight=40, max_score=100)
    practical = AssessmentItemFactory(course=course, name="实操考核", weight=60, max_score=100)
    cohort = CohortFactory(
        course=course,
        start_date=days_from_today(-60),
        end_date=days_from_today(0),
        enrolment_opens=days_from_today(-90),
        enrolment_closes=days_from_today(-61),
    )
    students = []
    for name, phone in (("王芳", "13900000001"), ("李娜", "13900000002"), ("张伟", "13900000003")):
        profile = StudentProfileFactory(user=StudentFactory(phone=phone, display_name=name), real_name=name)
        EnrollmentFactory(student=profile.user, cohort=cohort)
        students.append(profile.user)
    cohort.status = "running"
    cohort.save(update_fields=["status"])
    ClassSessionFactory(cohort=cohort, date=days_from_today(0))
    instructor = UserFactory(role=Role.INSTRUCTOR, display_name="李建国")
    cohort.instructors.add(instructor)
    return cohort, instructor, students, (theory, practical)


def test_an_instructor_certifies_a_class_and_anyone_can_check_a_certificate_until_it_is_revoked(site, worker):
    cohort, instructor, (wang, li, zhang), items = a_class_in_its_last_session()
    staff = StaffFactory(is_superuser=True)
    if site.english:
        from wagtail.users.models import UserProfile

        UserProfile.objects.update_or_create(user=staff, defaults={"preferred_language": "en"})

    with translation.override(site.language):
        t = translation.gettext
        teacher = site.open(instructor)
        site.goto(teacher, site.url("/teach/"))
        teacher.get_by_role("link", name=t("Take attendance")).click()
        site.arrive(teacher)
        # Everyone came but 张伟, who was late.
        teacher.get_by_role("group", name=zhang.display_name).get_by_text(t("Late"), exact=True).click()
        teacher.get_by_role("button", name=t("All present")).click()
        site.arrive(teacher)
        assert teacher.get_by_text(re.compile("3")).first.is_visible()
        site.shot(teacher, "1-attendance")

        site.goto(teacher, site.url(f"/teach/classes/{cohort.code}/scores/"))
        for student, theory, practical in ((wang, "92", "88"), (li, "75", "81"), (zhang, "40", "35")):
            teacher.get_by_label(f"{student.display_name}: 理论考试").fill(theory)
            teacher.get_by_label(f"{student.display_name}: 实操考核").fill(practical)
        checks.focus_is_visible(teacher, f"[aria-label='{wang.display_name}: 理论考试']")
        teacher.get_by_role("button", name=t("Save scores")).click()
        site.arrive(teacher)

        teacher.get_by_role("link", name=t("Finalise results")).click()
        site.arrive(teacher)
        teacher.get_by_role("button", name=t("Confirm and finalise the class")).click()
        site.arrive(teacher)
        site.shot(teacher, "2-finalised")

        teacher.get_by_role("link", name=t("Certificates"), exact=True).click()
        site.arrive(teacher)
        teacher.get_by_role("button", name=re.compile(re.escape(t("Issue all")))).click()
        site.arrive(teacher)
        # The bar fills as the worker renders; htmx asks the server every second.
        bar = teacher.get_by_role("progressbar", name=t("Certificates issued so far"))
        bar.wait_for()
        done = translation.ngettext(
            "Done: %(issued)s certificate issued.", "Done: %(issued)s certificates issued.", 2
        ) % {"issued": 2}
        teacher.get_by_text(done).wait_for(timeout=60_000)
        assert bar.get_attribute("value") == bar.get_attribute("max") == "2"
        site.shot(teacher, "3-issued")

        certificate = Certificate.objects.get(enrollment__student=wang, status="valid")
        student = site.open(wang)
        site.goto(student, site.url("/me/"))
        with student.expect_download() as pdf:
            student.get_by_role("link", name=t("Download PDF")).click()
        assert pdf.value.suggested_filename == f"{certificate.number}.pdf"
        assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
        with student.expect_download() as credential:
            student.get_by_role("link", name=t("Digital credential")).click()
        assert Path(credential.value.path()).read_bytes().count(b".") == 2  # a JWT: header.payload.signature

        anyone = site.open()
        site.goto(anyone, site.url("/certificates/verify/"))
        anyone.get_by_label(t("Verification code"), exact=False).fill(certificate.code)
        anyone.get_by_role("button", name=t("Check"), exact=True).click()
        site.arrive(anyone)
        assert anyone.get_by_text(t("Valid"), exact=True).is_visible()
        site.shot(anyone, "4-valid")

        back_office = site.open(staff)
        site.goto(back_office, site.admin_url(f"/admin/school/certificates/?q={certificate.number}"))
        back_office.get_by_role("link", name=certificate.number).first.click()
        site.arrive(back_office)
        back_office.get_by_role("link", name=t("Revoke")).click()
        site.arrive(back_office)
        back_office.get_by_label(t("Reason"), exact=False).fill(
            "证书信息有误" if not site.english else "Issued in error"
        )
        back_office.get_by_role("button", name=t("Revoke")).click()
        back_office.wait_for_load_state()

        anyone.reload()
        site.arrive(anyone)
        assert anyone.get_by_text(t("Revoked"), exact=True).is_visible()
        site.shot(anyone, "5-revoked")
