"""The certificate issuing API: issue one or a class, follow a batch, list, revoke, and who may do each
(student, another student, the class's instructor, another instructor, staff, anonymous)."""

import pytest

from accounts.roles import Role
from school.models import Certificate, CertificateBatch
from school.services import certificates as services
from tests.factories import CohortFactory, CompletedEnrollmentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ISSUE = "/api/v1/certificates/issue/"
LIST = "/api/v1/certificates/"
PEOPLE = ["student", "other_student", "instructor", "other_instructor", "staff", "anonymous"]


@pytest.fixture
def school(db):
    """A finished class of three completed students and its instructor, plus someone of every other kind."""
    instructor = UserFactory(role=Role.INSTRUCTOR)
    first = CompletedEnrollmentFactory(profile__real_name="王小丽", cohort__course__program__code="JZ")
    cohort = first.cohort
    cohort.instructors.add(instructor)
    others = [CompletedEnrollmentFactory(cohort=cohort, profile__real_name=name) for name in ("李明", "张伟")]

    class School:
        pass

    school = School()
    school.cohort, school.enrollment, school.enrollments = cohort, first, [first, *others]
    school.people = {
        "student": first.student,
        "other_student": CompletedEnrollmentFactory(profile__real_name="赵敏").student,
        "instructor": instructor,
        "other_instructor": UserFactory(role=Role.INSTRUCTOR),
        "staff": StaffFactory(),
        "anonymous": None,
    }
    return school


def as_(client, school, who):
    person = school.people[who]
    if person is not None:
        client.force_login(person)
    return client


def issue_class(cohort):
    return services.issue_certificates(cohort=cohort, issued_by=StaffFactory())


# --- Issuing one ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_class_s_instructor_and_staff_issue_one_certificate(client, school, who):
    response = as_(client, school, who).post(ISSUE, {"enrollment": school.enrollment.pk}, content_type=JSON)

    expected = {"instructor": 201, "staff": 201, "other_instructor": 404}.get(who)
    if expected:
        assert response.status_code == expected
    else:
        assert response.status_code in (401, 403)
    if response.status_code == 201:
        body = response.json()
        certificate = Certificate.objects.get()
        assert body["number"] == certificate.number and body["number"].endswith("-JZ-00001")
        assert body["status"] == "valid" and body["holder_name"] == "王小丽"
        assert body["cohort"] == school.cohort.code and body["enrollment"] == school.enrollment.pk
        assert body["pdf_url"].endswith(f"/certificates/{certificate.code}/pdf/")
        assert body["verify_url"].endswith(certificate.get_verify_url())
    else:
        assert not Certificate.objects.exists()


def test_a_second_certificate_for_the_same_student_is_refused_in_the_caller_s_language(client, school):
    as_(client, school, "instructor")
    client.post(ISSUE, {"enrollment": school.enrollment.pk}, content_type=JSON)

    response = client.post(ISSUE, {"enrollment": school.enrollment.pk}, content_type=JSON, **EN)

    assert response.status_code == 400
    assert response.json() == {"detail": "This student already has a certificate for this class.", "code": "duplicate"}
    assert Certificate.objects.count() == 1


def test_a_name_no_font_can_draw_is_refused_naming_the_character(client, school):
    enrollment = CompletedEnrollmentFactory(cohort=school.cohort, profile__real_name="王\U000f0001")
    as_(client, school, "instructor")

    response = client.post(ISSUE, {"enrollment": enrollment.pk}, content_type=JSON, **EN)

    assert response.status_code == 400
    assert response.json()["code"] == "font_coverage" and "U+F0001" in response.json()["detail"]
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("given", [{}, {"enrollment": 1, "cohort": 1}, {"enrollment": "one"}])
def test_either_an_enrolment_or_a_class_must_be_given(client, school, given):
    response = as_(client, school, "instructor").post(ISSUE, given, content_type=JSON, **EN)

    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}


# --- Issuing a class, and its progress ----------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_class_s_instructor_and_staff_issue_for_the_class(
    client, school, who, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(client, school, who).post(ISSUE, {"cohort": school.cohort.pk}, content_type=JSON)

    expected = {"instructor": 202, "staff": 202, "other_instructor": 404}.get(who)
    if expected:
        assert response.status_code == expected
    else:
        assert response.status_code in (401, 403)
    if response.status_code == 202:
        body = response.json()
        batch = CertificateBatch.objects.get()
        assert body["batch"] == batch.pk and body["status"] in ("queued", "running", "done")
        assert body["progress_url"].endswith(f"/api/v1/certificate-batches/{batch.pk}/")
        progress = client.get(body["progress_url"]).json()
        assert progress["status"] == "done" and progress["finished"] is True
        assert (progress["done"], progress["total"], progress["percent"], progress["issued"]) == (3, 3, 100, 3)
        assert progress["error"] == ""
        assert Certificate.objects.filter(status="valid").count() == 3
    else:
        assert not CertificateBatch.objects.exists() and not Certificate.objects.exists()


def test_a_failed_batch_reports_the_message_naming_the_character(client, school, django_capture_on_commit_callbacks):
    CompletedEnrollmentFactory(cohort=school.cohort, profile__real_name="王\U000f0001")
    as_(client, school, "instructor")
    school.people["instructor"].language = "en"
    school.people["instructor"].save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        batch_id = client.post(ISSUE, {"cohort": school.cohort.pk}, content_type=JSON).json()["batch"]
    progress = client.get(f"/api/v1/certificate-batches/{batch_id}/").json()

    assert progress["status"] == "failed" and progress["finished"] is True
    assert "U+F0001" in progress["error"] and progress["issued"] == 0
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_a_batch_s_progress_is_for_those_who_run_the_class(client, school, who):
    batch = CertificateBatch.objects.create(cohort=school.cohort, total=3)
    CertificateBatch.objects.filter(pk=batch.pk).update(status="running", done=1)

    response = as_(client, school, who).get(f"/api/v1/certificate-batches/{batch.pk}/")

    expected = {"instructor": 200, "staff": 200, "other_instructor": 404}.get(who)
    if expected:
        assert response.status_code == expected
    else:
        assert response.status_code in (401, 403)
    if response.status_code == 200:
        body = response.json()
        assert (body["status"], body["done"], body["total"], body["percent"], body["finished"]) == (
            "running",
            1,
            3,
            33,
            False,
        )


# --- Listing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,holders",
    [
        ("student", {"王小丽"}),
        ("other_student", {"赵敏"}),
        ("instructor", {"王小丽", "李明", "张伟"}),
        ("other_instructor", set()),
        ("staff", {"王小丽", "李明", "张伟", "赵敏"}),
    ],
)
def test_each_person_lists_the_certificates_they_may_see(client, school, who, holders):
    issue_class(school.cohort)
    issue_class(school.people["other_student"].enrollments.get().cohort)

    response = as_(client, school, who).get(LIST)

    assert response.status_code == 200
    assert {row["holder_name"] for row in response.json()["results"]} == holders


def test_anonymous_callers_cannot_list_certificates(client, school):
    issue_class(school.cohort)

    assert client.get(LIST).status_code in (401, 403)


def test_the_list_filters_by_class_and_status(client, school):
    issue_class(school.cohort)
    other = issue_class(school.people["other_student"].enrollments.get().cohort)
    assert other.issued == 1
    services.revoke_certificate(
        certificate=Certificate.objects.get(holder_name="李明"), actor=StaffFactory(), reason="证件信息有误"
    )
    as_(client, school, "staff")

    in_class = client.get(LIST, {"cohort": school.cohort.pk}).json()["results"]
    revoked = client.get(LIST, {"cohort": school.cohort.pk, "status": "revoked"}).json()["results"]
    nonsense = client.get(LIST, {"status": "lost"}, **EN)

    assert {row["holder_name"] for row in in_class} == {"王小丽", "李明", "张伟"}
    assert [(row["holder_name"], row["revoked_reason"]) for row in revoked] == [("李明", "证件信息有误")]
    assert nonsense.status_code == 400 and nonsense.json()["code"] == "invalid_choice"


def test_the_list_costs_the_same_queries_for_few_and_many_certificates(client, django_assert_max_num_queries):
    staff = StaffFactory()
    cohort = CohortFactory(status="finished")
    CompletedEnrollmentFactory(cohort=cohort)
    issue_class(cohort)
    client.force_login(staff)
    with django_assert_max_num_queries(10) as few:
        assert client.get(LIST).status_code == 200

    for _ in range(6):
        issue_class(CompletedEnrollmentFactory(cohort=CohortFactory(status="finished")).cohort)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.json()["count"] == 7


# --- Revoking ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_only_staff_revoke(client, school, who):
    issue_class(school.cohort)
    certificate = Certificate.objects.get(holder_name="王小丽")

    response = as_(client, school, who).post(
        f"/api/v1/certificates/{certificate.code}/revoke/", {"reason": "证件信息有误"}, content_type=JSON
    )

    certificate.refresh_from_db()
    if who == "staff":
        assert response.status_code == 200
        assert response.json()["status"] == "revoked" and response.json()["revoked_reason"] == "证件信息有误"
        assert certificate.status == "revoked"
    else:
        assert response.status_code in (401, 403)
        assert certificate.status == "valid"


def test_revoking_needs_a_reason_and_a_valid_certificate(client, school):
    issue_class(school.cohort)
    certificate = Certificate.objects.get(holder_name="王小丽")
    url = f"/api/v1/certificates/{certificate.code}/revoke/"
    as_(client, school, "staff")

    no_reason = client.post(url, {"reason": "  "}, content_type=JSON, **EN)
    first = client.post(url, {"reason": "考试作弊"}, content_type=JSON, **EN)
    again = client.post(url, {"reason": "考试作弊"}, content_type=JSON, **EN)
    unknown = client.post("/api/v1/certificates/0000000000000000/revoke/", {"reason": "x"}, content_type=JSON)

    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    assert no_reason.json()["detail"] == "Give the reason for revoking this certificate."
    assert first.status_code == 200
    assert (again.status_code, again.json()["code"]) == (400, "not_valid")
    assert unknown.status_code == 404


def test_a_code_typed_with_dashes_and_lower_case_is_found(client, school):
    issue_class(school.cohort)
    certificate = Certificate.objects.get(holder_name="王小丽")
    as_(client, school, "staff")

    response = client.post(
        f"/api/v1/certificates/{certificate.display_code.lower()}/revoke/", {"reason": "错误"}, content_type=JSON
    )

    assert response.status_code == 200


# --- The schema ---------------------------------------------------------------------------------------------


def test_the_issuing_endpoints_are_in_the_schema(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    assert set(paths["/api/v1/certificates/issue/"]["post"]["responses"]) >= {"201", "202", "400"}
    assert "get" in paths["/api/v1/certificates/"]
    assert "post" in paths["/api/v1/certificates/{code}/revoke/"]
    assert "get" in paths["/api/v1/certificate-batches/{id}/"]
