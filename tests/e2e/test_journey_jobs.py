"""Journey 3: a business applies to be a partner merchant, staff approve it in the back office, it posts
a job that staff review; a graduate who shares their profile finds it among "Jobs for you" and applies;
the merchant takes the application to a hire, and the placement shows in the staff's outcome report."""

from django.utils import translation

import pytest

from jobs.models import JobCategory
from school.models import CourseSkill
from tests.e2e import checks
from tests.e2e.site import field
from tests.factories import (
    CompletedEnrollmentFactory,
    CourseFactory,
    GraduateProfileFactory,
    MerchantUserFactory,
    ProgramFactory,
    SkillFactory,
    StaffFactory,
    credit_code_for,
    days_from_today,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LICENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def a_graduate_of_housekeeping():
    program = ProgramFactory(name="家政服务", name_en="Housekeeping", slug="housekeeping", code="JZ")
    skill = SkillFactory(name="婴幼儿照护", name_en="Infant care", slug="infant-care")
    course = CourseFactory(program=program, title="婴幼儿照护（育婴员）", title_en="Infant Care")
    CourseSkill.objects.create(course=course, skill=skill, level=3)
    enrollment = CompletedEnrollmentFactory(cohort__course=course, student__display_name="王小丽")
    GraduateProfileFactory(user=enrollment.student, shared_with_merchants=False, desired_districts=["jianxi"])
    category, _ = JobCategory.objects.get_or_create(slug="nanny", defaults={"name": "育婴师", "name_en": "Nanny"})
    return enrollment.student, skill, category


def test_a_merchant_joins_posts_a_job_and_hires_a_graduate_who_shows_in_the_outcomes(site):
    graduate, skill, category = a_graduate_of_housekeeping()
    owner = MerchantUserFactory(display_name="张明")
    staff = StaffFactory(is_superuser=True)
    if site.english:
        from wagtail.users.models import UserProfile

        UserProfile.objects.update_or_create(user=staff, defaults={"preferred_language": "en"})
    business = "洛阳好帮手家政服务有限公司"

    with translation.override(site.language):
        t = translation.gettext
        merchant = site.open(owner)
        site.goto(merchant, site.url("/jobs/merchants/apply/"))
        field(merchant, t("business name")).fill(business)
        field(merchant, t("unified social credit code")).fill(credit_code_for(7))
        field(merchant, t("industry")).select_option("housekeeping")
        field(merchant, t("district")).select_option("jianxi")
        field(merchant, t("address")).fill("涧西区南昌路 88 号")
        field(merchant, t("contact person")).fill("张明")
        field(merchant, t("contact phone")).fill("139 0379 0001")
        field(merchant, t("business licence")).set_input_files(
            {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": LICENCE}
        )
        site.shot(merchant, "1-apply")
        merchant.get_by_role("button", name=t("Send application")).click()
        site.arrive(merchant)
        assert merchant.get_by_text(t("Thank you. The school will review your application.")).is_visible()

        back_office = site.open(staff)
        site.goto(back_office, site.admin_url("/admin/jobs/merchants/"))
        back_office.get_by_role("link", name=business).first.click()
        back_office.wait_for_load_state()
        back_office.get_by_role("button", name=t("Approve")).click()
        back_office.wait_for_load_state()

        merchant.reload()
        site.arrive(merchant)
        merchant.get_by_role("link", name=t("New posting")).click()
        site.arrive(merchant)
        field(merchant, t("title")).fill("住家育婴师")
        field(merchant, t("category")).select_option(label=str(category))
        field(merchant, t("description")).fill("照顾一岁宝宝的日常起居。\n\n- 每周休息一天\n- 包食宿")
        field(merchant, t("employment type")).select_option("full_time")
        field(merchant, t("district")).select_option("jianxi")
        field(merchant, t("pay from (CNY)")).fill("5000")
        field(merchant, t("pay to (CNY)")).fill("7000")
        field(merchant, t("closing date")).fill(days_from_today(30).isoformat())
        merchant.locator("select[name$='-skill']").first.select_option(label=skill.display_name)
        merchant.get_by_role("button", name=t("Submit for review")).click()
        site.arrive(merchant)
        site.shot(merchant, "2-posted")

        site.goto(back_office, site.admin_url("/admin/jobs/posting-review/"))
        back_office.get_by_role("link", name="住家育婴师").first.click()
        back_office.wait_for_load_state()
        back_office.get_by_role("button", name=t("Approve and publish")).click()
        back_office.wait_for_load_state()

        student = site.open(graduate)
        site.goto(student, site.url("/jobs/profile/"))
        student.get_by_label(t("I have read this and agree")).check()
        student.get_by_role("button", name=t("Share my profile")).click()
        site.arrive(student)
        site.goto(student, site.url("/me/"))
        jobs_for_you = student.locator("#jobs-for-you")
        jobs_for_you.get_by_role("link", name="住家育婴师").click()
        site.arrive(student)
        student.get_by_label(t("A message to the employer (optional)")).fill("我有育婴员证书，可以马上上岗。")
        student.get_by_role("button", name=t("Apply for this job")).click()
        site.arrive(student)
        site.shot(student, "3-applied")

        site.goto(merchant, site.url("/jobs/merchant/"))
        merchant.get_by_role("link", name=t("Applications"), exact=False).first.click()
        site.arrive(merchant)
        for stage in ("screening", "offer"):
            card = merchant.locator(".pipeline-card", has_text=graduate.display_name)
            card.locator("summary", has_text=t("Move to the next stage")).click()
            card.get_by_label(t("Move to")).select_option(stage)
            card.get_by_role("button", name=translation.pgettext("application stage", "Move")).click()
            site.arrive(merchant)
        card = merchant.locator(".pipeline-card", has_text=graduate.display_name)
        assert card.locator("details", has_text=t("Record the hire")).get_attribute("open") is not None  # offered: hire
        card.get_by_label(t("Start date")).fill(days_from_today(7).isoformat())
        card.get_by_label(t("Starting pay (CNY)")).fill("6000")
        card.get_by_role("button", name=t("Record the hire")).click()
        site.arrive(merchant)
        site.shot(merchant, "4-hired")

        site.goto(back_office, site.admin_url("/admin/outcomes/"))
        checks.charts_have_text_alternatives(back_office)
        hires = back_office.locator("#outcomes-merchants")
        assert hires.get_by_role("row", name=business).get_by_text("1", exact=True).count() == 1
        site.shot(back_office, "5-outcomes")
