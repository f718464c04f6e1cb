"""seed_demo's job board: merchants in Luoyang (approved and pending), postings in every category,
graduates' profiles (most shared), applications at every stage, placements with follow-ups — and
nothing added when it runs again."""

import pytest

from accounts.demo import seed_users
from accounts.models import Notification
from jobs.demo import CATEGORIES, DEMO_MERCHANT_PHONE, credit_code, seed_jobs
from jobs.models import (
    Application,
    ApplicationEvent,
    CandidateInvitation,
    ConsentRecord,
    FollowUp,
    GraduateProfile,
    JobCategory,
    JobPosting,
    Merchant,
    Placement,
)
from jobs.validators import validate_credit_code
from school.demo import seed_catalogue
from school.demo_enrolment import seed_enrolments
from school.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for the module (it takes a while), rolled back at its end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_users()
            seed_catalogue()
            seed_enrolments()
            first = seed_jobs()
            snapshot = rows()
            second = seed_jobs()
            yield {"first": first, "second": second, "snapshot": snapshot, "after": rows()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def rows() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Merchant,
            JobCategory,
            JobPosting,
            GraduateProfile,
            ConsentRecord,
            Application,
            ApplicationEvent,
            Placement,
            FollowUp,
            CandidateInvitation,
            Notification,
        )
    }


def test_running_it_again_adds_nothing(seeded):
    assert seeded["first"] == seeded["second"]
    assert seeded["snapshot"] == seeded["after"]


def test_merchants_are_approved_and_pending_in_luoyangs_districts_with_valid_credit_codes(seeded):
    merchants = list(Merchant.objects.all())
    assert {m.status for m in merchants} == {"approved", "pending"}
    assert len({m.district for m in merchants}) >= 6
    for merchant in merchants:
        validate_credit_code(merchant.credit_code)
        assert merchant.licence and merchant.members.filter(role="owner").exists()
    assert credit_code(1, "jianxi")[2:8] == "410305"
    demo = Merchant.objects.get(members__user__phone=DEMO_MERCHANT_PHONE, members__role="owner")
    assert demo.status == "approved"


def test_every_category_maps_to_programs_and_has_postings_on_the_board(seeded):
    assert set(JobCategory.objects.values_list("name", flat=True)) >= {name for _slug, name, _en, _p in CATEGORIES}
    for slug, *_rest in CATEGORIES:
        category = JobCategory.objects.get(slug=slug)
        assert category.programs.exists(), slug
        assert JobPosting.objects.on_board().filter(category=category).exists(), slug
    assert not JobPosting.objects.filter(merchant__status="pending").exists()


def test_graduates_have_profiles_most_of_them_shared(seeded):
    completed = set(Enrollment.objects.filter(status="completed").values_list("student_id", flat=True))
    profiles = GraduateProfile.objects.all()
    assert set(profiles.values_list("user_id", flat=True)) == completed
    shared = profiles.filter(shared_with_merchants=True).count()
    assert profiles.count() > shared > profiles.count() / 2
    # Each consent was given through the service, so it is logged.
    assert ConsentRecord.objects.filter(granted=True).count() == shared


def test_applications_reach_every_stage_and_hires_have_placements_and_follow_ups(seeded):
    assert set(Application.objects.values_list("status", flat=True)) == set(Application.Status.values)
    hired = Application.objects.filter(status="hired")
    assert Placement.objects.filter(application__in=hired).count() == hired.count() > 0
    for placement in Placement.objects.all():
        assert sorted(placement.follow_ups.values_list("day", flat=True)) == [30, 90, 180]
    assert FollowUp.objects.filter(asked_at__isnull=False).exists()
    assert FollowUp.objects.filter(still_employed=True).exists()
    assert Application.objects.filter(status="interview", interview_at__isnull=False).exists()
    assert Application.objects.filter(graduate__phone="13800000001").exists()
    invitation = CandidateInvitation.objects.select_related("graduate__job_profile").first()
    assert invitation is not None and invitation.graduate.job_profile.shared_with_merchants
    for posting in JobPosting.objects.all():
        assert posting.hired_count == posting.applications.filter(status="hired").count()
        assert posting.hired_count < posting.openings
