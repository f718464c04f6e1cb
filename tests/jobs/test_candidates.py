"""A recruiter of an approved merchant searches the graduates who chose to share their profile, by
program, skill, certificate, district and availability, and invites one to apply for a posting."""

import datetime
from html import escape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

import pytest

from accounts.models import Notification
from jobs import services
from jobs.models import Application, CandidateInvitation, DeclaredSkill
from school.models import CourseSkill, Enrollment
from tests.factories import (
    CohortFactory,
    CourseFactory,
    GraduateProfileFactory,
    MerchantMemberFactory,
    ProgramFactory,
    SkillFactory,
    StudentFactory,
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


def en_url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def search(client, **params):
    response = client.get(en_url("jobs:candidates"), params)
    assert response.status_code == 200
    return response


def names(response) -> set[str]:
    return {profile.user.display_name for profile in response.context["profiles"]}


@pytest.fixture
def recruiter(client):
    _merchant, recruiter = merchant_with_recruiter()
    client.force_login(recruiter)
    return recruiter


def test_only_graduates_who_share_their_profile_are_found(client, recruiter):
    sharing = graduate(introduction="做事细心。")
    private = graduate(consent=False, introduction="不公开的介绍")
    StudentFactory()  # a student without a job profile

    response = search(client)

    assert names(response) == {sharing.user.display_name}
    page = response.content.decode()
    assert "做事细心。" in page and "不公开的介绍" not in page and private.user.display_name not in page


def test_a_graduate_who_withdraws_consent_disappears_at_once(client, recruiter):
    profile = graduate()
    assert names(search(client)) == {profile.user.display_name}

    services.set_consent(user=profile.user, granted=False)

    assert names(search(client)) == set()
    # Nor can they be invited through a page kept open from before.
    posting = open_posting(recruiter.merchant_memberships.get().merchant)
    response = client.post(en_url("jobs:candidate_invite", profile.pk), {"posting": posting.pk})
    assert response.status_code == 404
    assert not CandidateInvitation.objects.exists()


def test_each_result_shows_name_district_courses_certificates_and_skills(client, recruiter):
    course = CourseFactory(title="育婴员（五级）", title_en="Infant Carer (Level 5)")
    skill = SkillFactory(name="婴儿辅食制作", name_en="Baby food preparation")
    CourseSkill.objects.create(course=course, skill=skill, level=2)
    declared = SkillFactory(name="驾驶", name_en="Driving")
    profile = graduate(course=course, desired_districts=["jianxi", "luolong"])
    DeclaredSkill.objects.create(profile=profile, skill=declared)
    certificate = profile.user.enrollments.get().certificates.get()

    page = search(client).content.decode()

    for text in (
        profile.user.display_name,
        "涧西区",
        "洛龙区",
        "Infant Carer (Level 5)",
        certificate.number,
        escape(certificate.get_verify_url()),
        "Baby food preparation",
        "Driving",
    ):
        assert text in page


def test_filters_by_program_skill_certificate_district_and_availability(client, recruiter):
    housekeeping = ProgramFactory(slug="housekeeping")
    carer = CourseFactory(program=housekeeping, code="JZ-101")
    design = CourseFactory(code="MS-101")
    cooking = SkillFactory(slug="cooking")
    CourseSkill.objects.create(course=carer, skill=cooking, level=2)

    nanny = graduate(course=carer, desired_districts=["jianxi"], available_from=days_from_today(30))
    designer = graduate(course=design, certified=False, desired_districts=["luolong"], available_from=None)
    self_taught = graduate(course=design, desired_districts=["luolong", "xigong"])
    DeclaredSkill.objects.create(profile=self_taught, skill=cooking)
    revoked = graduate(course=carer, certified=False)
    valid_certificate(revoked.user.enrollments.get(), status="revoked")
    expired = graduate(course=carer, certified=False)
    valid_certificate(expired.user.enrollments.get(), expires_on=days_from_today(-1))
    # A student still attending the course has not completed it.
    attending = GraduateProfileFactory()
    Enrollment.objects.create(student=attending.user, cohort=CohortFactory(course=carer), status="enrolled")

    everyone = {p.user.display_name for p in (nanny, designer, self_taught, revoked, expired, attending)}
    assert names(search(client)) == everyone
    assert names(search(client, program="housekeeping")) == {p.user.display_name for p in (nanny, revoked, expired)}
    assert names(search(client, skill="cooking")) == {
        p.user.display_name for p in (nanny, revoked, expired, self_taught)
    }
    assert names(search(client, certificate="JZ-101")) == {nanny.user.display_name}
    assert names(search(client, certificate="MS-101")) == {self_taught.user.display_name}
    assert names(search(client, district="luolong")) == {designer.user.display_name, self_taught.user.display_name}
    # Availability: no date given counts as available now.
    soon = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    assert nanny.user.display_name not in names(search(client, available_by=soon))
    assert designer.user.display_name in names(search(client, available_by=soon))
    later = days_from_today(31).isoformat()
    assert names(search(client, program="housekeeping", certificate="JZ-101", available_by=later)) == {
        nanny.user.display_name
    }


def test_inviting_tells_the_graduate_with_a_link_and_applies_for_nobody(client, recruiter):
    posting = open_posting(recruiter.merchant_memberships.get().merchant, title="育婴师（涧西）")
    profile = graduate()
    profile.user.language = "en"
    profile.user.save()

    response = client.post(
        en_url("jobs:candidate_invite", profile.pk),
        {"posting": posting.pk, "next": en_url("jobs:candidates")},
        follow=True,
    )

    assert escape(f"{profile.user.display_name} is invited to apply for “育婴师（涧西）”.") in response.content.decode()
    invitation = CandidateInvitation.objects.get()
    assert (invitation.posting, invitation.graduate, invitation.invited_by) == (posting, profile.user, recruiter)
    notice = Notification.objects.get(recipient=profile.user)
    assert "育婴师（涧西）" in notice.subject
    assert notice.link == en_url("jobs:posting_detail", posting.pk)
    assert not Application.objects.exists()

    # A second invitation to the same posting is refused with the reason.
    response = client.post(en_url("jobs:candidate_invite", profile.pk), {"posting": posting.pk}, follow=True)
    assert "You have already invited this graduate to apply for this job." in response.content.decode()
    assert CandidateInvitation.objects.count() == 1

    application = services.apply(graduate=profile.user, posting=posting)
    assert application.invited is True


def test_a_recruiter_invites_only_to_their_own_open_postings(client, recruiter):
    profile = graduate()
    other_merchant, _other = merchant_with_recruiter()
    someone_elses = open_posting(other_merchant)
    closed = open_posting(recruiter.merchant_memberships.get().merchant, status="closed")

    for posting in (someone_elses, closed):
        response = client.post(en_url("jobs:candidate_invite", profile.pk), {"posting": posting.pk}, follow=True)
        assert "Choose one of your published postings." in response.content.decode()
    assert not CandidateInvitation.objects.exists()
    with pytest.raises(services.JobError) as refused:
        services.invite_candidate(posting=someone_elses, graduate=profile.user, actor=recruiter)
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize("who", ["pending merchant", "rejected merchant", "student", "anonymous"])
def test_only_members_of_approved_merchants_may_search(client, who):
    graduate()
    if who == "student":
        client.force_login(StudentFactory())
    elif who != "anonymous":
        member = MerchantMemberFactory(merchant__status=who.split()[0])
        client.force_login(member.user)

    response = client.get(en_url("jobs:candidates"))

    assert response.status_code == (302 if who == "anonymous" else 403)


def test_the_search_costs_the_same_queries_for_10_and_500_graduates(client, recruiter, django_assert_max_num_queries):
    open_posting(recruiter.merchant_memberships.get().merchant)
    cohort = CohortFactory(status="finished")
    CourseSkill.objects.create(course=cohort.course, skill=SkillFactory(), level=2)
    bulk_graduates(10, cohort)
    with CaptureQueriesContext(connection) as small:
        assert len(search(client, district="jianxi").context["profiles"]) == 10

    bulk_graduates(490, cohort)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = search(client, district="jianxi")
    assert response.context["items"].paginator.count == 500
