"""Recommendations through the API: a graduate's best postings and their fit to one posting, a merchant's
best candidates for its posting. Each answer comes in order with its reasons (in the caller's language)
and the skills lacking with a course that teaches them; each endpoint has the permissions of its side of
the board, and a graduate who withdraws consent drops out of the merchant's list at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from jobs import services
from jobs.matching.features import rebuild_all
from jobs.models import PostingSkill
from school.models import CourseSkill
from tests.factories import (
    CohortFactory,
    CourseFactory,
    MerchantMemberFactory,
    SkillFactory,
    StudentFactory,
)
from tests.jobs.pipeline_helpers import bulk_graduates, graduate, merchant_with_recruiter, open_posting

pytestmark = pytest.mark.django_db

MINE = "/api/v1/jobs/my/recommendations/"
COMPONENTS = {"skills", "program", "distance", "pay", "availability", "recency"}


def match_url(posting) -> str:
    return f"/api/v1/jobs/postings/{posting.pk}/match/"


def candidates_url(posting) -> str:
    return f"/api/v1/jobs/merchant/postings/{posting.pk}/recommended-candidates/"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def school(catalogue):
    """Two skills, each taught by a course; the video course has a page on the website."""
    selling = SkillFactory(name="直播带货", name_en="Live selling")
    video = SkillFactory(name="短视频剪辑", name_en="Video editing")
    live_course = CourseFactory(title="直播电商运营", title_en="Live e-commerce operations")
    video_course = CourseFactory(title="短视频制作", title_en="Short video production")
    CourseSkill.objects.create(course=live_course, skill=selling, level=3)
    CourseSkill.objects.create(course=video_course, skill=video, level=4)
    catalogue.publish(video_course)
    return selling, video, live_course, video_course


def requiring(posting, *skills_and_levels):
    for skill, level in skills_and_levels:
        PostingSkill.objects.create(posting=posting, skill=skill, min_level=level)
    return posting


def reasons(row) -> dict[str, str]:
    return {reason["code"]: reason["text"] for reason in row["reasons"]}


# --- The graduate's side ---------------------------------------------------------------------------


def test_a_graduate_gets_the_best_postings_first_with_reasons_and_courses_for_missing_skills(api, committed, school):
    selling, video, live_course, video_course = school
    merchant, _recruiter = merchant_with_recruiter(name="洛阳直播基地")
    best = requiring(open_posting(merchant, title="主播", district="jianxi"), (selling, 3))
    half = requiring(open_posting(merchant, title="主播兼剪辑", district="jianxi"), (selling, 3), (video, 3))
    far = requiring(open_posting(merchant, title="剪辑师", district="luolong"), (video, 3))
    applied = requiring(open_posting(merchant, title="已申请", district="jianxi"), (selling, 3))
    requiring(open_posting(merchant, title="已关闭", status="closed"), (selling, 3))
    with committed():
        person = graduate(course=live_course, desired_districts=["jianxi"], expected_pay="5000")
    services.apply(graduate=person.user, posting=applied)
    api.force_login(person.user)

    response = api.get(MINE)

    assert response.status_code == 200
    rows = response.json()
    assert [row["posting"]["id"] for row in rows] == [best.pk, half.pk, far.pk]
    assert [row["posting"]["title"] for row in rows] == ["主播", "主播兼剪辑", "剪辑师"]
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert all(s == round(s, 1) for s in scores)
    top = rows[0]
    assert top["posting"]["merchant_name"] == "洛阳直播基地"
    assert top["posting"]["district"] == "jianxi" and top["posting"]["pay_period"] == "month"
    assert top["posting"]["pay_min"] == "4000.00" and top["posting"]["pay_max"] == "6000.00"
    assert top["posting"]["closing_date"] == best.closing_date.isoformat()
    assert top["posting"]["url"].endswith(f"/jobs/{best.pk}/")
    assert set(top["components"]) == COMPONENTS and top["components"]["skills"] == 1.0
    assert reasons(top)["certified"] == "Holds the Live e-commerce operations certificate"
    assert reasons(top)["same_district"] == "Also in 涧西区"
    assert reasons(top)["pay"] == "Expected pay is within the range"
    assert top["missing_skills"] == []
    [missing] = rows[1]["missing_skills"]
    assert missing["skill"] == {"slug": video.slug, "name": "Video editing"}
    assert missing["level"] == 3
    assert missing["course"]["code"] == video_course.code
    assert missing["course"]["title"] == "Short video production"
    assert missing["course"]["url"].startswith("http://testserver/")
    assert missing["course"]["url"].endswith(f"/{video_course.code.lower()}/")
    assert "near" in reasons(rows[2]) and "same_district" not in reasons(rows[2])

    assert [row["posting"]["id"] for row in api.get(MINE, {"limit": 1}).json()] == [best.pk]


def test_a_graduate_sees_their_fit_to_one_posting_and_only_to_postings_on_the_board(api, committed, school):
    selling, video, live_course, video_course = school
    merchant, _recruiter = merchant_with_recruiter()
    posting = requiring(open_posting(merchant, district="jianxi"), (selling, 3), (video, 4))
    with committed():
        person = graduate(course=live_course, desired_districts=["jianxi"])
    api.force_login(person.user)

    response = api.get(match_url(posting))

    assert response.status_code == 200
    body = response.json()
    assert body["posting"]["id"] == posting.pk
    assert body["components"]["skills"] == 0.5
    assert reasons(body)["certified"] == "Holds the Live e-commerce operations certificate"
    assert [(m["skill"]["slug"], m["level"], m["course"]["code"]) for m in body["missing_skills"]] == [
        (video.slug, 4, video_course.code)
    ]
    [recommended] = [row for row in api.get(MINE).json() if row["posting"]["id"] == posting.pk]
    assert recommended["score"] == body["score"]

    for hidden in (open_posting(merchant, status="draft"), open_posting(merchant, status="closed")):
        assert api.get(match_url(hidden)).status_code == 404
    assert api.get("/api/v1/jobs/postings/999999/match/").status_code == 404


def test_a_student_the_school_knows_nothing_about_gets_no_recommendations_and_a_clear_refusal(api):
    posting = open_posting(merchant_with_recruiter()[0])
    api.force_login(StudentFactory())

    assert api.get(MINE).json() == []
    refused = api.get(match_url(posting))
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "There is nothing to match yet: complete a course or fill in your job profile.",
        "code": "nothing_to_match",
    }


def test_reasons_follow_the_caller_s_language(committed, school):
    selling, _video, live_course, _video_course = school
    requiring(open_posting(merchant_with_recruiter()[0], district="jianxi"), (selling, 3))
    with committed():
        person = graduate(course=live_course, desired_districts=["jianxi"])
    english, default = APIClient(HTTP_ACCEPT_LANGUAGE="en"), APIClient()
    english.force_login(person.user)
    default.force_login(person.user)

    in_english = reasons(english.get(MINE).json()[0])
    in_chinese = reasons(default.get(MINE).json()[0])

    assert in_english["certified"] == "Holds the Live e-commerce operations certificate"
    assert in_english.keys() == in_chinese.keys()
    assert in_chinese["certified"] != in_english["certified"]
    assert "直播电商运营" in in_chinese["certified"]


@pytest.mark.parametrize("limit", ["0", "51", "abc", "2.5", "-3"])
def test_a_bad_limit_is_refused_with_a_message(api, committed, limit):
    recruiter_posting = open_posting(merchant_with_recruiter()[0])
    with committed():
        person = graduate()
    api.force_login(person.user)

    response = api.get(MINE, {"limit": limit})

    assert response.status_code == 400
    assert response.json()["detail"] == "limit is a whole number from 1 to 50."
    assert "limit" in response.json()["fields"]
    member = MerchantMemberFactory(merchant=recruiter_posting.merchant)
    api.force_login(member.user)
    assert api.get(candidates_url(recruiter_posting), {"limit": limit}).status_code == 400


# --- The merchant's side ---------------------------------------------------------------------------


def test_a_recruiter_gets_consenting_candidates_best_first_with_reasons_and_missing_skills(api, committed, school):
    selling, video, live_course, video_course = school
    merchant, recruiter = merchant_with_recruiter()
    posting = requiring(open_posting(merchant, district="jianxi"), (selling, 3), (video, 3))
    with committed():
        star = graduate(course=live_course, desired_districts=["jianxi"], expected_pay="5000")
        further = graduate(course=live_course, desired_districts=["luoning"], expected_pay="5000")
        private = graduate(course=live_course, consent=False, desired_districts=["jianxi"])
        applicant = graduate(course=live_course, desired_districts=["jianxi"])
    services.apply(graduate=applicant.user, posting=posting)
    api.force_login(recruiter)

    response = api.get(candidates_url(posting))

    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == [star.pk, further.pk]
    assert private.user.display_name not in str(rows)
    top = rows[0]
    assert top["name"] == star.user.display_name
    assert top["profile"]["desired_districts"] == ["jianxi"]
    assert [course["code"] for course in top["record"]["courses"]] == [live_course.code]
    assert top["score"] > rows[1]["score"]
    assert set(top["components"]) == COMPONENTS
    assert reasons(top)["certified"] == "Holds the Live e-commerce operations certificate"
    assert reasons(top)["same_district"] == "Also in 涧西区"
    [missing] = top["missing_skills"]
    assert missing["skill"]["name"] == "Video editing" and missing["level"] == 3
    assert missing["course"]["code"] == video_course.code and missing["course"]["url"]
    assert [row["id"] for row in api.get(candidates_url(posting), {"limit": 1}).json()] == [star.pk]


def test_a_graduate_who_withdraws_consent_drops_out_at_once(committed, school):
    _selling, _video, live_course, _video_course = school
    merchant, recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    with committed():
        leaving = graduate(course=live_course)
        staying = graduate(course=live_course)
    recruiter_api, graduate_api = APIClient(), APIClient()
    recruiter_api.force_login(recruiter)
    graduate_api.force_login(leaving.user)
    assert {row["id"] for row in recruiter_api.get(candidates_url(posting)).json()} == {leaving.pk, staying.pk}

    # No after-commit refresh runs here: the answer must not wait for matching's rows to catch up.
    withdrawn = graduate_api.patch("/api/v1/jobs/my/profile/", {"shared_with_merchants": False}, format="json")
    assert withdrawn.status_code == 200

    assert [row["id"] for row in recruiter_api.get(candidates_url(posting)).json()] == [staying.pk]


# --- Permissions -----------------------------------------------------------------------------------


def test_visitors_are_refused_everywhere(api):
    posting = open_posting(merchant_with_recruiter()[0])
    for url in (MINE, match_url(posting), candidates_url(posting)):
        assert api.get(url).status_code in (401, 403)


def test_a_merchant_cannot_use_the_graduate_endpoints(api):
    merchant, recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    api.force_login(recruiter)
    assert api.get(MINE).status_code == 403
    assert api.get(match_url(posting)).status_code == 403


def test_a_student_cannot_use_the_merchant_endpoint(api, committed):
    posting = open_posting(merchant_with_recruiter()[0])
    with committed():
        person = graduate()
    api.force_login(person.user)
    assert api.get(candidates_url(posting)).status_code == 403


def test_another_merchant_s_posting_is_not_found(api, committed):
    _mine, recruiter = merchant_with_recruiter()
    theirs = open_posting(merchant_with_recruiter()[0])
    with committed():
        graduate()
    api.force_login(recruiter)
    assert api.get(candidates_url(theirs)).status_code == 404


def test_a_member_of_a_merchant_not_yet_approved_gets_no_candidates(api):
    member = MerchantMemberFactory(merchant__status="pending")
    posting = open_posting(member.merchant, status="draft")
    api.force_login(member.user)
    assert api.get(candidates_url(posting)).status_code == 403
    # Approved elsewhere, still not for the pending merchant's posting.
    MerchantMemberFactory(user=member.user)
    assert api.get(candidates_url(posting)).status_code == 403


# --- Cost and schema -------------------------------------------------------------------------------


def test_a_recruiter_s_list_costs_the_same_queries_for_few_and_many(api, django_assert_max_num_queries):
    merchant, recruiter = merchant_with_recruiter()
    cohort = CohortFactory(status="finished")
    posting = open_posting(merchant)
    bulk_graduates(3, cohort)
    rebuild_all()
    api.force_login(recruiter)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(candidates_url(posting)).json()) == 3
    bulk_graduates(30, cohort)
    rebuild_all()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(candidates_url(posting)).json()) == 20


def test_a_graduate_s_list_costs_the_same_queries_for_few_and_many(api, committed, django_assert_max_num_queries):
    merchant, _recruiter = merchant_with_recruiter()
    open_posting(merchant)
    with committed():
        person = graduate()
    api.force_login(person.user)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(MINE).json()) == 1
    for _ in range(25):
        open_posting(merchant)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(MINE).json()) == 20


def test_the_recommendations_are_in_the_openapi_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    mine = schema["paths"]["/api/v1/jobs/my/recommendations/"]["get"]
    assert schema["paths"]["/api/v1/jobs/postings/{id}/match/"]["get"]
    candidates = schema["paths"]["/api/v1/jobs/merchant/postings/{id}/recommended-candidates/"]["get"]
    assert {"limit"} <= {parameter["name"] for parameter in mine["parameters"]}
    assert {"id", "limit"} <= {parameter["name"] for parameter in candidates["parameters"]}
    shapes = schema["components"]["schemas"]
    assert set(shapes["MatchComponents"]["properties"]) == COMPONENTS
    assert {"id", "name", "record", "profile", "score", "components", "reasons", "missing_skills"} <= set(
        shapes["RecommendedCandidate"]["properties"]
    )
    assert shapes["MissingSkill"]["properties"]["course"]["nullable"] is True
