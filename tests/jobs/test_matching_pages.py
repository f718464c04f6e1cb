"""Where recommendations show: "Jobs for you" on the student's dashboard, "Recommended for you" on the
board (never in a cached public page), "Your match" on a posting, a merchant's "Recommended candidates"
(consenting graduates only, with "invite to apply") and the staff's "Graduates not yet placed". Each
shows the score, the reasons and the missing skills with the course that teaches them."""

import re
from html import escape
from pathlib import Path

from django.contrib.auth.models import Permission
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from wagtail.users.models import UserProfile

import pytest

from accounts.roles import Role
from jobs import services
from jobs.matching.features import refresh_candidates
from jobs.matching.recommend import candidates_for_posting, match_pair, postings_for_graduate
from jobs.models import CandidateInvitation, JobPosting, Placement, PostingSkill
from jobs.recommendations import best_postings_by_graduate, unplaced_graduates
from school import dashboard
from school.models import CourseSkill, Enrollment
from tests.factories import (
    CohortFactory,
    CourseFactory,
    ProgramFactory,
    SkillFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
    days_from_today,
)
from tests.jobs.pipeline_helpers import bulk_graduates, graduate, merchant_with_recruiter, open_posting

pytestmark = pytest.mark.django_db

CERTIFIED = "Holds the Live e-commerce operations certificate"


def en_url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def school(catalogue):
    """A skill taught to level 3 by one course and to level 5 by an advanced one, both with live pages."""
    skill = SkillFactory(name="直播带货", name_en="Live selling")
    basic = CourseFactory(title="直播电商运营", title_en="Live e-commerce operations")
    advanced = CourseFactory(title="直播电商进阶", title_en="Advanced live selling")
    CourseSkill.objects.create(course=basic, skill=skill, level=3)
    CourseSkill.objects.create(course=advanced, skill=skill, level=5)
    pages = {course.pk: catalogue.publish(course) for course in (basic, advanced)}
    return {"skill": skill, "basic": basic, "advanced": advanced, "pages": pages}


def posting_needing(skill, merchant=None, *, level=4, **fields) -> JobPosting:
    """An open posting in Jianxi asking for `skill` at `level` (a level-3 graduate lacks it)."""
    merchant = merchant or merchant_with_recruiter()[0]
    fields = {"district": "jianxi", "pay_min": "4000", "pay_max": "6000", **fields}
    posting = open_posting(merchant, **fields)
    PostingSkill.objects.create(posting=posting, skill=skill, min_level=level)
    return posting


def advanced_link(school) -> str:
    """The advanced course's page address, as an English page links it."""
    with translation.override("en"):
        return escape(school["pages"][school["advanced"].pk].url)


# --- The student's dashboard ------------------------------------------------------------------------


def test_the_dashboard_shows_the_top_five_jobs_with_reasons_and_the_course_to_learn_what_is_missing(
    client, committed, school
):
    postings = [posting_needing(school["skill"], title=f"主播{n}") for n in range(7)]
    with committed():
        person = graduate(course=school["basic"], desired_districts=["jianxi"], expected_pay="5000")
    client.force_login(person.user)

    page = html(client.get(en_url("school:my_courses")))

    section = page[page.index('id="jobs-for-you"') :]
    shown = [p for p in postings if f'href="{en_url("jobs:posting_detail", p.pk)}"' in section]
    assert len(shown) == 5
    best = postings_for_graduate(person.user, limit=5)
    assert {p.pk for p in shown} == {m.posting_id for m in best}
    assert f"{best[0].percent}%" in section and "Match" in section
    assert CERTIFIED in section and "Also in 涧西区" in section
    assert "Live selling" in section and "at least Advanced" in section
    assert f'href="{advanced_link(school)}"' in section and "Learn it in Advanced live selling" in section
    assert postings[0].merchant.name in section and "¥4,000–6,000" in section


def test_a_student_with_no_record_is_told_how_jobs_come_to_them(client, school):
    posting_needing(school["skill"])
    client.force_login(StudentFactory())

    page = html(client.get(en_url("school:my_courses")))

    assert "Jobs for you" in page and "No job to suggest yet." in page
    assert f'href="{en_url("jobs:profile")}"' in page


def test_the_dashboard_shows_no_job_panel_to_someone_who_is_not_a_student(client):
    client.force_login(UserFactory(role=Role.MERCHANT))
    assert 'id="jobs-for-you"' not in html(client.get(en_url("school:my_courses")))


def test_a_failing_panel_is_left_out_and_the_dashboard_still_opens(client):
    def broken(request):
        raise RuntimeError("the job board is down")

    dashboard.register_panel("broken", broken, order=0)
    try:
        client.force_login(StudentFactory())
        page = html(client.get(en_url("school:my_courses")))
    finally:
        dashboard.unregister_panel("broken")
    assert "My courses" in page and 'id="jobs-for-you"' in page


def test_the_school_never_imports_the_job_board():
    school_dir = Path(__file__).resolve().parents[2] / "school"
    importing = [
        str(path.relative_to(school_dir))
        for path in school_dir.rglob("*.py")
        if re.search(r"^\s*(from|import) (jobs|cms)\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert importing == []


# --- The board and a posting's page -----------------------------------------------------------------


def test_a_graduate_sees_recommended_for_you_above_the_board(client, committed, school):
    near = posting_needing(school["skill"], title="涧西主播")
    far = posting_needing(school["skill"], title="栾川主播", district="luanchuan")
    with committed():
        person = graduate(course=school["basic"], desired_districts=["jianxi"])
    client.force_login(person.user)

    page = html(client.get(en_url("jobs:board")))

    strip = page[page.index('id="recommended-heading"') : page.index("results__count")]
    assert "Recommended for you" in strip
    assert strip.index(near.title) < strip.index(far.title)  # best first
    assert f"{match_pair(person.user, near).percent}%" in strip
    assert CERTIFIED in strip and f'href="{advanced_link(school)}"' in strip
    # Page 2 of the list is for browsing: the strip is on the first page only.
    JobPosting.objects.bulk_create(
        [JobPosting(**{**_fields(near), "title": f"岗位{n}"}) for n in range(25)]  # enough for a second page
    )
    assert "Recommended for you" not in html(client.get(en_url("jobs:board"), {"page": 2}))


def _fields(posting: JobPosting) -> dict:
    return {
        field.name: getattr(posting, field.name)
        for field in JobPosting._meta.concrete_fields
        if field.name not in {"id", "created_at", "updated_at"}
    }


def test_recommendations_are_a_personal_part_of_the_cached_board(client, committed, school):
    posting = posting_needing(school["skill"], title="涧西主播")
    with committed():
        person = graduate(course=school["basic"])
    client.get("/")  # the site's settings row is made on the first page ever served
    client.force_login(person.user)

    personal = client.get(en_url("jobs:board"))
    assert "Recommended for you" in html(personal)
    assert personal["X-Page-Cache"] == "miss" and "private" in personal["Cache-Control"]

    client.logout()
    first, second = client.get(en_url("jobs:board")), client.get(en_url("jobs:board"))
    # The graduate's visit stored the board as nobody's: served from the cache, without their part.
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("hit", "hit")
    for response in (first, second):
        page = html(response)
        assert posting.title in page  # the board lists it …
        assert "Recommended for you" not in page and CERTIFIED not in page and "Match" not in page  # … for nobody

    # From the cached board, the graduate still gets their own recommendations.
    client.force_login(person.user)
    again = client.get(en_url("jobs:board"))
    assert again["X-Page-Cache"] == "hit" and "Recommended for you" in html(again)


def test_a_posting_page_shows_the_graduate_their_match(client, committed, school):
    posting = posting_needing(school["skill"])
    with committed():
        person = graduate(course=school["basic"])
    client.force_login(person.user)

    page = html(client.get(en_url("jobs:posting_detail", posting.pk)))

    section = page[page.index('id="your-match-heading"') : page.index('id="apply"')]
    assert "Your match" in section and f"{match_pair(person.user, posting).percent}%" in section
    assert CERTIFIED in section and "Live selling" in section
    assert f'href="{advanced_link(school)}"' in section


def test_a_missing_skill_whose_course_has_no_live_page_is_named_without_a_link(client, committed, school):
    posting = posting_needing(school["skill"])
    advanced_page = school["pages"][school["advanced"].pk]
    advanced_page.unpublish()
    with committed():
        person = graduate(course=school["basic"])
    client.force_login(person.user)

    page = html(client.get(en_url("jobs:posting_detail", posting.pk)))

    assert "Learn it in Advanced live selling" in page and f'href="{advanced_link(school)}"' not in page


@pytest.mark.parametrize("who", ["anonymous", "merchant"])
def test_only_graduates_see_a_match_on_a_posting(client, committed, school, who):
    posting = posting_needing(school["skill"])
    with committed():
        graduate(course=school["basic"])
    if who == "merchant":
        client.force_login(posting.merchant.members.get().user)
    page = html(client.get(en_url("jobs:posting_detail", posting.pk)))
    assert "Your match" not in page and "Match" not in page


def test_a_closed_posting_shows_no_match(client, committed, school):
    posting = posting_needing(school["skill"], status="closed")
    with committed():
        person = graduate(course=school["basic"])
    client.force_login(person.user)
    assert "Your match" not in html(client.get(en_url("jobs:posting_detail", posting.pk)))


# --- The merchant's recommended candidates -----------------------------------------------------------


@pytest.fixture
def recruiter(client):
    merchant, recruiter = merchant_with_recruiter()
    client.force_login(recruiter)
    return recruiter


def own_posting(recruiter, school, **fields) -> JobPosting:
    return posting_needing(school["skill"], recruiter.merchant_memberships.get().merchant, **fields)


def candidate_names(response) -> list[str]:
    return [candidate.profile.user.display_name for candidate in response.context["candidates"]]


def test_a_merchant_sees_consenting_candidates_best_first_with_reasons_record_and_invite(
    client, committed, recruiter, school
):
    posting = own_posting(recruiter, school)
    with committed():
        star = graduate(course=school["basic"], desired_districts=["jianxi"])
        far = graduate(course=school["basic"], desired_districts=["luanchuan"])
        private = graduate(course=school["basic"], consent=False)
        applied = graduate(course=school["basic"])
    services.apply(posting=posting, graduate=applied.user, message="")

    response = client.get(en_url("jobs:posting_recommended", posting.pk))

    assert candidate_names(response) == [star.user.display_name, far.user.display_name]
    page = html(response)
    assert private.user.display_name not in page and applied.user.display_name not in page
    card = page[page.index(f'id="candidate-{star.pk}"') : page.index(f'id="candidate-{far.pk}"')]
    assert f"{candidates_for_posting(posting)[0].percent}%" in card
    assert CERTIFIED in card and "Also in 涧西区" in card
    assert "Skills missing" in card and "Taught in Advanced live selling" in card
    assert f'href="{advanced_link(school)}"' in card
    assert star.user.enrollments.get().certificates.get().number in card  # the record, as candidate search shows
    assert "做事细心，有育婴经验。" in card  # the profile they share
    assert en_url("jobs:posting_recommended_invite", posting.pk, star.pk) in card


def test_inviting_from_the_recommendations_tells_the_graduate_and_marks_them_invited(
    client, committed, recruiter, school
):
    posting = own_posting(recruiter, school, title="带货主播")
    with committed():
        person = graduate(course=school["basic"])

    response = client.post(en_url("jobs:posting_recommended_invite", posting.pk, person.pk), follow=True)

    page = html(response)
    assert escape(f"{person.user.display_name} is invited to apply for “带货主播”.") in page
    assert "Invited by you" in page
    assert en_url("jobs:posting_recommended_invite", posting.pk, person.pk) not in page
    invitation = CandidateInvitation.objects.get()
    assert (invitation.posting, invitation.graduate, invitation.invited_by) == (posting, person.user, recruiter)
    assert response.redirect_chain[-1][0].endswith(f"#candidate-{person.pk}")


def test_a_graduate_who_withdraws_consent_disappears_from_the_recommendations_at_once(
    client, committed, recruiter, school
):
    posting = own_posting(recruiter, school)
    with committed():
        person = graduate(course=school["basic"])
    assert candidate_names(client.get(en_url("jobs:posting_recommended", posting.pk))) == [person.user.display_name]

    # Withdrawn, and matching not yet refreshed (no after-commit work runs here): the page reads consent again.
    services.set_consent(user=person.user, granted=False)

    response = client.get(en_url("jobs:posting_recommended", posting.pk))
    assert candidate_names(response) == [] and person.user.display_name not in html(response)
    # Nor can a page kept open from before invite them.
    assert client.post(en_url("jobs:posting_recommended_invite", posting.pk, person.pk)).status_code == 404
    assert not CandidateInvitation.objects.exists()


def test_a_posting_not_taking_applications_shows_candidates_without_invitations(client, committed, recruiter, school):
    posting = own_posting(recruiter, school, status="closed")
    with committed():
        person = graduate(course=school["basic"])

    page = html(client.get(en_url("jobs:posting_recommended", posting.pk)))

    assert person.user.display_name in page and "Invitations are for published postings that are still open." in page
    assert en_url("jobs:posting_recommended_invite", posting.pk, person.pk) not in page


def test_the_merchant_finds_the_recommendations_from_the_dashboard_and_the_applications(client, recruiter, school):
    posting = own_posting(recruiter, school)
    link = f'href="{en_url("jobs:posting_recommended", posting.pk)}"'
    merchant = posting.merchant
    assert link in html(client.get(en_url("jobs:merchant_dashboard", merchant.pk)))
    assert link in html(client.get(en_url("jobs:posting_applications", posting.pk)))


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("student", 404), ("another merchant", 404), ("pending merchant", 403)],
)
def test_only_members_of_the_postings_approved_merchant_see_its_recommendations(client, school, who, status):
    posting = posting_needing(school["skill"])
    person = graduate(course=school["basic"])
    if who == "student":
        client.force_login(person.user)
    elif who == "another merchant":
        client.force_login(merchant_with_recruiter()[1])
    elif who == "pending merchant":
        posting.merchant.status = "pending"
        posting.merchant.save()
        client.force_login(posting.merchant.members.get().user)

    for response in (
        client.get(en_url("jobs:posting_recommended", posting.pk)),
        client.post(en_url("jobs:posting_recommended_invite", posting.pk, person.pk)),
    ):
        assert response.status_code == status
        if who == "anonymous":
            assert response.url.startswith(en_url("accounts:sign_in"))
    assert not CandidateInvitation.objects.exists()


def test_the_recommended_candidates_cost_the_same_queries_for_10_and_200_graduates(
    client, recruiter, school, django_assert_max_num_queries
):
    posting = own_posting(recruiter, school)
    cohort = CohortFactory(course=school["basic"], status="finished")
    bulk_graduates(10, cohort)
    refresh_candidates(Enrollment.objects.values_list("student_id", flat=True))
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(en_url("jobs:posting_recommended", posting.pk)).context["candidates"]) == 10

    bulk_graduates(190, cohort)
    refresh_candidates(Enrollment.objects.values_list("student_id", flat=True))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(en_url("jobs:posting_recommended", posting.pk))
    assert len(response.context["candidates"]) == 20


def test_the_board_costs_the_same_queries_with_recommendations_for_10_and_200_postings(
    client, committed, school, django_assert_max_num_queries
):
    from django.core.cache import cache

    merchant = merchant_with_recruiter()[0]
    for n in range(10):
        posting_needing(school["skill"], merchant, title=f"主播{n}")
    with committed():
        person = graduate(course=school["basic"])
    client.force_login(person.user)
    with CaptureQueriesContext(connection) as small:
        page = html(client.get(en_url("jobs:board")))
    assert page.count('recommend-card">') == 5

    template = JobPosting.objects.first()
    JobPosting.objects.bulk_create([JobPosting(**{**_fields(template), "title": f"岗位{n}"}) for n in range(190)])
    cache.clear()  # bulk_create sends no signal: render the board afresh
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = html(client.get(en_url("jobs:board")))
    assert page.count('recommend-card">') == 5 and "200 jobs" in page


# --- Staff: graduates not yet placed -----------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff_user):
    # The admin speaks each user's chosen language.
    profile = UserProfile.get_for_user(staff_user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(staff_user)
    return client


def test_staff_see_unplaced_graduates_with_their_best_three_matches(staff_client, committed, school):
    merchant = merchant_with_recruiter()[0]
    postings = [posting_needing(school["skill"], merchant, title=f"主播{n}") for n in range(4)]
    with committed():
        waiting = graduate(course=school["basic"], consent=False)
        hired = graduate(course=school["basic"])
        Placement.objects.create(
            graduate=hired.user, merchant=merchant, position="主播", start_date=days_from_today(-10), pay="5000"
        )
        StudentFactory()  # never completed a course

    page = html(staff_client.get(reverse("jobs_unplaced")))

    assert waiting.user.display_name in page and hired.user.display_name not in page
    assert "1 graduate not yet placed" in page
    section = page[page.index(f'id="graduate-{waiting.user_id}"') :]
    best = postings_for_graduate(waiting.user, limit=3)
    shown = [p for p in postings if p.title in section]
    assert {p.pk for p in shown} == {m.posting_id for m in best} and len(shown) == 3
    assert f"{best[0].percent}%" in section and CERTIFIED in section
    assert "Taught in Advanced live selling" in section
    assert "Live e-commerce operations" in section  # the course they completed


def test_the_pages_best_matches_are_each_graduates_own(committed, school):
    merchant = merchant_with_recruiter()[0]
    for n, district in enumerate(["jianxi", "luolong", "luanchuan", "xigong", "yanshi"]):
        posting_needing(school["skill"], merchant, title=f"主播{n}", district=district, level=1 + n % 5)
    other_course = CourseFactory()
    with committed():
        people = [
            graduate(course=school["basic"], desired_districts=["jianxi"]),
            graduate(course=school["basic"], desired_districts=["luanchuan"], expected_pay="9000"),
            graduate(course=other_course, desired_districts=["xigong"]),
        ]
    services.apply(posting=JobPosting.objects.get(title="主播0"), graduate=people[0].user, message="")

    together = best_postings_by_graduate(list(unplaced_graduates()), limit=3)

    for person in people:
        alone = postings_for_graduate(person.user, limit=3)
        assert [
            (r.posting.pk, r.match.percent, [x.text for x in r.match.reasons]) for r in together[person.user_id]
        ] == [(m.posting_id, m.percent, [x.text for x in m.reasons]) for m in alone]


def test_staff_filter_unplaced_graduates_by_program_and_class(staff_client, committed, school):
    posting_needing(school["skill"])
    other_program = ProgramFactory(slug="housekeeping")
    nursing = CourseFactory(program=other_program)
    with committed():
        streamer = graduate(course=school["basic"])
        nanny = graduate(course=nursing)
    streamer_class = streamer.user.enrollments.get().cohort

    def shown(**params) -> set[str]:
        response = staff_client.get(reverse("jobs_unplaced"), params)
        return {graduate["user"].display_name for graduate in response.context["graduates"]}

    assert shown() == {streamer.user.display_name, nanny.user.display_name}
    assert shown(program="housekeeping") == {nanny.user.display_name}
    assert shown(cohort=streamer_class.code) == {streamer.user.display_name}


def test_the_unplaced_list_has_25_a_page_at_the_same_cost_for_10_and_60_graduates(
    staff_client, school, django_assert_max_num_queries
):
    posting_needing(school["skill"])
    cohort = CohortFactory(course=school["basic"], status="finished")
    bulk_graduates(10, cohort)
    refresh_candidates(Enrollment.objects.values_list("student_id", flat=True))
    with CaptureQueriesContext(connection) as small:
        response = staff_client.get(reverse("jobs_unplaced"))
    assert len(response.context["graduates"]) == 10
    assert all(graduate["matches"] for graduate in response.context["graduates"])

    bulk_graduates(50, cohort)
    refresh_candidates(Enrollment.objects.values_list("student_id", flat=True))
    for number, size in ((1, 25), (3, 10)):
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = staff_client.get(reverse("jobs_unplaced"), {"p": number})
        assert len(response.context["graduates"]) == size
    assert response.context["items"].paginator.count == 60


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.MERCHANT])
def test_nobody_but_staff_sees_the_unplaced_graduates(client, school, role):
    graduate(course=school["basic"])
    client.force_login(UserFactory(role=role, is_staff=True))
    response = client.get(reverse("jobs_unplaced"))
    assert response.status_code in (302, 403)
    assert "Graduates not yet placed" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client):
    response = client.get(reverse("jobs_unplaced"))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response.url


def test_the_job_board_menu_leads_staff_to_the_unplaced_graduates(staff_client):
    assert reverse("jobs_unplaced") in html(staff_client.get(reverse("wagtailadmin_home")))


def test_the_menu_item_is_hidden_from_admin_users_who_are_not_staff(client):
    editor = UserFactory(is_staff=True, is_superuser=False)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert reverse("jobs_unplaced") not in html(client.get(reverse("wagtailadmin_home")))
    assert client.get(reverse("jobs_unplaced")).status_code in (302, 403)


# --- On a phone -------------------------------------------------------------------------------------------

TAP_TARGETS = ".match a, .recommend a, .match-yours a, .recommend-candidate button, .recommend-card .job-card__title a"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_recommendations_fit_the_screen_and_their_links_are_easy_to_tap(
    live_server, chromium_browser, screenshots, catalogue
):
    skill = SkillFactory(name="直播带货与短视频内容策划及账号运营", name_en="Live selling")
    basic = CourseFactory(title="直播电商运营", title_en="Live e-commerce operations")
    advanced = CourseFactory(title="直播电商进阶：选品、脚本、投流与复盘全流程实战", title_en="Advanced live selling")
    CourseSkill.objects.create(course=basic, skill=skill, level=3)
    CourseSkill.objects.create(course=advanced, skill=skill, level=5)
    catalogue.publish(advanced)
    merchant, recruiter = merchant_with_recruiter(name="洛阳市涧西区某某某某电子商务直播基地运营管理有限公司")
    posting = posting_needing(skill, merchant, title="直播带货主播（涧西区，双休，五险一金，包住宿，底薪加提成）")
    person = graduate(course=basic)  # after-commit work runs at once: this test commits as it goes

    def phone_page(user, address: str, name: str, *, site_styles: bool = True):
        browser_client = Client()
        browser_client.force_login(user)
        context = chromium_browser.new_context(viewport={"width": 375, "height": 812})
        context.add_cookies(
            [{"name": "sessionid", "value": browser_client.cookies["sessionid"].value, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}{address}")
        assert page.locator(".match").count() >= 1, name
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        if site_styles:  # the back office has Wagtail's styles: there only the width is ours to keep
            too_small = page.evaluate(
                """selector => [...document.querySelectorAll(selector)]
                     .filter(element => element.getBoundingClientRect().height < 44)
                     .map(element => element.textContent.trim())""",
                TAP_TARGETS,
            )
            assert too_small == [], name
        screenshots(page, name)
        context.close()

    phone_page(person.user, en_url("school:my_courses"), "dashboard")
    phone_page(person.user, en_url("jobs:board"), "board")
    phone_page(person.user, en_url("jobs:posting_detail", posting.pk), "posting")
    phone_page(recruiter, en_url("jobs:posting_recommended", posting.pk), "merchant")
    phone_page(StaffFactory(), reverse("jobs_unplaced"), "staff", site_styles=False)
    # Queries made while Playwright's event loop runs use their own connection: close it, or the test
    # database cannot be dropped at the end of the run.
    connections.close_all()
