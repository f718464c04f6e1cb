"""Certificates in the browser: the instructor's page for a class (issue one, issue all with a live
progress bar, the ZIP), the student's certificates on their courses page, and the course page."""

import io
import zipfile

from django.urls import reverse
from django.utils import translation

import pytest

from accounts.roles import Role
from school import certificates as rendering
from school.models import Certificate, CertificateBatch, CertificateEvent
from school.services import certificates as services
from tests.factories import (
    CohortFactory,
    CompletedEnrollmentFactory,
    EnrollmentFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def instructor():
    return UserFactory(role=Role.INSTRUCTOR)


@pytest.fixture
def finished_class(instructor):
    """A finished class its instructor teaches: three students completed it, one did not."""
    first = CompletedEnrollmentFactory(profile__real_name="王小丽", cohort__course__program__code="JZ")
    cohort = first.cohort
    cohort.instructors.add(instructor)
    for name in ("李明", "张伟"):
        CompletedEnrollmentFactory(cohort=cohort, profile__real_name=name)
    EnrollmentFactory(cohort=cohort, status="failed")
    return cohort


def issue_all(cohort):
    return services.issue_certificates(cohort=cohort, issued_by=StaffFactory())


def page_url(cohort, name="certificate_list", *args) -> str:
    return en(f"school:{name}", cohort.code, *args)


# --- Who may open the page ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["instructor", "staff"])
def test_the_class_s_instructor_and_staff_open_the_certificates_page(client, finished_class, instructor, who):
    client.force_login(instructor if who == "instructor" else StaffFactory())

    response = client.get(page_url(finished_class))

    assert response.status_code == 200
    html = response.content.decode()
    assert "王小丽" in html and "李明" in html and "张伟" in html
    assert html.count('name="enrollment"') == 3  # only those who completed can be issued one
    assert 'aria-current="page"' in html and page_url(finished_class) in html  # the Certificates tab


@pytest.mark.parametrize("who", ["other_instructor", "student", "holder"])
def test_everyone_else_is_told_the_class_does_not_exist(client, finished_class, who):
    person = {
        "other_instructor": lambda: UserFactory(role=Role.INSTRUCTOR),
        "student": StudentFactory,
        "holder": lambda: finished_class.enrollments.filter(status="completed").first().student,
    }[who]()
    client.force_login(person)
    enrollment = finished_class.enrollments.filter(status="completed").first()
    batch = CertificateBatch.objects.create(cohort=finished_class, total=3)

    assert client.get(page_url(finished_class)).status_code == 404
    assert client.post(page_url(finished_class, "certificate_issue"), {"enrollment": enrollment.pk}).status_code == 404
    assert client.post(page_url(finished_class, "certificate_issue_all")).status_code == 404
    assert client.get(page_url(finished_class, "certificate_batch", batch.pk)).status_code == 404
    assert client.get(page_url(finished_class, "certificate_zip")).status_code == 404
    assert not Certificate.objects.exists()
    assert CertificateBatch.objects.count() == 1


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, finished_class):
    response = client.get(page_url(finished_class))

    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_the_assessment_pages_link_to_the_certificates_tab(client, finished_class, instructor):
    client.force_login(instructor)

    html = client.get(en("school:assessment_finalise", finished_class.code)).content.decode()

    assert page_url(finished_class) in html and ">Certificates<" in html


# --- Issuing one --------------------------------------------------------------------------------------


def test_the_instructor_issues_one_student_s_certificate_and_sees_it_listed(client, finished_class, instructor):
    client.force_login(instructor)
    enrollment = finished_class.enrollments.get(student__student_profile__real_name="李明")

    response = client.post(page_url(finished_class, "certificate_issue"), {"enrollment": enrollment.pk}, follow=True)

    certificate = Certificate.objects.get()
    assert certificate.enrollment == enrollment and certificate.status == "valid"
    assert certificate.issued_by == instructor
    html = response.content.decode()
    assert f"Certificate {certificate.number} issued to 李明." in html
    assert certificate.number in html
    assert reverse("certificates:pdf", args=[certificate.code]) in html
    assert certificate.get_verify_url() in html
    assert html.count('name="enrollment"') == 2  # the other two can still be issued one


def test_a_refusal_is_shown_in_the_instructor_s_language_and_nothing_is_issued(client, finished_class, instructor):
    client.force_login(instructor)
    enrollment = CompletedEnrollmentFactory(cohort=finished_class, profile__real_name="王\U000f0001")

    response = client.post(page_url(finished_class, "certificate_issue"), {"enrollment": enrollment.pk}, follow=True)

    assert "U+F0001" in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_student_of_another_class_cannot_be_issued_from_this_page(client, finished_class, instructor):
    client.force_login(instructor)
    elsewhere = CompletedEnrollmentFactory()

    response = client.post(page_url(finished_class, "certificate_issue"), {"enrollment": elsewhere.pk})

    assert response.status_code == 404
    assert not Certificate.objects.exists()


def test_a_student_who_already_has_one_gets_no_second(client, finished_class, instructor):
    client.force_login(instructor)
    enrollment = finished_class.enrollments.filter(status="completed").first()
    services.issue_certificate(enrollment=enrollment, issued_by=instructor)

    response = client.post(page_url(finished_class, "certificate_issue"), {"enrollment": enrollment.pk}, follow=True)

    assert "already has a certificate" in response.content.decode()
    assert Certificate.objects.count() == 1


# --- Issuing all, with the progress bar ----------------------------------------------------------------


def test_issue_all_runs_the_batch_and_the_page_shows_the_result(
    client, finished_class, instructor, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    services.issue_certificate(
        enrollment=finished_class.enrollments.filter(status="completed").first(), issued_by=instructor
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(finished_class, "certificate_issue_all"))
    assert response.status_code == 302

    batch = CertificateBatch.objects.get()
    assert batch.status == "done" and batch.issued == 2
    assert Certificate.objects.filter(status="valid").count() == 3
    html = client.get(response["Location"]).content.decode()
    assert "Done: 2 certificates issued. Already had one: 1." in html
    assert f'id="batch-{batch.pk}"' in html
    assert "<progress" in html and 'aria-live="polite"' in html
    assert "hx-trigger" not in html  # finished: nothing to poll
    assert html.count('name="enrollment"') == 0


def test_while_a_batch_runs_the_page_polls_a_fragment_every_second(client, finished_class, instructor):
    client.force_login(instructor)
    batch = CertificateBatch.objects.create(cohort=finished_class, requested_by=instructor, total=3)
    CertificateBatch.objects.filter(pk=batch.pk).update(status="running", done=1)
    fragment = page_url(finished_class, "certificate_batch", batch.pk)

    html = client.get(page_url(finished_class)).content.decode()
    assert f'hx-get="{fragment}"' in html and 'hx-trigger="every 1s"' in html
    assert '<noscript><meta http-equiv="refresh"' in html  # without JavaScript the page reloads itself
    assert "/static/django_htmx/htmx" in html  # served by the project

    polled = client.get(fragment, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    body = polled.content.decode()
    assert 'max="3" value="1"' in body and "1 of 3 students done (33%)." in body
    assert "<html" not in body  # a fragment, not a page


def test_the_fragment_stops_the_polling_with_the_result_when_the_batch_has_finished(client, finished_class, instructor):
    client.force_login(instructor)
    batch = CertificateBatch.objects.create(cohort=finished_class, requested_by=instructor, total=3)
    CertificateBatch.objects.filter(pk=batch.pk).update(status="done", done=3, issued=3)

    polled = client.get(page_url(finished_class, "certificate_batch", batch.pk), HTTP_HX_REQUEST="true")

    assert polled.status_code == 286  # htmx stops polling
    assert "Done: 3 certificates issued. Already had one: 0." in polled.content.decode()
    assert page_url(finished_class) in polled.content.decode()  # a link to the updated list


def test_without_javascript_the_progress_page_refreshes_itself_until_done(client, finished_class, instructor):
    client.force_login(instructor)
    batch = CertificateBatch.objects.create(cohort=finished_class, requested_by=instructor, total=3)
    url = page_url(finished_class, "certificate_batch", batch.pk)

    running = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in running and "<html" in running
    assert f'href="{url}"' in running  # and a plain link to refresh by hand

    CertificateBatch.objects.filter(pk=batch.pk).update(status="done", done=3, issued=3)
    done = client.get(url).content.decode()
    assert 'http-equiv="refresh"' not in done
    assert "Done: 3 certificates issued" in done


def test_a_failed_batch_shows_its_message_and_nothing_was_issued(
    client, finished_class, instructor, django_capture_on_commit_callbacks
):
    CompletedEnrollmentFactory(cohort=finished_class, profile__real_name="王\U000f0001")
    instructor.language = "en"
    instructor.save(update_fields=["language"])
    client.force_login(instructor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(finished_class, "certificate_issue_all"))

    html = client.get(page_url(finished_class)).content.decode()
    assert "Issuing failed:" in html and "U+F0001" in html
    assert not Certificate.objects.exists()


# --- The ZIP ------------------------------------------------------------------------------------------


def test_the_zip_holds_each_valid_certificate_s_stored_pdf_byte_for_byte(
    client, finished_class, instructor, monkeypatch
):
    issue_all(finished_class)
    revoked = Certificate.objects.get(holder_name="张伟")
    services.revoke_certificate(certificate=revoked, actor=StaffFactory(), reason="证件信息有误")
    client.force_login(instructor)

    def never(*args, **kwargs):
        raise AssertionError("the ZIP is built from the stored files")

    monkeypatch.setattr(rendering, "render", never)
    response = client.get(page_url(finished_class, "certificate_zip"))

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    valid = Certificate.objects.filter(status="valid").order_by("number")
    assert sorted(archive.namelist()) == sorted(f"{c.number}-{c.holder_name}.pdf" for c in valid)
    for certificate in valid:
        with certificate.pdf.open("rb") as stored:
            assert archive.read(f"{certificate.number}-{certificate.holder_name}.pdf") == stored.read()
    assert not any("张伟" in name for name in archive.namelist())
    assert CertificateEvent.objects.filter(action="downloaded", actor=instructor).count() == 2


def test_staff_download_any_class_s_zip(client, finished_class):
    issue_all(finished_class)
    client.force_login(StaffFactory())

    response = client.get(page_url(finished_class, "certificate_zip"))

    assert len(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()) == 3


def test_a_class_without_certificates_has_no_zip_to_download(client, finished_class, instructor):
    client.force_login(instructor)

    response = client.get(page_url(finished_class, "certificate_zip"), follow=True)

    assert "This class has no valid certificates to download yet." in response.content.decode()


# --- The student ----------------------------------------------------------------------------------------


def test_the_student_downloads_their_certificate_from_their_courses_page(client, finished_class):
    issue_all(finished_class)
    certificate = Certificate.objects.get(holder_name="王小丽")
    client.force_login(certificate.enrollment.student)

    html = client.get(en("school:my_courses")).content.decode()

    assert "My certificates" in html and certificate.number in html
    assert reverse("certificates:pdf", args=[certificate.code]) in html
    assert reverse("certificates:credential", args=[certificate.code]) in html
    assert certificate.get_verify_url() in html
    assert Certificate.objects.get(holder_name="李明").number not in html  # nobody else's


def test_revoked_and_superseded_certificates_are_marked_and_not_offered_for_download(client, finished_class):
    issue_all(finished_class)
    staff = StaffFactory()
    old = Certificate.objects.get(holder_name="王小丽")
    new = services.reissue_certificate(certificate=old, actor=staff, holder_name="王晓丽", reason="改名")
    revoked = Certificate.objects.get(holder_name="李明")
    services.revoke_certificate(certificate=revoked, actor=staff, reason="考试作弊")

    client.force_login(old.enrollment.student)
    html = client.get(en("school:my_courses")).content.decode()
    assert old.number in html and new.number in html
    assert "Superseded" in html and "replaced by a newer certificate" in html
    assert reverse("certificates:pdf", args=[new.code]) in html
    assert reverse("certificates:pdf", args=[old.code]) not in html

    client.force_login(revoked.enrollment.student)
    html = client.get(en("school:my_courses")).content.decode()
    assert "Revoked" in html and "考试作弊" in html
    assert reverse("certificates:pdf", args=[revoked.code]) not in html


def test_a_completed_course_without_a_certificate_says_it_is_coming(client, finished_class):
    client.force_login(finished_class.enrollments.filter(status="completed").first().student)

    html = client.get(en("school:my_courses")).content.decode()

    assert "Your certificate has not been issued yet" in html


def test_the_course_page_shows_the_holder_their_certificate_and_never_caches_it(client, finished_class, catalogue):
    issue_all(finished_class)
    certificate = Certificate.objects.get(holder_name="王小丽")
    page = catalogue.publish(finished_class.course)

    client.force_login(certificate.enrollment.student)
    mine = client.get(page.url).content.decode()
    assert certificate.number in mine and reverse("certificates:pdf", args=[certificate.code]) in mine

    client.force_login(Certificate.objects.get(holder_name="李明").enrollment.student)
    theirs = client.get(page.url).content.decode()
    assert certificate.number not in theirs

    client.logout()
    first, second = client.get(page.url), client.get(page.url)
    assert second["X-Page-Cache"] == "hit"
    assert certificate.number not in first.content.decode() and certificate.number not in second.content.decode()


def test_a_revoked_certificate_is_not_shown_on_the_course_page(client, finished_class, catalogue):
    issue_all(finished_class)
    certificate = Certificate.objects.get(holder_name="王小丽")
    services.revoke_certificate(certificate=certificate, actor=StaffFactory(), reason="证件信息有误")
    page = catalogue.publish(finished_class.course)
    client.force_login(certificate.enrollment.student)

    assert certificate.number not in client.get(page.url).content.decode()


# --- Cost ---------------------------------------------------------------------------------------------


def test_the_class_s_certificates_page_costs_the_same_queries_for_a_small_and_a_large_class(
    client, instructor, django_assert_max_num_queries
):
    cohort = CohortFactory(status="finished")
    cohort.instructors.add(instructor)
    for _ in range(2):
        CompletedEnrollmentFactory(cohort=cohort)
    issue_all(cohort)
    client.force_login(instructor)
    with django_assert_max_num_queries(20) as small:
        assert client.get(page_url(cohort)).status_code == 200

    for _ in range(8):
        CompletedEnrollmentFactory(cohort=cohort)
    issue_all(cohort)
    services.revoke_certificate(certificate=Certificate.objects.first(), actor=StaffFactory(), reason="错误")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(page_url(cohort)).status_code == 200


def test_the_student_s_courses_page_costs_the_same_queries_with_one_or_many_certificates(
    client, django_assert_max_num_queries
):
    student = StudentFactory()
    CompletedEnrollmentFactory(student=student)
    issue_all(student.enrollments.get().cohort)
    client.force_login(student)
    with django_assert_max_num_queries(20) as small:
        assert client.get(en("school:my_courses")).status_code == 200

    for _ in range(4):
        enrollment = CompletedEnrollmentFactory(student=student)
        issue_all(enrollment.cohort)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(en("school:my_courses")).content.decode()
    assert html.count("Download PDF") == 5


def test_the_teaching_dashboard_links_a_finished_class_to_its_certificates(client, finished_class, instructor):
    client.force_login(instructor)

    html = client.get(en("school:instructor_dashboard")).content.decode()

    assert page_url(finished_class) in html
