"""Placement rounds: staff pick graduates and open postings, the optimiser proposes the best total fit
within each posting's places and each graduate's wishes, staff adjust (pins), and sending invites each
graduate once. Through the services, the back-office pages and the API."""

import itertools
from collections import Counter

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import numpy as np
import pytest
from rest_framework.test import APIClient

from accounts.models import Notification
from accounts.roles import Role
from jobs import placement_rounds as rounds
from jobs import services
from jobs.matching.features import posting_vector, postings_with_requirements
from jobs.matching.index import CandidateIndex
from jobs.matching.rounds import optimal_assignment, preferences_allow, score_matrix
from jobs.models import (
    CandidateFeatures,
    CandidateInvitation,
    JobPosting,
    PlacementRound,
    PostingSkill,
)
from jobs.services import JobError
from school.models import CourseSkill
from tests.factories import (
    CohortFactory,
    CompletedEnrollmentFactory,
    CourseFactory,
    GraduateProfileFactory,
    JobCategoryFactory,
    SkillFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
    days_from_today,
)
from tests.jobs.pipeline_helpers import (
    bulk_graduates,
    graduate,
    merchant_with_recruiter,
    open_posting,
    valid_certificate,
)

pytestmark = pytest.mark.django_db

ROUNDS_API = "/api/v1/jobs/placement-rounds/"
# The admin's frame (session, user, menu) and the round: its totals, postings, a page of proposals, and
# the few reads that explain them.
ROUND_PAGE_QUERIES = 30


@pytest.fixture
def staff(db):
    return StaffFactory(language="en")


@pytest.fixture
def merchant():
    merchant, _recruiter = merchant_with_recruiter()
    return merchant


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def api(staff):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_login(staff)
    return api


def people(committed, count, **profile):
    """`count` graduates, each with a certificate and a job profile, their matching rows built."""
    with committed():
        return [graduate(**profile).user for _ in range(count)]


def make_round(staff, graduates, postings, **options) -> PlacementRound:
    placement_round = rounds.round_create(
        name="2026 春季班", graduates=graduates, postings=postings, actor=staff, **options
    )
    return rounds.round_propose(round=placement_round, actor=staff)


def placed(placement_round) -> dict[int, int | None]:
    return dict(placement_round.proposals.values_list("graduate_id", "posting_id"))


# --- The optimiser, against brute force -------------------------------------------------------------------


def brute_force_best(scores, capacity, allowed, fixed) -> float:
    """The greatest total score of any assignment honouring places, wishes and pins, by trying them all."""
    graduates, postings = scores.shape
    options = [[fixed[g]] if g in fixed else [None, *range(postings)] for g in range(graduates)]
    best = 0.0
    for choice in itertools.product(*options):
        taken = [sum(1 for p in choice if p == posting) for posting in range(postings)]
        if any(taken[p] > capacity[p] for p in range(postings)):
            continue
        if any(p is not None and g not in fixed and not allowed[g, p] for g, p in enumerate(choice)):
            continue
        best = max(best, sum(scores[g, p] for g, p in enumerate(choice) if p is not None))
    return best


def test_the_optimiser_finds_the_best_total_on_many_small_random_cases():
    rng = np.random.default_rng(20260301)
    for _case in range(400):
        graduates, postings = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        scores = rng.integers(0, 101, size=(graduates, postings)).astype(float)
        capacity = rng.integers(0, 3, size=postings)
        allowed = rng.random((graduates, postings)) < 0.7
        fixed = {}
        room = capacity.copy()
        for g in range(graduates):
            if rng.random() < 0.25:
                options = [None, *[p for p in range(postings) if room[p] > 0]]
                pick = options[int(rng.integers(0, len(options)))]
                fixed[g] = pick
                if pick is not None:
                    room[pick] -= 1

        result = optimal_assignment(scores, capacity, allowed, fixed)

        assert set(result) == set(range(graduates))
        assert all(result[g] == posting for g, posting in fixed.items())
        for p in range(postings):
            assert sum(1 for chosen in result.values() if chosen == p) <= capacity[p]
        assert all(posting is None or g in fixed or allowed[g, posting] for g, posting in result.items())
        total = sum(scores[g, p] for g, p in result.items() if p is not None)
        assert total == pytest.approx(brute_force_best(scores, capacity, allowed, fixed))


def test_the_optimiser_refuses_more_pins_than_places():
    with pytest.raises(ValueError):
        optimal_assignment(np.ones((2, 1)), [1], fixed={0: 0, 1: 0})


# --- Proposing --------------------------------------------------------------------------------------------


@pytest.fixture
def skills():
    """Two skills, each taught by its own course to level 3."""
    made = []
    for name in ("育婴", "收银"):
        skill, course = SkillFactory(name=name), CourseFactory(title=f"{name}课程")
        CourseSkill.objects.create(course=course, skill=skill, level=3)
        made.append((skill, course))
    return made


def test_a_proposal_has_the_greatest_total_score_the_places_allow(committed, staff, merchant, skills):
    (nanny, nanny_course), (till, till_course) = skills
    with committed():
        users = [
            graduate(course=nanny_course, desired_districts=["jianxi"], expected_pay="5000").user,
            graduate(course=nanny_course, desired_districts=["xigong"], expected_pay="4500").user,
            graduate(course=till_course, desired_districts=["jianxi"], expected_pay="5500").user,
            graduate(course=till_course, desired_districts=["luolong"]).user,
            graduate(desired_districts=["jianxi", "luolong"], expected_pay="4000").user,
        ]
    postings = [
        open_posting(merchant, district="jianxi", openings=1),
        open_posting(merchant, district="xigong", openings=1),
        open_posting(merchant, district="luolong", openings=2),
    ]
    PostingSkill.objects.create(posting=postings[0], skill=nanny, min_level=3)
    PostingSkill.objects.create(posting=postings[1], skill=nanny, min_level=2)
    PostingSkill.objects.create(posting=postings[2], skill=till, min_level=3)

    placement_round = make_round(staff, users, postings, min_score=0)

    rows = list(CandidateFeatures.objects.filter(user__in=users).order_by("user_id"))
    index = CandidateIndex.from_rows(rows)
    vectors = [
        posting_vector(p)
        for p in postings_with_requirements(JobPosting.objects.filter(pk__in=[p.pk for p in postings]))
    ]
    vectors.sort(key=lambda vector: vector.id)
    scores = score_matrix(index, vectors, days_from_today(0))
    allowed = preferences_allow(index, vectors)
    capacity = [p.openings for p in sorted(postings, key=lambda p: p.pk)]
    proposals = list(placement_round.proposals.all())
    assert len(proposals) == len(users)
    assert sum(p.score for p in proposals if p.posting_id) == pytest.approx(
        brute_force_best(scores, capacity, allowed, {})
    )
    assert placement_round.status == PlacementRound.Status.PROPOSED and placement_round.proposed_at


def test_no_posting_takes_more_graduates_than_its_places(committed, staff, merchant):
    users = people(committed, 5)
    posting = open_posting(merchant, openings=3)

    placement_round = make_round(staff, users, [posting], capacities={posting.pk: 2})

    assert Counter(placed(placement_round).values()) == {posting.pk: 2, None: 3}


def test_each_graduate_is_proposed_only_work_they_want_where_they_can_go_for_pay_they_accept(
    committed, staff, merchant
):
    cleaning, cooking = JobCategoryFactory(), JobCategoryFactory()
    with committed():
        wants_cooking = graduate()
        wants_cooking.desired_categories.add(cooking)
        far_away = graduate(desired_districts=["luanchuan"])
        expensive = graduate(expected_pay="8000")
        anything = graduate()
    posting = open_posting(merchant, category=cleaning, district="jianxi", pay_max="6000", openings=4)
    users = [wants_cooking.user, far_away.user, expensive.user, anything.user]

    placement_round = make_round(staff, users, [posting], min_score=0)

    assert placed(placement_round) == {
        wants_cooking.user_id: None,
        far_away.user_id: None,
        expensive.user_id: None,
        anything.user_id: posting.pk,
    }


def test_nobody_is_proposed_below_the_rounds_lowest_score(committed, staff, merchant):
    users = people(committed, 2)
    posting = open_posting(merchant)

    placement_round = make_round(staff, users, [posting], min_score=99)

    assert set(placed(placement_round).values()) == {None}
    assert set(placement_round.proposals.values_list("score", flat=True)) == {None}


def test_a_graduate_is_not_proposed_again_for_a_posting_they_applied_to_or_were_invited_to(committed, staff, merchant):
    applied, invited, fresh = people(committed, 3)
    posting = open_posting(merchant, openings=3)
    services.apply(graduate=applied, posting=posting)
    CandidateInvitation.objects.create(posting=posting, graduate=invited)

    placement_round = make_round(staff, [applied, invited, fresh], [posting])

    assert placed(placement_round) == {applied.pk: None, invited.pk: None, fresh.pk: posting.pk}


def test_staffs_choices_are_kept_when_proposing_again(committed, staff, merchant):
    users = people(committed, 3)
    near = open_posting(merchant, district="jianxi", openings=1)
    far = open_posting(merchant, district="luolong", openings=2)
    placement_round = make_round(staff, users, [near, far], min_score=0)
    first = placed(placement_round)
    out = next(user for user in users if first[user.pk] == near.pk)
    swapped, rest = [user for user in users if user != out]

    rounds.round_adjust(round=placement_round, graduate=out, posting=None, actor=staff)
    rounds.round_adjust(round=placement_round, graduate=swapped, posting=near, actor=staff)
    rounds.round_propose(round=placement_round, actor=staff)

    assert placed(placement_round) == {out.pk: None, swapped.pk: near.pk, rest.pk: far.pk}
    pinned = placement_round.proposals.filter(pinned=True)
    assert set(pinned.values_list("graduate_id", flat=True)) == {out.pk, swapped.pk}
    assert placement_round.proposals.get(graduate=swapped).score > 0

    rounds.round_unpin(round=placement_round, graduate=out, actor=staff)
    rounds.round_propose(round=placement_round, actor=staff)
    assert placed(placement_round) == {out.pk: far.pk, swapped.pk: near.pk, rest.pk: far.pk}


# --- Refusals ---------------------------------------------------------------------------------------------


def refusal(call) -> JobError:
    with pytest.raises(JobError) as raised:
        call()
    return raised.value


def test_a_round_refuses_unknown_closed_and_overfull_postings(committed, staff, merchant):
    users = people(committed, 1)
    posting = open_posting(merchant, openings=2)
    closed = open_posting(merchant, status="closed")

    unknown = refusal(lambda: rounds.round_create(name="x", graduates=users, postings=[999999], actor=staff))
    shut = refusal(lambda: rounds.round_create(name="x", graduates=users, postings=[closed], actor=staff))
    too_many = refusal(
        lambda: rounds.round_create(
            name="x", graduates=users, postings=[posting], capacities={posting.pk: 3}, actor=staff
        )
    )

    assert (unknown.code, str(unknown.message)) == ("unknown_posting", "没有编号为 999999 的岗位。")
    assert shut.code == "posting_not_open" and closed.title in str(shut.message)
    assert too_many.code == "over_capacity" and "还有 2 个空缺" in str(too_many.message)
    assert not PlacementRound.objects.exists()


def test_a_round_needs_graduates_with_something_to_match(committed, staff, merchant):
    stranger = StudentFactory(display_name="陈无课")
    refused = refusal(
        lambda: rounds.round_create(name="x", graduates=[stranger], postings=[open_posting(merchant)], actor=staff)
    )
    assert refused.code == "nothing_to_match" and "陈无课" in str(refused.message)


def test_a_graduate_without_a_matching_row_yet_gets_one(staff, merchant):
    # Made outside committed(): the after-commit refresh never ran.
    user = graduate().user
    assert not CandidateFeatures.objects.filter(user=user).exists()

    placement_round = make_round(staff, [user], [open_posting(merchant)])

    assert placed(placement_round)[user.pk] is not None


def test_adjusting_refuses_a_full_posting_and_one_outside_the_round(committed, staff, merchant):
    first, second = people(committed, 2)
    posting = open_posting(merchant, openings=1)
    elsewhere = open_posting(merchant)
    placement_round = make_round(staff, [first, second], [posting])
    taken_by = next(user for user, chosen in placed(placement_round).items() if chosen == posting.pk)
    other = second if taken_by == first.pk else first

    full = refusal(lambda: rounds.round_adjust(round=placement_round, graduate=other, posting=posting, actor=staff))
    outside = refusal(
        lambda: rounds.round_adjust(round=placement_round, graduate=other, posting=elsewhere, actor=staff)
    )

    assert full.code == "over_capacity" and posting.title in str(full.message)
    assert outside.code == "unknown_posting"
    assert placed(placement_round)[other.pk] is None
    JobPosting.objects.filter(pk=posting.pk).update(status="closed")
    closed = refusal(
        lambda: rounds.round_adjust(round=placement_round, graduate=taken_by, posting=posting, actor=staff)
    )
    assert closed.code == "posting_not_open"


def test_only_staff_with_the_permission_run_rounds(committed, merchant):
    users = people(committed, 1)
    posting = open_posting(merchant)
    for actor in (StudentFactory(), UserFactory(is_staff=True)):
        refused = refusal(lambda: rounds.round_create(name="x", graduates=users, postings=[posting], actor=actor))  # noqa: B023
        assert refused.code == "forbidden"


# --- Sending ----------------------------------------------------------------------------------------------


def test_sending_invites_each_proposed_graduate_once_and_tells_them(committed, staff, merchant):
    with committed():
        sharing = graduate().user
        private = graduate(consent=False).user  # the school may write to its own graduate
        left_out = graduate(desired_districts=["luanchuan"]).user
    posting = open_posting(merchant, title="育婴师（月嫂）", openings=3)
    placement_round = make_round(staff, [sharing, private, left_out], [posting])

    first = rounds.round_send(round=placement_round, actor=staff)
    again = rounds.round_send(round=placement_round, actor=staff)

    assert (first.invited, first.skipped, again.invited) == (2, 0, 0)
    invitations = CandidateInvitation.objects.filter(posting=posting)
    assert sorted(invitations.values_list("graduate_id", flat=True)) == sorted([sharing.pk, private.pk])
    assert set(invitations.values_list("invited_by", flat=True)) == {staff.pk}
    for user in (sharing, private):
        assert Notification.objects.filter(recipient=user, subject__contains="育婴师（月嫂）").count() == 1
    assert not Notification.objects.filter(recipient=left_out).exists()
    placement_round.refresh_from_db()
    assert placement_round.status == PlacementRound.Status.SENT and placement_round.sent_at
    assert placement_round.proposals.filter(invitation__isnull=False).count() == 2
    # Applying now counts as invited, as after a merchant's invitation.
    assert services.apply(graduate=sharing, posting=posting).invited


def test_a_sent_round_can_no_longer_change(committed, staff, merchant):
    users = people(committed, 2)
    posting = open_posting(merchant)
    placement_round = make_round(staff, users, [posting])
    rounds.round_send(round=placement_round, actor=staff)

    again = refusal(lambda: rounds.round_propose(round=placement_round, actor=staff))
    moved = refusal(lambda: rounds.round_adjust(round=placement_round, graduate=users[0], posting=None, actor=staff))

    assert again.code == moved.code == "sent"
    assert "不能再修改" in str(again.message)


def test_sending_leaves_out_a_posting_that_closed_meanwhile(committed, staff, merchant):
    users = people(committed, 1)
    posting = open_posting(merchant)
    placement_round = make_round(staff, users, [posting])
    JobPosting.objects.filter(pk=posting.pk).update(status="closed")

    sent = rounds.round_send(round=placement_round, actor=staff)

    assert (sent.invited, sent.skipped) == (0, 1)
    assert not CandidateInvitation.objects.exists()


# --- Back-office pages ------------------------------------------------------------------------------------


def test_staff_make_a_round_from_a_class_adjust_it_and_send_it(committed, staff_client, merchant):
    cohort = CohortFactory(
        status="finished",
        start_date=days_from_today(-90),
        end_date=days_from_today(-5),
        enrolment_opens=days_from_today(-120),
        enrolment_closes=days_from_today(-91),
    )
    with committed():
        enrollments = [CompletedEnrollmentFactory(cohort=cohort) for _ in range(2)]
        for enrollment in enrollments:
            valid_certificate(enrollment)
            GraduateProfileFactory(user=enrollment.student)
    users = [enrollment.student for enrollment in enrollments]
    posting = open_posting(merchant, title="收银员", openings=2)
    other = open_posting(merchant, title="理货员", openings=1)

    form = staff_client.get(reverse("jobs_placement_rounds:create"))
    assert form.status_code == 200 and "收银员" in form.content.decode()
    response = staff_client.post(
        reverse("jobs_placement_rounds:create"),
        {
            "name": "三月结业班",
            "cohorts": [cohort.pk],
            "postings": [posting.pk],
            f"capacity_{posting.pk}": 2,
            "min_score": 40,
        },
    )
    placement_round = PlacementRound.objects.get(name="三月结业班")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs_placement_rounds:detail", args=[placement_round.pk])
    assert list(placement_round.round_postings.values_list("posting_id", flat=True)) == [posting.pk]
    assert other.pk not in placed(placement_round).values()

    page = staff_client.get(response["Location"]).content.decode()
    assert users[0].display_name in page and "收银员" in page
    assert "同在 涧西区" in page  # a reason, in the admin's language
    assert "2 / 2" in page  # proposed / graduates

    staff_client.post(
        reverse("jobs_placement_rounds:adjust", args=[placement_round.pk]), {"graduate": users[0].pk, "posting": ""}
    )
    assert placed(placement_round)[users[0].pk] is None
    assert placement_round.proposals.get(graduate=users[0]).pinned
    staff_client.post(reverse("jobs_placement_rounds:unpin", args=[placement_round.pk]), {"graduate": users[0].pk})
    staff_client.post(reverse("jobs_placement_rounds:propose", args=[placement_round.pk]))
    assert placed(placement_round)[users[0].pk] == posting.pk

    confirm = staff_client.get(reverse("jobs_placement_rounds:send", args=[placement_round.pk]))
    assert "2 位毕业生将收到" in confirm.content.decode()
    assert not CandidateInvitation.objects.exists()  # nothing is sent without the confirmation
    staff_client.post(reverse("jobs_placement_rounds:send", args=[placement_round.pk]))
    assert CandidateInvitation.objects.filter(posting=posting).count() == 2
    index = staff_client.get(reverse("jobs_placement_rounds:index")).content.decode()
    assert "三月结业班" in index


def test_the_pages_show_a_refusal_as_a_message(committed, staff_client, staff, merchant):
    first, second = people(committed, 2)
    posting = open_posting(merchant, openings=1)
    placement_round = make_round(staff, [first, second], [posting])
    without = next(user for user, chosen in placed(placement_round).items() if chosen is None)

    response = staff_client.post(
        reverse("jobs_placement_rounds:adjust", args=[placement_round.pk]),
        {"graduate": without, "posting": posting.pk},
        follow=True,
    )

    assert "名额已满" in response.content.decode()
    assert placed(placement_round)[without] is None


def test_staff_pick_every_graduate_not_yet_placed(committed, staff_client, merchant):
    users = people(committed, 2)
    posting = open_posting(merchant)

    staff_client.post(
        reverse("jobs_placement_rounds:create"),
        {"name": "全部未就业", "unplaced": "on", "postings": [posting.pk], "min_score": 0},
    )

    placement_round = PlacementRound.objects.get(name="全部未就业")
    assert set(placed(placement_round)) == {user.pk for user in users}


def test_the_new_round_page_needs_graduates(staff_client, merchant):
    posting = open_posting(merchant)
    response = staff_client.post(
        reverse("jobs_placement_rounds:create"), {"name": "空", "postings": [posting.pk], "min_score": 40}
    )
    assert response.status_code == 200
    assert "请选择一个或多个班级" in response.content.decode()
    assert not PlacementRound.objects.exists()


@pytest.mark.parametrize("who", ["student", "merchant", "anonymous", "staff_without_permission"])
def test_only_staff_with_the_permission_open_the_pages(client, committed, staff, merchant, who):
    users = people(committed, 1)
    placement_round = make_round(staff, users, [open_posting(merchant)])
    if who == "student":
        client.force_login(users[0])
    elif who == "merchant":
        client.force_login(merchant.members.get().user)
    elif who == "staff_without_permission":
        client.force_login(UserFactory(is_staff=True, role=Role.STAFF))
        Group.objects.get(name=Role.STAFF).permissions.filter(codename="change_placementround").delete()

    pages = [
        client.get(reverse("jobs_placement_rounds:index")),
        client.get(reverse("jobs_placement_rounds:create")),
        client.get(reverse("jobs_placement_rounds:detail", args=[placement_round.pk])),
        client.get(reverse("jobs_placement_rounds:send", args=[placement_round.pk])),
        client.post(reverse("jobs_placement_rounds:propose", args=[placement_round.pk])),
        client.post(
            reverse("jobs_placement_rounds:adjust", args=[placement_round.pk]), {"graduate": users[0].pk, "posting": ""}
        ),
        client.post(reverse("jobs_placement_rounds:send", args=[placement_round.pk])),
    ]

    assert {response.status_code for response in pages} <= {302, 403}
    assert not CandidateInvitation.objects.exists()
    assert not placement_round.proposals.filter(pinned=True).exists()


def test_the_job_board_menu_lists_placement_rounds_for_staff(staff_client):
    assert reverse("jobs_placement_rounds:index") in staff_client.get(reverse("wagtailadmin_home")).content.decode()


def round_of(size: int, staff, merchant) -> PlacementRound:
    """A proposed round of `size` graduates of one class and `size // 6 + 1` postings, each needing a skill."""
    cohort = CohortFactory(status="finished")
    bulk_graduates(size, cohort)
    postings = [open_posting(merchant, openings=10) for _ in range(size // 6 + 1)]
    for posting in postings:
        PostingSkill.objects.create(posting=posting, skill=SkillFactory(), min_level=2)
    return make_round(staff, rounds.graduates_of([cohort]), postings, min_score=0)


def test_the_round_page_costs_the_same_queries_for_a_small_and_a_large_round(
    staff_client, staff, merchant, django_assert_max_num_queries
):
    small, large = round_of(4, staff, merchant), round_of(45, staff, merchant)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(reverse("jobs_placement_rounds:detail", args=[small.pk]))
    assert len(response.context["lines"]) == 4

    with django_assert_max_num_queries(len(queries.captured_queries)):
        response = staff_client.get(reverse("jobs_placement_rounds:detail", args=[large.pk]))

    assert len(response.context["lines"]) == 45
    assert len(queries.captured_queries) <= ROUND_PAGE_QUERIES, [q["sql"][:120] for q in queries.captured_queries]


# --- API --------------------------------------------------------------------------------------------------


def test_staff_run_a_round_through_the_api(committed, api, merchant, skills):
    (nanny, nanny_course), (till, till_course) = skills
    with committed():
        users = [graduate(course=nanny_course).user for _ in range(2)]
    posting = open_posting(merchant, openings=2)
    PostingSkill.objects.create(posting=posting, skill=nanny, min_level=3)
    PostingSkill.objects.create(posting=posting, skill=till, min_level=2)

    created = api.post(
        ROUNDS_API,
        {"name": "API 轮次", "graduates": [u.pk for u in users], "postings": [posting.pk], "min_score": 0},
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["graduates"], body["assigned"], body["places"]) == ("proposed", 2, 2, 2)
    proposal = body["proposals"][0]
    assert proposal["posting"] == posting.pk and 0 < proposal["score"] <= 100
    assert {"code": "certified", "text": f"Holds the {nanny_course.title} certificate"} in proposal["reasons"]
    assert proposal["missing"] == [
        {
            "skill": {"slug": till.slug, "name": till.display_name},
            "level": 2,
            "course": {"code": till_course.code, "title": till_course.title, "url": None},
        }
    ]
    url = f"{ROUNDS_API}{body['id']}/"
    assert api.get(ROUNDS_API).json()["results"][0]["id"] == body["id"]
    assert api.get(url).json()["proposals"] == body["proposals"]

    adjusted = api.post(f"{url}adjust/", {"graduate": users[0].pk, "posting": None}, format="json").json()
    mine = next(p for p in adjusted["proposals"] if p["graduate"] == users[0].pk)
    assert (mine["posting"], mine["pinned"], adjusted["assigned"]) == (None, True, 1)
    assert api.post(f"{url}propose/").json()["assigned"] == 1
    assert api.post(f"{url}unpin/", {"graduate": users[0].pk}, format="json").status_code == 200
    assert api.post(f"{url}propose/").json()["assigned"] == 2

    sent = api.post(f"{url}send/").json()
    assert (sent["invited"], sent["skipped"], sent["round"]["status"]) == (2, 0, "sent")
    assert all(p["invited"] for p in sent["round"]["proposals"])
    assert api.post(f"{url}send/").json()["invited"] == 0


def test_the_api_refuses_bad_input_with_clear_messages(committed, api, staff, merchant):
    users = people(committed, 2)
    posting = open_posting(merchant, openings=1)
    elsewhere = open_posting(merchant)

    unknown = api.post(ROUNDS_API, {"name": "x", "graduates": [users[0].pk], "postings": [999999]}, format="json")
    no_one = api.post(ROUNDS_API, {"name": "x", "postings": [posting.pk]}, format="json")
    body = api.post(
        ROUNDS_API, {"name": "y", "graduates": [u.pk for u in users], "postings": [posting.pk]}, format="json"
    ).json()
    url = f"{ROUNDS_API}{body['id']}/"
    without = next(p["graduate"] for p in body["proposals"] if p["posting"] is None)
    full = api.post(f"{url}adjust/", {"graduate": without, "posting": posting.pk}, format="json")
    outside = api.post(f"{url}adjust/", {"graduate": without, "posting": elsewhere.pk}, format="json")
    api.post(f"{url}send/")
    sent = api.post(f"{url}propose/")

    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_posting")
    assert unknown.json()["detail"] == "There is no posting number 999999."
    assert no_one.status_code == 400 and "Pick graduates" in no_one.json()["detail"]
    assert (full.status_code, full.json()["code"]) == (400, "over_capacity")
    assert (outside.status_code, outside.json()["code"]) == (400, "unknown_posting")
    assert (sent.status_code, sent.json()["code"]) == (400, "sent")


@pytest.mark.parametrize("who", ["student", "merchant", "anonymous"])
def test_the_api_is_for_staff_only(committed, staff, merchant, who):
    users = people(committed, 1)
    posting = open_posting(merchant)
    placement_round = make_round(staff, users, [posting])
    client = APIClient()
    if who == "student":
        client.force_login(users[0])
    elif who == "merchant":
        client.force_login(merchant.members.get().user)
    url = f"{ROUNDS_API}{placement_round.pk}/"

    responses = [
        client.get(ROUNDS_API),
        client.get(url),
        client.post(ROUNDS_API, {"name": "x", "graduates": [users[0].pk], "postings": [posting.pk]}, format="json"),
        client.post(f"{url}propose/"),
        client.post(f"{url}adjust/", {"graduate": users[0].pk, "posting": None}, format="json"),
        client.post(f"{url}send/"),
    ]

    assert {response.status_code for response in responses} <= {401, 403}
    assert PlacementRound.objects.count() == 1
    assert not CandidateInvitation.objects.exists()


def test_placement_rounds_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path in ("", "{id}/", "{id}/propose/", "{id}/adjust/", "{id}/unpin/", "{id}/send/"):
        assert f"{ROUNDS_API}{path}" in paths
    assert "400" in paths[f"{ROUNDS_API}{{id}}/adjust/"]["post"]["responses"]
