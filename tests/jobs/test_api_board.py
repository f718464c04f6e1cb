"""The job board API: public postings with the board's filters, a graduate's own profile with the consent
switch, and their own applications. Every permission is tested: another graduate's profile and
applications are out of reach, and merchants and visitors cannot use the graduate endpoints."""

import pytest

from jobs.models import Application, ConsentRecord, GraduateProfile, PostingSkill
from tests.factories import (
    ApplicationFactory,
    GraduateProfileFactory,
    JobCategoryFactory,
    JobPostingFactory,
    MerchantFactory,
    MerchantUserFactory,
    SkillFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db
JSON = "application/json"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_anyone_lists_postings_on_the_board_with_the_board_s_filters(client):
    care = JobCategoryFactory(slug="care")
    JobPostingFactory(title="育婴师", category=care, district="luolong")
    JobPostingFactory(title="收银员", district="jianxi")
    JobPostingFactory(title="草稿", status="draft")
    JobPostingFactory(title="已关闭", status="closed")

    everything = client.get("/api/v1/jobs/postings/")
    assert everything.status_code == 200
    assert sorted(row["title"] for row in everything.json()["results"]) == ["收银员", "育婴师"]
    filtered = client.get("/api/v1/jobs/postings/", {"category": "care", "district": "luolong"}).json()
    assert [row["title"] for row in filtered["results"]] == ["育婴师"]
    assert [row["title"] for row in client.get("/api/v1/jobs/postings/", {"q": "shouyin"}).json()["results"]] == []


def test_a_posting_in_detail_shows_the_employer_but_not_its_private_details(client):
    merchant = MerchantFactory(name="洛阳好帮手", description="专业家政")
    posting = JobPostingFactory(merchant=merchant)
    PostingSkill.objects.create(posting=posting, skill=SkillFactory(slug="infant-care"), min_level=3)
    data = client.get(f"/api/v1/jobs/postings/{posting.pk}/").json()
    assert data["merchant"]["name"] == "洛阳好帮手" and data["merchant"]["description"] == "专业家政"
    assert "credit_code" not in data["merchant"] and "licence" not in data["merchant"]
    assert merchant.credit_code not in str(data) and merchant.contact_phone not in str(data)
    assert data["required_skills"] == [
        {"slug": "infant-care", "name": posting.required_skills.get().skill.name, "name_en": "", "min_level": 3}
    ]
    assert data["taking_applications"] is True
    assert data["url"].endswith(f"/jobs/{posting.pk}/")


def test_closed_postings_open_by_id_but_drafts_do_not(client):
    closed = JobPostingFactory(status="closed")
    assert client.get(f"/api/v1/jobs/postings/{closed.pk}/").json()["taking_applications"] is False
    assert client.get(f"/api/v1/jobs/postings/{JobPostingFactory(status='draft').pk}/").status_code == 404


def test_a_graduate_reads_and_updates_their_own_profile(client):
    graduate = StudentFactory()
    care = JobCategoryFactory(slug="care")
    client.force_login(graduate)
    data = client.get("/api/v1/jobs/my/profile/", **EN).json()
    assert data["shared_with_merchants"] is False
    assert "withdraw this consent at any time" in data["consent_wording"]
    assert data["resume_url"] is None and data["certificates"] == []

    response = client.patch(
        "/api/v1/jobs/my/profile/",
        {"desired_categories": ["care"], "desired_districts": ["luolong"], "expected_pay": "6000"},
        content_type=JSON,
    )
    assert response.status_code == 200
    profile = GraduateProfile.objects.get(user=graduate)
    assert list(profile.desired_categories.all()) == [care] and profile.desired_districts == ["luolong"]
    assert not profile.shared_with_merchants

    bad = client.patch("/api/v1/jobs/my/profile/", {"desired_districts": ["atlantis"]}, content_type=JSON, **EN)
    assert bad.status_code == 400


def test_consent_through_the_api_needs_agreement_and_is_logged(client):
    graduate = StudentFactory()
    client.force_login(graduate)
    refused = client.patch("/api/v1/jobs/my/profile/", {"shared_with_merchants": True}, content_type=JSON, **EN)
    assert refused.status_code == 400 and refused.json()["code"] == "agree_required"
    assert "agree to the consent wording" in refused.json()["detail"]
    assert not ConsentRecord.objects.exists()

    granted = client.patch(
        "/api/v1/jobs/my/profile/",
        {"shared_with_merchants": True, "agree": True},
        content_type=JSON,
        REMOTE_ADDR="198.51.100.4",
    )
    assert granted.json()["shared_with_merchants"] is True
    record = ConsentRecord.objects.get()
    assert record.granted and record.ip_address == "198.51.100.4"

    withdrawn = client.patch("/api/v1/jobs/my/profile/", {"shared_with_merchants": False}, content_type=JSON)
    assert withdrawn.json()["shared_with_merchants"] is False
    assert not GraduateProfile.objects.get(user=graduate).shared_with_merchants
    assert not ConsentRecord.objects.first().granted


def test_consent_through_the_api_behind_the_proxy_records_the_graduates_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(StudentFactory())

    client.patch(
        "/api/v1/jobs/my/profile/",
        {"shared_with_merchants": True, "agree": True},
        content_type=JSON,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert ConsentRecord.objects.get().ip_address == "203.0.113.9"


def test_a_graduate_applies_lists_and_withdraws_through_the_api(client):
    graduate = StudentFactory()
    posting = JobPostingFactory(title="育婴师")
    client.force_login(graduate)
    created = client.post(
        "/api/v1/jobs/my/applications/", {"posting": posting.pk, "message": "你好"}, content_type=JSON
    )
    assert created.status_code == 201
    assert created.json()["status"] == "applied" and created.json()["posting_title"] == "育婴师"

    again = client.post("/api/v1/jobs/my/applications/", {"posting": posting.pk}, content_type=JSON, **EN)
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    closed = client.post(
        "/api/v1/jobs/my/applications/", {"posting": JobPostingFactory(status="closed").pk}, content_type=JSON, **EN
    )
    assert closed.status_code == 400 and closed.json() == {
        "detail": "This posting is no longer taking applications.",
        "code": "closed",
    }

    listed = client.get("/api/v1/jobs/my/applications/").json()["results"]
    assert [row["posting"] for row in listed] == [posting.pk]
    application_id = listed[0]["id"]
    withdrawn = client.post(f"/api/v1/jobs/my/applications/{application_id}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    twice = client.post(f"/api/v1/jobs/my/applications/{application_id}/withdraw/", **EN)
    assert twice.status_code == 400 and twice.json()["code"] == "transition"


def test_another_graduate_s_applications_are_unreachable(client):
    mine = StudentFactory()
    theirs = ApplicationFactory()
    GraduateProfileFactory(user=theirs.graduate)
    client.force_login(mine)
    assert client.get("/api/v1/jobs/my/applications/").json()["results"] == []
    assert client.get(f"/api/v1/jobs/my/applications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/jobs/my/applications/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "applied"
    # "My profile" is always one's own: there is no address for another graduate's.
    assert client.get("/api/v1/jobs/my/profile/").json()["introduction"] == ""


@pytest.mark.parametrize("who", ["visitor", "merchant"])
def test_visitors_and_merchants_cannot_use_the_graduate_endpoints(client, who):
    posting = JobPostingFactory()
    if who == "merchant":
        client.force_login(MerchantUserFactory())
    refused = {403} if who == "merchant" else {401, 403}
    for response in (
        client.get("/api/v1/jobs/my/profile/"),
        client.patch("/api/v1/jobs/my/profile/", {"introduction": "x"}, content_type=JSON),
        client.get("/api/v1/jobs/my/applications/"),
        client.post("/api/v1/jobs/my/applications/", {"posting": posting.pk}, content_type=JSON),
    ):
        assert response.status_code in refused
    assert not Application.objects.exists() and not GraduateProfile.objects.exists()


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/jobs/postings/",
        "/api/v1/jobs/postings/{id}/",
        "/api/v1/jobs/my/profile/",
        "/api/v1/jobs/my/applications/",
        "/api/v1/jobs/my/applications/{id}/withdraw/",
    ):
        assert path in schema["paths"]
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/v1/jobs/postings/"]["get"]["parameters"]}
    assert {"q", "category", "district", "employment_type", "min_pay", "posted_within", "skill", "sort"} <= parameters
