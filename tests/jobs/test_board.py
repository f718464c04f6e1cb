"""The public job board: filters, search, sorting, a posting's page with JSON-LD, applying, and a query
count that does not grow with the number of postings."""

import datetime
import json
import re

from django.utils import timezone

import pytest

from jobs.models import Application, JobPosting, PostingSkill
from tests.factories import (
    CourseFactory,
    JobCategoryFactory,
    JobPostingFactory,
    MerchantFactory,
    MerchantUserFactory,
    SkillFactory,
    StudentFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [posting.title for posting in response.context["postings"]]


def test_the_board_lists_published_open_postings_only(client):
    JobPostingFactory(title="育婴师")
    JobPostingFactory(title="草稿", status="draft")
    JobPostingFactory(title="审核中", status="pending")
    JobPostingFactory(title="已关闭", status="closed")
    JobPostingFactory(title="已招满", status="filled")
    JobPostingFactory(title="过期", closing_date=days_from_today(-1))
    response = client.get("/en/jobs/")
    assert response.status_code == 200
    assert titles(response) == ["育婴师"]
    assert "1 job" in response.content.decode()


def test_chinese_substring_and_pinyin_search(client):
    from jobs.services import _search_text

    for title in ("高级育婴师", "直播运营助理"):
        posting = JobPostingFactory(title=title)
        posting.search_text = _search_text(posting)
        posting.save(update_fields=["search_text"])
    assert titles(client.get("/jobs/", {"q": "育婴"})) == ["高级育婴师"]
    assert titles(client.get("/jobs/", {"q": "zhibo"})) == ["直播运营助理"]
    assert titles(client.get("/jobs/", {"q": "zb"})) == ["直播运营助理"]
    assert titles(client.get("/jobs/", {"q": "gao ji"})) == ["高级育婴师"]


def test_filters_by_category_district_type_pay_posted_within_and_skill(client):
    care = JobCategoryFactory(slug="care")
    skill = SkillFactory(slug="infant-care")
    matching = JobPostingFactory(
        title="目标", category=care, district="luolong", employment_type="part_time", pay_min=5000, pay_max=7000
    )
    PostingSkill.objects.create(posting=matching, skill=skill, min_level=2)
    JobPostingFactory(title="别的类别", district="luolong", employment_type="part_time", pay_min=5000, pay_max=7000)
    JobPostingFactory(title="别的区", category=care, district="jianxi", employment_type="part_time", pay_max=7000)
    JobPostingFactory(title="全职", category=care, district="luolong", employment_type="full_time", pay_max=7000)
    JobPostingFactory(title="低薪", category=care, district="luolong", employment_type="part_time", pay_max=4500)
    old = JobPostingFactory(title="旧的", category=care, district="luolong", employment_type="part_time", pay_max=7000)
    JobPosting.objects.filter(pk=old.pk).update(published_at=timezone.now() - datetime.timedelta(days=10))

    base = {"category": "care", "district": "luolong", "employment_type": "part_time", "min_pay": "6000"}
    assert sorted(titles(client.get("/jobs/", base))) == ["旧的", "目标"]
    assert titles(client.get("/jobs/", {**base, "posted_within": "7"})) == ["目标"]
    assert titles(client.get("/jobs/", {**base, "skill": "infant-care"})) == ["目标"]


def test_minimum_pay_compares_like_with_like(client):
    JobPostingFactory(title="月薪", pay_min=3000, pay_max=5000, pay_period="month")
    JobPostingFactory(title="时薪", pay_min=20, pay_max=30, pay_period="hour")
    assert titles(client.get("/jobs/", {"min_pay": "25"})) == ["月薪"]
    assert titles(client.get("/jobs/", {"min_pay": "25", "pay_period": "hour"})) == ["时薪"]
    assert titles(client.get("/jobs/", {"pay_period": "hour"})) == ["时薪"]


def test_sorting_newest_pay_and_closing_soon(client):
    now = timezone.now()
    JobPostingFactory(
        title="A", pay_max=5000, closing_date=days_from_today(20), published_at=now - datetime.timedelta(days=2)
    )
    JobPostingFactory(
        title="B", pay_max=9000, closing_date=days_from_today(40), published_at=now - datetime.timedelta(days=1)
    )
    JobPostingFactory(
        title="C", pay_max=7000, closing_date=days_from_today(5), published_at=now - datetime.timedelta(days=3)
    )
    assert titles(client.get("/jobs/")) == ["B", "A", "C"]
    assert titles(client.get("/jobs/", {"sort": "-pay"})) == ["B", "C", "A"]
    assert titles(client.get("/jobs/", {"sort": "closing"})) == ["C", "A", "B"]


def test_bad_filters_are_reported_not_crashing(client):
    JobPostingFactory(title="育婴师")
    response = client.get("/en/jobs/", {"min_pay": "lots", "district": "atlantis", "page": "99"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()


def test_the_board_paginates_keeping_the_filters(client):
    merchant, category = MerchantFactory(), JobCategoryFactory()
    for number in range(25):
        JobPostingFactory(title=f"岗位{number}", merchant=merchant, category=category, district="xigong")
    first = client.get("/en/jobs/", {"district": "xigong"})
    assert len(first.context["postings"]) == 20
    assert "district=xigong&amp;page=2" in first.content.decode()
    assert len(client.get("/en/jobs/", {"district": "xigong", "page": 2}).context["postings"]) == 5


def json_ld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


@pytest.mark.planted_markup  # a script in the stored description, which sanitise_description would remove
def test_a_posting_page_shows_the_job_the_employer_and_json_ld(client):
    merchant = MerchantFactory(
        name="洛阳好帮手家政", district="luolong", industry="housekeeping", description="专业家政"
    )
    posting = JobPostingFactory(
        merchant=merchant,
        title="育婴师",
        employment_type="part_time",
        district="xigong",
        address="中州路 1 号",
        pay_min=30,
        pay_max=40,
        pay_period="hour",
        description="<p>照顾宝宝 </script><script>alert(1)</script></p>",
    )
    skill = SkillFactory(name="婴儿护理")
    PostingSkill.objects.create(posting=posting, skill=skill, min_level=3)
    course = CourseFactory(title="育婴师培训")
    posting.preferred_courses.add(course)

    response = client.get(f"/en/jobs/{posting.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "洛阳好帮手家政" in page and "专业家政" in page and "Housekeeping and elderly care" in page
    assert merchant.credit_code not in page and "licence" not in page.lower()
    assert "婴儿护理" in page and "at least Proficient" in page
    assert "育婴师培训" in page
    assert "</script><script>alert(1)" not in page.split("<body")[0]
    data = json_ld(response)
    assert data["@type"] == "JobPosting"
    assert data["title"] == "育婴师"
    assert data["employmentType"] == "PART_TIME"
    assert data["hiringOrganization"]["name"] == "洛阳好帮手家政"
    assert data["jobLocation"]["address"]["addressRegion"] == "洛阳市"
    assert data["jobLocation"]["address"]["addressLocality"] == "西工区"
    assert data["baseSalary"]["currency"] == "CNY"
    assert data["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "minValue": 30.0,
        "maxValue": 40.0,
        "unitText": "HOUR",
    }
    assert data["validThrough"].startswith(posting.closing_date.isoformat())
    assert data["datePosted"] == timezone.localdate().isoformat()


def test_preferred_course_links_to_its_page(client, catalogue):
    course = CourseFactory(title="育婴师培训")
    page = catalogue.publish(course)
    posting = JobPostingFactory()
    posting.preferred_courses.add(course)
    assert f'href="{page.url}"' in client.get(f"/jobs/{posting.pk}/").content.decode()


def test_closed_and_filled_postings_open_but_take_no_applications(client):
    for status in ("closed", "filled"):
        posting = JobPostingFactory(status=status)
        response = client.get(f"/en/jobs/{posting.pk}/")
        assert response.status_code == 200
        assert "no longer taking applications" in response.content.decode()
        assert f"/jobs/{posting.pk}/apply/" not in response.content.decode()


def test_drafts_and_postings_in_review_are_not_public(client):
    for status in ("draft", "pending", "rejected"):
        assert client.get(f"/jobs/{JobPostingFactory(status=status).pk}/").status_code == 404


def test_a_graduate_applies_with_a_message_once(client):
    graduate = StudentFactory()
    posting = JobPostingFactory(title="育婴师")
    client.force_login(graduate)
    page = client.get(f"/en/jobs/{posting.pk}/").content.decode()
    assert "Apply for this job" in page

    response = client.post(f"/en/jobs/{posting.pk}/apply/", {"message": "我有三年经验"}, follow=True)
    assert response.redirect_chain[-1][0] == "/en/jobs/my/applications/"
    application = Application.objects.get(graduate=graduate, posting=posting)
    assert application.message == "我有三年经验"
    assert "You have applied for “育婴师”" in response.content.decode()

    again = client.post(f"/en/jobs/{posting.pk}/apply/", {"message": "again"}, follow=True)
    assert "You have already applied for this job." in again.content.decode()
    assert Application.objects.filter(graduate=graduate, posting=posting).count() == 1
    assert "Current stage: Applied" in client.get(f"/en/jobs/{posting.pk}/").content.decode()


def test_applying_to_a_closed_posting_is_refused(client):
    graduate = StudentFactory()
    posting = JobPostingFactory(status="closed")
    client.force_login(graduate)
    response = client.post(f"/en/jobs/{posting.pk}/apply/", follow=True)
    assert "This posting is no longer taking applications." in response.content.decode()
    assert not Application.objects.exists()


def test_visitors_sign_in_to_apply_and_merchants_cannot_apply(client):
    posting = JobPostingFactory()
    assert "Sign in to apply" in client.get(f"/en/jobs/{posting.pk}/").content.decode()
    response = client.post(f"/en/jobs/{posting.pk}/apply/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]

    client.force_login(MerchantUserFactory())
    refused = client.post(f"/en/jobs/{posting.pk}/apply/", follow=True)
    assert "Only the school's students and graduates can apply" in refused.content.decode()
    assert not Application.objects.exists()


def test_the_header_links_to_the_board(client):
    JobPostingFactory()
    page = client.get("/en/jobs/").content.decode()
    assert 'href="/en/jobs/" aria-current="page"' in page


# One more than the page itself for a signed-in student: their matching row, for "Recommended for you" and
# "Your match" (this student has none; tests/jobs/test_matching_pages.py counts a graduate who has one).
BOARD_QUERIES = 19
POSTING_QUERIES = 19


def make_postings(count: int) -> None:
    merchants = [MerchantFactory() for _ in range(3)]
    categories = [JobCategoryFactory() for _ in range(3)]
    now = timezone.now()
    JobPosting.objects.bulk_create(
        [
            JobPosting(
                merchant=merchants[number % 3],
                category=categories[number % 3],
                title=f"岗位{number}",
                description="<p>工作内容</p>",
                employment_type="full_time",
                district="jianxi",
                pay_min=4000,
                pay_max=6000 + number,
                closing_date=days_from_today(30),
                status="published",
                published_at=now - datetime.timedelta(minutes=number),
                search_text=f"岗位{number} gangwei",
            )
            for number in range(count)
        ]
    )


@pytest.mark.parametrize("count", [10, 500])
def test_the_board_keeps_a_constant_query_count(client, django_assert_max_num_queries, count):
    make_postings(count)
    client.force_login(StudentFactory())
    # The site's frame (session, user, site settings, header pages, userbar) is about a dozen queries.
    with django_assert_max_num_queries(BOARD_QUERIES):
        response = client.get("/jobs/", {"q": "岗位", "district": "jianxi", "sort": "-pay"})
    assert response.context["result_count"] == count


@pytest.mark.parametrize("count", [10, 500])
def test_a_posting_page_keeps_a_constant_query_count(client, django_assert_max_num_queries, count):
    make_postings(count)
    posting = JobPosting.objects.first()
    skills = [SkillFactory() for _ in range(3)]
    PostingSkill.objects.bulk_create([PostingSkill(posting=posting, skill=skill) for skill in skills])
    posting.preferred_courses.add(*[CourseFactory() for _ in range(3)])
    client.force_login(StudentFactory())
    with django_assert_max_num_queries(POSTING_QUERIES):
        response = client.get(f"/jobs/{posting.pk}/")
    assert response.status_code == 200


def test_visitors_get_the_board_from_the_page_cache_until_a_posting_changes(client):
    posting = JobPostingFactory(title="收银员")
    client.get("/")  # the site's settings row is made on the first page ever served
    assert client.get("/jobs/")["X-Page-Cache"] == "miss"
    assert client.get("/jobs/")["X-Page-Cache"] == "hit"

    posting.title = "店长助理"
    posting.save()  # an edit drops the cached board at once

    page = client.get("/jobs/")
    assert page["X-Page-Cache"] == "miss" and "店长助理" in page.content.decode()


def test_a_posting_closed_by_a_bulk_update_leaves_the_cached_board(client, django_capture_on_commit_callbacks):
    from jobs.services import close_expired_postings

    JobPostingFactory(title="收银员", closing_date=days_from_today(1))
    client.get("/")  # the site's settings row is made on the first page ever served
    assert "收银员" in client.get("/jobs/").content.decode()
    assert client.get("/jobs/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        assert close_expired_postings(today=days_from_today(2)) == 1
    assert "收银员" not in client.get("/jobs/").content.decode()


def test_a_filtered_board_is_cached_too_but_not_a_made_up_query(client):
    JobPostingFactory(title="收银员")
    client.get("/")  # the site's settings row is made on the first page ever served
    filtered = "/jobs/?employment_type=full_time&min_pay=3000&sort=-pay"
    assert client.get(filtered)["X-Page-Cache"] == "miss"
    assert client.get(filtered)["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in client.get("/jobs/?utm_campaign=x")
