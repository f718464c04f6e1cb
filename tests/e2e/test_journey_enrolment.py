"""Journey 1: a visitor finds a course by search and filter, signs up, enrols in a full class, waits on
its list, and gets the seat when another student leaves."""

from django.db.models import F
from django.utils import translation

import pytest

from cms.demo import seed_pages
from school.demo import seed_catalogue
from school.models import Cohort, Course, Enrollment
from tests.e2e import checks
from tests.factories import EnrollmentFactory, StudentProfileFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_visitor_finds_a_course_signs_up_waits_for_a_seat_and_gets_it(site):
    seed_catalogue()
    seed_pages()
    # A beginners' course (no prerequisite), subsidised; its first class open for enrolment is full.
    course = Course.objects.get(code="EC-102")
    cohort = Cohort.objects.filter(course=course, status="open").order_by("start_date").first()
    leaver = StudentProfileFactory().user
    EnrollmentFactory(student=leaver, cohort=cohort)
    Cohort.objects.filter(pk=cohort.pk).update(capacity=F("seats_taken"))  # the class is full
    title = course.title_en if site.english else course.title

    with translation.override(site.language):
        t = translation.gettext
        visitor = site.open()
        site.goto(visitor, site.url("/courses/"))
        checks.focus_is_visible(visitor, "#id_q")
        visitor.get_by_label(t("Search")).fill("kefu")
        visitor.get_by_role("button", name=t("Show courses")).click()
        site.arrive(visitor)
        if visitor.locator("details.filters__more").get_attribute("open") is None:
            visitor.get_by_text(t("Filters"), exact=True).click()
        visitor.get_by_label(t("Subsidised courses only")).check()
        visitor.get_by_role("button", name=t("Show courses")).click()
        site.arrive(visitor)
        assert "subsidised=on" in visitor.url and "q=kefu" in visitor.url
        site.shot(visitor, "1-found")

        visitor.get_by_role("link", name=title).click()
        site.arrive(visitor)
        card = visitor.locator(".cohort-card", has_text=cohort.code)
        assert card.get_by_text(t("Full: join the waiting list")).is_visible()
        card.get_by_role("link", name=t("Join the waiting list")).click()
        site.arrive(visitor)
        assert "/accounts/sign-in/" in visitor.url

        visitor.get_by_role("link", name=t("Create an account")).click()
        site.arrive(visitor)
        visitor.get_by_label(t("Your name")).fill("赵晓燕")
        visitor.get_by_label(t("mobile number"), exact=False).first.fill("139 0379 8866")
        visitor.get_by_label(t("e-mail"), exact=False).first.fill("xiaoyan@example.com")
        visitor.get_by_label(t("Password")).first.fill("luoyang-peony-2026")
        visitor.get_by_label(t("Password confirmation")).fill("luoyang-peony-2026")
        site.shot(visitor, "2-sign-up")
        visitor.get_by_role("button", name=t("Sign up")).click()
        site.arrive(visitor)

        # Enrolling needs a profile first; saving it comes back to the class.
        assert "/me/profile/" in visitor.url
        visitor.get_by_label(t("district"), exact=False).first.select_option(index=1)
        visitor.get_by_role("button", name=t("Save")).click()
        site.arrive(visitor)
        assert f"/classes/{cohort.code}/enrol/" in visitor.url
        visitor.get_by_role("button", name=t("Join the waiting list")).click()
        site.arrive(visitor)
        assert visitor.get_by_text(
            t("The class is full: you are on its waiting list. We will tell you when a seat frees up.")
        ).is_visible()
        waiting = visitor.locator(".enrollment", has_text=title)
        assert waiting.get_by_text(t("Number %(position)s on the waiting list") % {"position": 1}).is_visible()
        site.shot(visitor, "3-waitlisted")

        # Another student leaves the class from their own phone.
        other = site.open(leaver)
        site.goto(other, site.url("/me/"))
        other.locator(".enrollment", has_text=title).get_by_role("button", name=t("Withdraw")).click()
        site.arrive(other)

        site.goto(visitor, site.url("/me/"))
        enrolled = visitor.locator(".enrollment", has_text=title)
        assert enrolled.locator(".badge").inner_text() == str(Enrollment.Status.ENROLLED.label)
        site.shot(visitor, "4-promoted")
        visitor.get_by_role("link", name=t("Messages")).click()
        site.arrive(visitor)
        assert visitor.locator(".inbox__item").first.get_by_text(cohort.code, exact=False).count()
