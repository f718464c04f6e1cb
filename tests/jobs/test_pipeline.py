"""A merchant's recruiter works through a posting's applications: screening, interview, offer, hire or
reject, each step told to both sides; refused steps say why; other merchants see nothing."""

import datetime
from html import escape

from django.urls import reverse
from django.utils import translation

import pytest

from accounts.models import Notification
from jobs import services
from jobs.models import Application, ApplicationEvent, FollowUp, Placement
from tests.factories import ApplicationFactory, GraduateProfileFactory, StudentFactory, days_from_today
from tests.jobs.pipeline_helpers import graduate, merchant_with_recruiter, open_posting

pytestmark = pytest.mark.django_db


def en_url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def recruiter_and_posting():
    merchant, recruiter = merchant_with_recruiter()
    return recruiter, open_posting(merchant, openings=2)


def applied(posting, *, consent=True, message="我做过两年育婴师。"):
    profile = graduate(consent=consent)
    application = services.apply(graduate=profile.user, posting=posting, message=message)
    return application


def move(client, posting, application, **data):
    return client.post(en_url("jobs:application_move", posting.pk, application.pk), data, follow=True)


def hire(client, posting, application, **data):
    fields = {"start_date": "2026-12-01", "pay": "5200", "pay_period": "month", "position": "", **data}
    return client.post(en_url("jobs:application_hire", posting.pk, application.pk), fields, follow=True)


def test_a_recruiter_takes_an_applicant_from_applied_to_hired_and_both_sides_are_told(client, recruiter_and_posting):
    recruiter, posting = recruiter_and_posting
    application = applied(posting)
    applicant = application.graduate
    client.force_login(recruiter)

    move(client, posting, application, to_status="screening", note="电话沟通过，态度很好")
    response = move(
        client,
        posting,
        application,
        to_status="interview",
        interview_date="2026-12-03",
        interview_time="14:30",
        interview_place="涧西区南昌路 88 号 2 楼",
    )
    application.refresh_from_db()
    assert application.status == "interview"
    assert application.interview_place == "涧西区南昌路 88 号 2 楼"
    assert application.interview_at.astimezone(datetime.UTC).hour == 6  # 14:30 in Luoyang
    assert "涧西区南昌路 88 号 2 楼" in response.content.decode()

    move(client, posting, application, to_status="offer")
    response = hire(client, posting, application, position="育婴师（白班）", social_insurance="on")
    assert "is hired" in response.content.decode()

    application.refresh_from_db()
    assert application.status == "hired"
    placement = Placement.objects.get(application=application)
    assert (placement.position, placement.pay, placement.social_insurance) == ("育婴师（白班）", 5200, True)
    assert [f.day for f in placement.follow_ups.order_by("day")] == [30, 90, 180]
    assert list(ApplicationEvent.objects.filter(application=application).values_list("to_status", flat=True)) == [
        "applied",
        "screening",
        "interview",
        "offer",
        "hired",
    ]
    assert ApplicationEvent.objects.get(application=application, to_status="screening").note == "电话沟通过，态度很好"
    # The graduate heard of each of the four steps the recruiter made; the recruiter of the application.
    assert Notification.objects.filter(recipient=applicant).count() == 4
    assert Notification.objects.filter(recipient=recruiter).count() == 1
    posting.refresh_from_db()
    assert (posting.hired_count, posting.status) == (1, "published")  # one of two openings


@pytest.mark.parametrize(
    ("start", "to_status", "message"),
    [
        ("applied", "offer", "An application at “Applied” cannot move to “Offer”."),
        ("rejected", "screening", "An application at “Not selected” cannot move to “Screening”."),
        ("offer", "screening", "An application at “Offer” cannot move to “Screening”."),
        ("applied", "interview", "Give the interview's date, time and place (or video link)."),
    ],
)
def test_a_refused_step_shows_the_reason_and_changes_nothing(client, recruiter_and_posting, start, to_status, message):
    recruiter, posting = recruiter_and_posting
    application = ApplicationFactory(posting=posting, status=start)
    client.force_login(recruiter)

    response = move(client, posting, application, to_status=to_status)

    assert escape(message) in response.content.decode()
    application.refresh_from_db()
    assert application.status == start
    assert not ApplicationEvent.objects.filter(application=application).exists()


def test_hiring_before_an_offer_is_refused(client, recruiter_and_posting):
    recruiter, posting = recruiter_and_posting
    application = ApplicationFactory(posting=posting, status="screening")
    client.force_login(recruiter)

    response = hire(client, posting, application)

    assert "An application at “Screening” cannot move to “Hired”." in response.content.decode()
    assert not Placement.objects.exists()


def test_the_posting_is_filled_when_every_opening_is_and_no_one_else_can_be_hired(client, recruiter_and_posting):
    recruiter, posting = recruiter_and_posting
    offers = [ApplicationFactory(posting=posting, status="offer") for _ in range(3)]
    client.force_login(recruiter)

    hire(client, posting, offers[0])
    hire(client, posting, offers[1])
    posting.refresh_from_db()
    assert (posting.hired_count, posting.status) == (2, "filled")

    response = hire(client, posting, offers[2])
    assert "Every opening of this posting is already filled." in response.content.decode()
    offers[2].refresh_from_db()
    assert offers[2].status == "offer"
    assert Placement.objects.count() == 2


def test_only_the_graduate_withdraws_and_the_graduate_can_do_nothing_else():
    merchant, recruiter = merchant_with_recruiter()
    application = applied(open_posting(merchant))

    with pytest.raises(services.JobError) as refused:
        services.move_application(application=application, to_status="withdrawn", actor=recruiter)
    with translation.override("en"):
        assert str(refused.value.message) == "Only the graduate can withdraw an application; reject it instead."
    with pytest.raises(services.JobError) as refused:
        services.move_application(application=application, to_status="screening", actor=application.graduate)
    assert refused.value.code == "forbidden"

    services.move_application(application=application, to_status="withdrawn", actor=application.graduate)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    with pytest.raises(services.JobError) as refused:
        services.move_application(application=application, to_status="screening", actor=recruiter)
    assert refused.value.code == "transition"


def test_a_stranger_cannot_move_an_application():
    merchant, _recruiter = merchant_with_recruiter()
    application = applied(open_posting(merchant))
    with pytest.raises(services.JobError) as refused:
        services.move_application(application=application, to_status="screening", actor=StudentFactory())
    assert refused.value.code == "forbidden"


def test_a_graduate_cannot_apply_twice_to_one_posting():
    merchant, _recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    profile = graduate()
    services.apply(graduate=profile.user, posting=posting)

    with pytest.raises(services.JobError) as refused:
        services.apply(graduate=profile.user, posting=posting, message="再投一次")
    assert refused.value.code == "duplicate"
    with translation.override("en"):
        assert str(refused.value.message) == "You have already applied for this job."
    assert Application.objects.filter(posting=posting).count() == 1


@pytest.mark.parametrize(
    "posting_fields",
    [{"status": "closed"}, {"status": "filled"}, {"status": "pending"}, {"closing_date": days_from_today(-1)}],
)
def test_a_posting_that_is_not_open_takes_no_applications(posting_fields):
    merchant, _recruiter = merchant_with_recruiter()
    posting = open_posting(merchant, **posting_fields)
    with pytest.raises(services.JobError) as refused:
        services.apply(graduate=graduate().user, posting=posting)
    assert refused.value.code == "closed"
    assert not Application.objects.exists()


def test_the_list_shows_each_applicant_by_stage_with_their_record_and_only_a_shared_profile(client):
    merchant, recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    sharing = applied(posting, message="周末也可以上班")
    private = applied(posting, consent=False)
    sharing.graduate.job_profile.introduction = "持有育婴员证，喜欢小孩。"
    sharing.graduate.job_profile.save()
    private.graduate.job_profile.introduction = "这段不应让商家看到。"
    private.graduate.job_profile.save()
    services.move_application(application=sharing, to_status="screening", actor=recruiter)
    certificate = sharing.graduate.enrollments.get().certificates.get()
    client.force_login(recruiter)

    page = client.get(en_url("jobs:posting_applications", posting.pk)).content.decode()

    assert sharing.graduate.display_name in page and private.graduate.display_name in page
    assert "周末也可以上班" in page  # what they sent
    assert certificate.get_verify_url() in page
    assert sharing.graduate.enrollments.get().cohort.course.title_en in page
    assert "持有育婴员证，喜欢小孩。" in page
    assert "这段不应让商家看到。" not in page
    assert "Profile not shared" in page
    assert (
        page.index('id="stage-applied"')
        < page.index(private.graduate.display_name)
        < page.index('id="stage-screening"')
    )
    assert page.index('id="stage-screening"') < page.index(sharing.graduate.display_name)


def test_the_list_costs_the_same_queries_for_3_and_30_applications(client, django_assert_max_num_queries):
    merchant, recruiter = merchant_with_recruiter()
    posting = open_posting(merchant, openings=40)
    client.force_login(recruiter)
    url = en_url("jobs:posting_applications", posting.pk)

    def add(count):
        for _ in range(count):
            profile = graduate()
            ApplicationFactory(posting=posting, graduate=profile.user, status="screening")

    add(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_another_merchants_members_find_nothing(client):
    merchant, _recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    application = applied(posting)
    _other_merchant, outsider = merchant_with_recruiter()
    client.force_login(outsider)

    assert client.get(en_url("jobs:posting_applications", posting.pk)).status_code == 404
    assert (
        client.post(en_url("jobs:application_move", posting.pk, application.pk), {"to_status": "screening"}).status_code
        == 404
    )
    assert client.post(en_url("jobs:application_hire", posting.pk, application.pk), {}).status_code == 404
    application.refresh_from_db()
    assert application.status == "applied"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    merchant, _recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    response = client.get(en_url("jobs:posting_applications", posting.pk))
    assert response.status_code == 302 and "sign-in" in response.url


def test_applying_after_an_invitation_marks_the_application_invited():
    merchant, recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    profile = GraduateProfileFactory()
    services.invite_candidate(posting=posting, graduate=profile.user, actor=recruiter)

    application = services.apply(graduate=profile.user, posting=posting)

    assert application.invited is True
    assert services.apply(graduate=graduate().user, posting=posting).invited is False


def test_follow_ups_are_due_30_90_and_180_days_after_the_start():
    merchant, recruiter = merchant_with_recruiter()
    posting = open_posting(merchant)
    application = ApplicationFactory(posting=posting, status="offer")

    placement = services.hire(application=application, actor=recruiter, start_date=datetime.date(2026, 12, 1), pay=5000)

    assert list(FollowUp.objects.filter(placement=placement).values_list("day", "due_on")) == [
        (30, datetime.date(2026, 12, 31)),
        (90, datetime.date(2027, 3, 1)),
        (180, datetime.date(2027, 5, 30)),
    ]
