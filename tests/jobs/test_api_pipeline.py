"""The merchant's pipeline through the API: its postings' applications (list, move, hire) and candidate
search. A merchant never sees another merchant's applications, nor a graduate who has not consented."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from accounts.models import Notification
from jobs import services
from jobs.models import Application, CandidateInvitation, Placement
from tests.factories import ApplicationFactory, CohortFactory, MerchantMemberFactory, StudentFactory
from tests.jobs.pipeline_helpers import bulk_graduates, graduate, merchant_with_recruiter, open_posting

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/jobs/merchant/applications/"
CANDIDATES = "/api/v1/jobs/merchant/candidates/"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def recruiter(api):
    merchant, recruiter = merchant_with_recruiter()
    recruiter.posting = open_posting(merchant, openings=1)
    api.force_login(recruiter)
    return recruiter


def test_a_recruiter_lists_the_applications_of_a_posting_with_each_record(api, recruiter):
    posting = recruiter.posting
    sharing = graduate(introduction="会做辅食")
    private = graduate(consent=False, introduction="不公开")
    services.apply(graduate=sharing.user, posting=posting, message="可以马上上岗")
    services.apply(graduate=private.user, posting=posting)
    other_posting = open_posting(posting.merchant)
    ApplicationFactory(posting=other_posting)

    body = api.get(APPLICATIONS, {"posting": posting.pk}).json()

    assert body["count"] == 2
    rows = {row["name"]: row for row in body["results"]}
    shared_row, private_row = rows[sharing.user.display_name], rows[private.user.display_name]
    assert shared_row["message"] == "可以马上上岗"
    assert shared_row["profile"]["introduction"] == "会做辅食"
    certificate = sharing.user.enrollments.get().certificates.get()
    assert shared_row["record"]["certificates"][0]["verify_url"] == certificate.get_verify_url()
    assert private_row["profile"] is None
    assert "不公开" not in str(private_row)
    assert len(private_row["record"]["courses"]) == 1  # what the school proves travels with the application


def test_a_recruiter_moves_and_hires_through_the_api(api, recruiter):
    application = ApplicationFactory(posting=recruiter.posting)
    url = f"{APPLICATIONS}{application.pk}/"

    response = api.post(f"{url}move/", {"to_status": "interview"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Give the interview's date, time and place (or video link).",
        "code": "interview_details",
    }

    response = api.post(
        f"{url}move/",
        {
            "to_status": "interview",
            "interview_at": "2026-12-03T14:30:00+08:00",
            "interview_place": "https://meeting.tencent.com/abc",
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "interview"

    response = api.post(f"{url}hire/", {"start_date": "2026-12-10", "pay": "5000"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "transition"

    assert api.post(f"{url}move/", {"to_status": "offer", "note": "待遇已谈妥"}, format="json").status_code == 200
    response = api.post(
        f"{url}hire/", {"start_date": "2026-12-10", "pay": "5000", "social_insurance": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["follow_ups"] == ["2027-01-09", "2027-03-10", "2027-06-08"]
    recruiter.posting.refresh_from_db()
    assert recruiter.posting.status == "filled"
    assert Placement.objects.get().social_insurance is True


def test_another_merchants_applications_are_never_seen_nor_changed(api, recruiter):
    other_merchant, _other = merchant_with_recruiter()
    theirs = ApplicationFactory(posting=open_posting(other_merchant), status="offer")

    assert api.get(APPLICATIONS).json()["count"] == 0
    assert api.get(APPLICATIONS, {"posting": theirs.posting_id}).json()["count"] == 0
    assert api.get(f"{APPLICATIONS}{theirs.pk}/").status_code == 404
    assert api.post(f"{APPLICATIONS}{theirs.pk}/move/", {"to_status": "rejected"}, format="json").status_code == 404
    hire = {"start_date": "2026-12-10", "pay": "5000"}
    assert api.post(f"{APPLICATIONS}{theirs.pk}/hire/", hire, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "offer"


def test_students_and_visitors_cannot_list_applications(api):
    ApplicationFactory()
    assert api.get(APPLICATIONS).status_code in (401, 403)
    api.force_login(StudentFactory())
    assert api.get(APPLICATIONS).status_code == 403


def test_candidate_search_shows_only_consenting_graduates(api, recruiter):
    sharing = graduate(desired_districts=["luolong"])
    private = graduate(consent=False)

    body = api.get(CANDIDATES).json()
    assert [row["name"] for row in body["results"]] == [sharing.user.display_name]
    assert body["results"][0]["profile"]["desired_districts"] == ["luolong"]
    assert api.get(f"{CANDIDATES}{private.pk}/").status_code == 404
    assert api.get(f"{CANDIDATES}{sharing.pk}/").status_code == 200
    assert api.get(CANDIDATES, {"district": "jianxi"}).json()["count"] == 0

    services.set_consent(user=sharing.user, granted=False)

    assert api.get(CANDIDATES).json()["count"] == 0
    assert api.get(f"{CANDIDATES}{sharing.pk}/").status_code == 404
    response = api.post(f"{CANDIDATES}{sharing.pk}/invite/", {"posting": recruiter.posting.pk}, format="json")
    assert response.status_code == 404
    assert not CandidateInvitation.objects.exists()


def test_a_recruiter_invites_a_candidate_through_the_api(api, recruiter):
    profile = graduate()

    response = api.post(f"{CANDIDATES}{profile.pk}/invite/", {"posting": recruiter.posting.pk}, format="json")

    assert response.status_code == 201
    assert response.json()["posting"] == recruiter.posting.pk
    assert Notification.objects.filter(recipient=profile.user).count() == 1
    assert not Application.objects.exists()
    again = api.post(f"{CANDIDATES}{profile.pk}/invite/", {"posting": recruiter.posting.pk}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "already_invited"


@pytest.mark.parametrize("who", ["pending merchant", "student"])
def test_only_approved_merchants_search_candidates(api, who):
    graduate()
    user = MerchantMemberFactory(merchant__status="pending").user if who == "pending merchant" else StudentFactory()
    api.force_login(user)
    assert api.get(CANDIDATES).status_code == 403


def test_candidate_search_costs_the_same_queries_for_10_and_500_graduates(
    api, recruiter, django_assert_max_num_queries
):
    cohort = CohortFactory(status="finished")
    bulk_graduates(10, cohort)
    with CaptureQueriesContext(connection) as small:
        assert api.get(CANDIDATES).json()["count"] == 10
    bulk_graduates(490, cohort)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(CANDIDATES).json()["count"] == 500


def test_the_pipeline_is_in_the_openapi_schema(api, recruiter):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/jobs/merchant/applications/",
        "/api/v1/jobs/merchant/applications/{id}/move/",
        "/api/v1/jobs/merchant/applications/{id}/hire/",
        "/api/v1/jobs/merchant/candidates/",
        "/api/v1/jobs/merchant/candidates/{id}/invite/",
    ):
        assert path in schema["paths"]
