"""A merchant writes postings in its workspace or through the API; the school reviews those of untrusted
merchants (again after a substantive edit); postings close themselves at their closing date."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

import pytest

from jobs.forms_merchant import description_to_html, description_to_text
from jobs.models import JobPosting
from jobs.services import posting_save
from jobs.tasks import close_expired_postings
from tests.factories import (
    ApplicationFactory,
    CourseFactory,
    JobCategoryFactory,
    JobPostingFactory,
    MerchantFactory,
    MerchantMemberFactory,
    MerchantUserFactory,
    SkillFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def recruiter(client):
    user = MerchantUserFactory()
    merchant = MerchantFactory(owner=MerchantUserFactory())
    MerchantMemberFactory(merchant=merchant, user=user)
    client.force_login(user)
    return user


def merchant_of(user):
    return user.merchant_memberships.get().merchant


def posting_data(**overrides) -> dict:
    category = overrides.pop("category", None) or JobCategoryFactory()
    data = {
        "title": "收银员",
        "category": category.pk,
        "description": "负责收银和理货。\n\n- 早班 7:00–15:00\n- 包午餐",
        "employment_type": "full_time",
        "district": "xigong",
        "address": "中州中路 100 号",
        "pay_min": "3500",
        "pay_max": "4500",
        "pay_period": "month",
        "openings": "2",
        "closing_date": days_from_today(20).isoformat(),
        "skills-TOTAL_FORMS": "2",
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "20",
        "skills-0-skill": "",
        "skills-0-min_level": "2",
        "skills-1-skill": "",
        "skills-1-min_level": "2",
        "action": "submit",
    }
    data.update(overrides)
    return data


# --- Writing postings in the workspace --------------------------------------------------------------


def test_an_untrusted_merchants_posting_goes_to_review_with_its_skills_and_courses(client, recruiter):
    merchant = merchant_of(recruiter)
    skill, course = SkillFactory(), CourseFactory()

    response = client.post(
        en("jobs:merchant_posting_new", merchant.pk),
        posting_data(**{"skills-0-skill": skill.pk, "skills-0-min_level": "3", "preferred_courses": [course.pk]}),
        follow=True,
    )

    posting = JobPosting.objects.get()
    assert posting.status == "pending" and posting.merchant == merchant and posting.created_by == recruiter
    assert [(r.skill, r.min_level) for r in posting.required_skills.all()] == [(skill, 3)]
    assert list(posting.preferred_courses.all()) == [course]
    assert "waiting for the school" in response.content.decode()
    # What was typed is stored as escaped rich text: paragraphs and a list.
    assert posting.description == "<p>负责收银和理货。</p><ul><li>早班 7:00–15:00</li><li>包午餐</li></ul>"


def test_a_draft_stays_off_the_board_and_a_trusted_merchant_publishes_at_once(client, recruiter):
    merchant = merchant_of(recruiter)
    client.post(en("jobs:merchant_posting_new", merchant.pk), posting_data(action="draft", title="草稿"))
    merchant.trusted = True
    merchant.save()
    client.post(en("jobs:merchant_posting_new", merchant.pk), posting_data(title="直接发布"))

    assert JobPosting.objects.get(title="草稿").status == "draft"
    published = JobPosting.objects.get(title="直接发布")
    assert published.status == "published" and published.published_at is not None
    assert published in JobPosting.objects.on_board()


def test_markup_typed_in_the_description_is_never_stored_as_markup(client, recruiter):
    merchant = merchant_of(recruiter)

    client.post(
        en("jobs:merchant_posting_new", merchant.pk),
        posting_data(description='<script>alert("x")</script><img src=x onerror=alert(1)> 好工作'),
    )

    stored = JobPosting.objects.get().description
    assert "<script" not in stored and "<img" not in stored
    assert "&lt;script&gt;" in stored


def test_the_service_sanitises_html_from_any_caller(recruiter):
    merchant = merchant_of(recruiter)
    posting = JobPostingFactory.build(
        merchant=merchant,
        category=JobCategoryFactory(),
        status="draft",
        description='<p onclick="steal()">好<b>工作</b><a href="javascript:alert(1)">链接</a></p>'
        '<iframe src="x"></iframe>',
    )

    posting = posting_save(posting=posting, user=recruiter)

    assert posting.description == "<p>好<b>工作</b><a>链接</a></p>"


def test_plain_text_round_trips_through_the_stored_rich_text():
    text = "第一段\n第二行\n\n- 一\n- 二 <b>&"

    assert description_to_text(description_to_html(text)) == text
    assert description_to_html(description_to_text(description_to_html(text))) == description_to_html(text)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pay_min": "5000", "pay_max": "4000"}, "cannot be below its bottom"),
        ({"closing_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}, "closing date has passed"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, recruiter, overrides, message):
    response = client.post(
        en("jobs:merchant_posting_new", merchant_of(recruiter).pk), posting_data(description="早班收银", **overrides)
    )

    page = response.content.decode()
    assert response.status_code == 200 and not JobPosting.objects.exists()
    assert message in page and "早班收银" in page


def test_a_skill_listed_twice_is_refused(client, recruiter):
    skill = SkillFactory()

    response = client.post(
        en("jobs:merchant_posting_new", merchant_of(recruiter).pk),
        posting_data(**{"skills-0-skill": skill.pk, "skills-1-skill": skill.pk}),
    )

    assert "listed twice" in response.content.decode() and not JobPosting.objects.exists()


def test_a_merchant_awaiting_approval_cannot_post(client):
    owner = MerchantUserFactory()
    merchant = MerchantFactory(owner=owner, status="pending")
    client.force_login(owner)

    response = client.post(en("jobs:merchant_posting_new", merchant.pk), posting_data(), follow=True)

    assert not JobPosting.objects.exists()
    assert "awaiting the school" in response.content.decode()


# --- Editing: back to review ------------------------------------------------------------------------


def edit_data(posting, **overrides) -> dict:
    data = posting_data(
        category=posting.category,
        title=posting.title,
        description=description_to_text(posting.description),
        pay_min=str(posting.pay_min),
        pay_max=str(posting.pay_max),
        openings=str(posting.openings),
        district=posting.district,
        action="save",
    )
    data.update(overrides)
    return data


def test_a_substantive_edit_by_an_untrusted_merchant_goes_back_to_review(client, recruiter):
    posting = JobPostingFactory(merchant=merchant_of(recruiter))

    client.post(en("jobs:merchant_posting_edit", posting.pk), edit_data(posting, pay_max="9000"))

    posting.refresh_from_db()
    assert posting.status == "pending" and posting.pay_max == 9000


def test_a_minor_edit_keeps_the_posting_published(client, recruiter):
    posting = JobPostingFactory(merchant=merchant_of(recruiter), description="<p>负责<b>婴幼儿</b>日常照护。</p>")

    client.post(en("jobs:merchant_posting_edit", posting.pk), edit_data(posting, openings="5"))

    posting.refresh_from_db()
    assert posting.status == "published" and posting.openings == 5
    # The description was not touched: its bold is kept and it does not count as an edit.
    assert posting.description == "<p>负责<b>婴幼儿</b>日常照护。</p>"


def test_a_trusted_merchants_substantive_edit_stays_published(client, recruiter):
    merchant = merchant_of(recruiter)
    merchant.trusted = True
    merchant.save()
    posting = JobPostingFactory(merchant=merchant)

    client.post(en("jobs:merchant_posting_edit", posting.pk), edit_data(posting, title="高级育婴师"))

    posting.refresh_from_db()
    assert (posting.status, posting.title) == ("published", "高级育婴师")


def test_a_returned_posting_is_corrected_and_resubmitted(client, recruiter):
    posting = JobPostingFactory(merchant=merchant_of(recruiter), status="rejected", review_reason="薪资写错了")
    page = client.get(en("jobs:merchant_posting_edit", posting.pk)).content.decode()
    assert "薪资写错了" in page

    client.post(en("jobs:merchant_posting_edit", posting.pk), edit_data(posting, pay_min="4500", action="submit"))

    posting.refresh_from_db()
    assert posting.status == "pending"


# --- The workspace: counts, closing, and only one's own postings ------------------------------------


def test_the_workspace_lists_postings_with_status_and_counts(client, recruiter):
    posting = JobPostingFactory(merchant=merchant_of(recruiter), title="前台接待", openings=3)
    ApplicationFactory.create_batch(2, posting=posting)
    JobPostingFactory(title="别人的职位")

    page = client.get(en("jobs:merchant_dashboard", merchant_of(recruiter).pk)).content.decode()

    assert "前台接待" in page and "Published" in page and "0 / 3" in page
    assert "<dd>2</dd>" in page
    assert "别人的职位" not in page


def test_a_member_closes_a_posting_and_it_leaves_the_board(client, recruiter):
    posting = JobPostingFactory(merchant=merchant_of(recruiter))

    client.post(en("jobs:merchant_posting_close", posting.pk))

    posting.refresh_from_db()
    assert posting.status == "closed" and posting not in JobPosting.objects.on_board()


def test_another_merchants_posting_is_not_found(client, recruiter):
    theirs = JobPostingFactory(title="别人的职位")

    assert client.get(en("jobs:merchant_posting_edit", theirs.pk)).status_code == 404
    assert client.post(en("jobs:merchant_posting_edit", theirs.pk), edit_data(theirs)).status_code == 404
    assert client.post(en("jobs:merchant_posting_close", theirs.pk)).status_code == 404
    assert client.get(en("jobs:merchant_posting_new", theirs.merchant_id)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "published" and theirs.title == "别人的职位"


def test_a_visitor_is_sent_to_sign_in(client):
    posting = JobPostingFactory()

    for url in (en("jobs:merchant_home"), en("jobs:merchant_posting_edit", posting.pk)):
        response = client.get(url)
        assert response.status_code == 302 and "sign-in" in response.url


# --- Closing at the closing date --------------------------------------------------------------------


def test_postings_past_their_closing_date_close_themselves():
    expired = JobPostingFactory(closing_date=days_from_today(-1))
    pending_expired = JobPostingFactory(closing_date=days_from_today(-3), status="pending")
    last_day = JobPostingFactory(closing_date=days_from_today(0))
    draft = JobPostingFactory(closing_date=days_from_today(-1), status="draft")

    assert close_expired_postings.delay().get() == 2
    assert close_expired_postings.delay().get() == 0  # safe to run twice

    statuses = {p.pk: p.status for p in JobPosting.objects.all()}
    assert statuses[expired.pk] == statuses[pending_expired.pk] == "closed"
    assert statuses[last_day.pk] == "published" and statuses[draft.pk] == "draft"


def test_celery_beat_runs_the_closing_daily():
    schedule = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == close_expired_postings.name
    ]

    assert len(schedule) == 1
    assert schedule[0]["schedule"].hour == {0}


# --- The API ----------------------------------------------------------------------------------------

API = "/api/v1/jobs/merchant/postings/"


@pytest.fixture
def api(client, recruiter):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def api_posting(**overrides) -> dict:
    data = {
        "title": "理货员",
        "category": JobCategoryFactory(slug="retail").slug,
        "description": "<p>理货、补货</p><script>x()</script>",
        "employment_type": "part_time",
        "district": "laocheng",
        "pay_min": "20.00",
        "pay_max": "25.00",
        "pay_period": "hour",
        "openings": 3,
        "closing_date": days_from_today(10).isoformat(),
    }
    data.update(overrides)
    return data


def test_the_api_lists_only_the_callers_postings(api, recruiter):
    mine = JobPostingFactory(merchant=merchant_of(recruiter))
    ApplicationFactory(posting=mine)
    JobPostingFactory(title="别人的职位")

    body = api.get(API).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["application_count"] == 1


def test_the_api_writes_a_draft_then_submits_it_to_review(api, recruiter):
    skill = SkillFactory()

    created = api.post(
        API,
        {**api_posting(), "required_skills": [{"skill": skill.slug, "min_level": 3}]},
        content_type="application/json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["required_skills"] == [{"skill": skill.slug, "min_level": 3}]
    assert body["description"] == "<p>理货、补货</p>x()"
    submitted = api.patch(f"{API}{body['id']}/", {"submit": True}, content_type="application/json")
    assert submitted.json()["status"] == "pending"
    # Skills not mentioned in a change are kept.
    assert submitted.json()["required_skills"] == [{"skill": skill.slug, "min_level": 3}]


def test_the_api_sends_a_substantive_change_back_to_review_and_closes(api, recruiter):
    posting = JobPostingFactory(merchant=merchant_of(recruiter))

    changed = api.patch(f"{API}{posting.pk}/", {"title": "新标题"}, content_type="application/json")
    closed = api.post(f"{API}{posting.pk}/close/")

    assert changed.json()["status"] == "pending"
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_the_api_never_shows_or_changes_another_merchants_posting(api):
    theirs = JobPostingFactory()

    assert api.get(f"{API}{theirs.pk}/").status_code == 404
    assert api.patch(f"{API}{theirs.pk}/", {"title": "x"}, content_type="application/json").status_code == 404
    assert api.post(f"{API}{theirs.pk}/close/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "published"


def test_the_api_refuses_with_detail_and_code(api, recruiter):
    bad_pay = api.post(API, api_posting(pay_min="30", pay_max="20"), content_type="application/json")
    merchant = merchant_of(recruiter)
    merchant.status = "pending"
    merchant.save()
    not_approved = api.post(API, api_posting(), content_type="application/json")

    assert bad_pay.status_code == 400 and bad_pay.json()["code"] == "pay_range"
    assert "cannot be below" in bad_pay.json()["detail"]
    assert not_approved.status_code == 400
    assert not_approved.json() == {
        "detail": "Your business is awaiting the school's approval; you can post once approved.",
        "code": "not_approved",
    }


def test_the_api_is_for_merchant_members_only(client, student):
    client.force_login(student)

    assert client.get(API).status_code == 403
    client.logout()
    assert client.get(API).status_code in (401, 403)


def test_the_api_is_in_the_openapi_schema(client, staff_user):
    client.force_login(staff_user)

    schema = client.get("/api/v1/schema/", {"format": "json"}).json()

    assert {"/api/v1/jobs/merchant/postings/", "/api/v1/jobs/merchant/postings/{id}/close/"} <= set(schema["paths"])
