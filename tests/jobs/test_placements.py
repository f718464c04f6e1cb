"""After a hire the school asks, at 30, 90 and 180 days, whether the job continues: the merchant and the
graduate each get one question with a link, either answers in one tap, and staff record outcomes by
hand in the back office when nobody answers."""

import datetime

from django.urls import reverse
from django.utils import timezone, translation

import pytest

from accounts.models import Notification
from jobs import services
from jobs.models import FollowUp, Placement
from jobs.tasks import ask_follow_ups
from tests.factories import ApplicationFactory, StaffFactory, StudentFactory, UserFactory, days_from_today
from tests.jobs.pipeline_helpers import merchant_with_recruiter, open_posting

pytestmark = pytest.mark.django_db


def en_url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def placement():
    merchant, recruiter = merchant_with_recruiter(name="洛阳好帮手家政")
    application = ApplicationFactory(posting=open_posting(merchant, title="育婴师"), status="offer")
    placement = services.hire(
        application=application, actor=recruiter, start_date=days_from_today(-95), pay="5000", position="育婴师"
    )
    placement.recruiter = recruiter
    return placement


def test_a_hire_schedules_follow_ups_at_30_90_and_180_days(placement):
    start = placement.start_date
    assert [(f.day, f.due_on) for f in placement.follow_ups.order_by("day")] == [
        (30, start + datetime.timedelta(days=30)),
        (90, start + datetime.timedelta(days=90)),
        (180, start + datetime.timedelta(days=180)),
    ]
    # Scheduling again (a retried hire, a staff re-save) adds nothing.
    services.schedule_follow_ups(placement)
    assert placement.follow_ups.count() == 3


def test_the_daily_task_asks_both_sides_once_for_each_follow_up_due(placement):
    graduate, recruiter = placement.graduate, placement.recruiter
    before = {user: Notification.objects.filter(recipient=user).count() for user in (graduate, recruiter)}

    assert ask_follow_ups.delay().get() == 2  # day 30 and day 90 are due; day 180 is not

    asked = FollowUp.objects.filter(placement=placement, asked_at__isnull=False)
    assert sorted(asked.values_list("day", flat=True)) == [30, 90]
    for user in (graduate, recruiter):
        notices = Notification.objects.filter(recipient=user).order_by("-pk")[:2]
        assert Notification.objects.filter(recipient=user).count() == before[user] + 2
        with translation.override(user.language):  # each link is to the page in its reader's language
            assert {notice.link for notice in notices} == {
                reverse("jobs:follow_up", args=[follow_up.pk]) for follow_up in asked
            }
    assert "洛阳好帮手家政" in Notification.objects.filter(recipient=graduate).latest("pk").subject

    # Running again (beat twice, a retry) asks nobody again.
    assert ask_follow_ups.delay().get() == 0
    assert Notification.objects.filter(recipient=graduate).count() == before[graduate] + 2


def test_follow_ups_already_answered_or_of_ended_jobs_are_not_asked(placement):
    day_30 = placement.follow_ups.get(day=30)
    services.answer_follow_up(follow_up=day_30, actor=placement.graduate, still_employed=True)
    assert services.ask_due_follow_ups() == 1  # only day 90

    Placement.objects.filter(pk=placement.pk).update(ended_on=days_from_today(-1))
    FollowUp.objects.filter(placement=placement).update(asked_at=None)
    assert services.ask_due_follow_ups(today=days_from_today(200)) == 0


def test_the_graduate_answers_yes_in_one_tap(client, placement):
    follow_up = placement.follow_ups.get(day=30)
    client.force_login(placement.graduate)

    page = client.get(en_url("jobs:follow_up", follow_up.pk)).content.decode()
    assert "Does the job continue?" in page and "洛阳好帮手家政" in page

    response = client.post(en_url("jobs:follow_up", follow_up.pk), {"still_employed": "yes"}, follow=True)

    assert "The school has recorded your answer." in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.still_employed, follow_up.answered_by) == (True, placement.graduate)
    placement.refresh_from_db()
    assert placement.ended_on is None


def test_the_merchant_answers_that_the_job_ended(client, placement):
    follow_up = placement.follow_ups.get(day=90)
    client.force_login(placement.recruiter)

    client.post(en_url("jobs:follow_up", follow_up.pk), {"still_employed": "no", "note": "本人辞职回老家"})

    follow_up.refresh_from_db()
    assert (follow_up.still_employed, follow_up.note, follow_up.answered_by) == (
        False,
        "本人辞职回老家",
        placement.recruiter,
    )
    placement.refresh_from_db()
    assert placement.ended_on == timezone.localdate()


def test_an_answer_must_be_chosen(client, placement):
    follow_up = placement.follow_ups.get(day=30)
    client.force_login(placement.graduate)
    response = client.post(en_url("jobs:follow_up", follow_up.pk), {"note": "?"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.still_employed is None


@pytest.mark.parametrize("who", ["another merchant", "another student"])
def test_nobody_else_sees_or_answers_a_follow_up(client, placement, who):
    follow_up = placement.follow_ups.get(day=30)
    client.force_login(merchant_with_recruiter()[1] if who == "another merchant" else StudentFactory())

    assert client.get(en_url("jobs:follow_up", follow_up.pk)).status_code == 404
    assert client.post(en_url("jobs:follow_up", follow_up.pk), {"still_employed": "no"}).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.still_employed is None
    with pytest.raises(services.JobError):
        services.answer_follow_up(follow_up=follow_up, actor=UserFactory(), still_employed=False)


def test_staff_record_an_outcome_by_hand_in_the_back_office(client, placement):
    staff = StaffFactory()
    follow_up = placement.follow_ups.get(day=90)
    client.force_login(staff)

    listing = client.get(reverse("jobs_follow_ups:index"))
    assert listing.status_code == 200
    response = client.post(
        reverse("jobs_follow_ups:edit", args=[follow_up.pk]), {"still_employed": "false", "note": "电话回访：已离职"}
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.still_employed, follow_up.answered_by, follow_up.note) == (False, staff, "电话回访：已离职")
    placement.refresh_from_db()
    assert placement.ended_on == timezone.localdate()
    # Follow-ups come from placements: staff cannot make or delete one by hand.
    assert client.get(reverse("jobs_follow_ups:add")).status_code in (302, 403)


def test_staff_record_a_placement_made_outside_the_board_and_its_follow_ups_are_scheduled(client, placement):
    staff = StaffFactory()
    client.force_login(staff)
    hired = StudentFactory()

    response = client.post(
        reverse("jobs_placements:add"),
        {
            "graduate": hired.pk,
            "merchant": placement.merchant.pk,
            "posting": "",
            "position": "保洁员",
            "start_date": "2026-10-01",
            "ended_on": "",
            "pay": "3800",
            "pay_period": "month",
        },
    )

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    recorded = Placement.objects.get(graduate=hired)
    assert (recorded.created_by, recorded.position) == (staff, "保洁员")
    assert [f.due_on.isoformat() for f in recorded.follow_ups.order_by("day")] == [
        "2026-10-31",
        "2026-12-30",
        "2027-03-30",
    ]


def test_the_back_office_is_for_staff_only(client, placement):
    client.force_login(placement.recruiter)
    assert client.get(reverse("jobs_placements:index")).status_code in (302, 403)
    assert client.get(reverse("jobs_follow_ups:index")).status_code in (302, 403)
