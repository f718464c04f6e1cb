"""The outcome rows (one per seated enrolment) stay current through every path that changes an outcome —
enrolling, finishing or withdrawing, certificates issued singly or for a class, revoked or reissued, a hire,
a follow-up answered, a job's end date, a class's dates — each refreshed after its transaction commits;
and rebuild_outcomes writes the very same rows from the record."""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

import pytest

from jobs import services
from jobs.models import EnrollmentOutcome, FollowUp, StaleOutcome
from jobs.outcomes import rows
from jobs.outcomes.measures import Filters, headline
from jobs.outcomes.rows import rebuild_outcomes, refresh_stale_outcomes
from school.models import Score
from school.services.assessment import finalise_cohort
from school.services.certificates import issue_certificate, issue_certificates, reissue_certificate, revoke_certificate
from school.services.enrolment import enrol, withdraw
from tests.factories import (
    ApplicationFactory,
    AssessmentItemFactory,
    CohortFactory,
    CompletedEnrollmentFactory,
    CourseFactory,
    ProgramFactory,
    StaffFactory,
    StudentProfileFactory,
    UserFactory,
    days_from_today,
)
from tests.jobs.pipeline_helpers import merchant_with_recruiter, open_posting

pytestmark = pytest.mark.django_db


def row(enrollment) -> EnrollmentOutcome:
    refresh_stale_outcomes()  # as every reader of the rows does first (the measures, beat)
    return EnrollmentOutcome.objects.get(pk=enrollment.pk)


def all_rows() -> list[dict]:
    return [model_to_dict(outcome) for outcome in EnrollmentOutcome.objects.order_by("pk")]


def finished(days_ago: int, *, course=None, length: int = 60):
    """A finished class that ended `days_ago` days ago, with students who completed it."""
    return CohortFactory(
        **({"course": course} if course else {}),
        start_date=days_from_today(-days_ago - length),
        end_date=days_from_today(-days_ago),
        enrolment_opens=days_from_today(-days_ago - length - 30),
        enrolment_closes=days_from_today(-days_ago - length - 1),
        status="finished",
    )


def hire(enrollment, *, start: datetime.date, pay="5000", pay_period="month", insured=False):
    """Hired through the board, as a recruiter does it."""
    merchant, recruiter = merchant_with_recruiter()
    application = ApplicationFactory(posting=open_posting(merchant), graduate=enrollment.student, status="offer")
    return services.hire(
        application=application,
        actor=recruiter,
        start_date=start,
        pay=pay,
        pay_period=pay_period,
        social_insurance=insured,
    )


@pytest.fixture
def staff(db):
    return StaffFactory()


def test_enrolling_writes_a_row_and_finishing_the_class_updates_it(committed):
    course = CourseFactory(min_attendance_percent=0, pass_mark=60)
    exam = AssessmentItemFactory(course=course, weight=100)
    cohort = CohortFactory(course=course)
    instructor = UserFactory()
    passed, failed = (StudentProfileFactory().user for _ in range(2))
    with committed():
        first = enrol(student=passed, cohort=cohort)
        second = enrol(student=failed, cohort=cohort)
    # Enrolling only marks the students; the first reader brings their rows up to date.
    assert not EnrollmentOutcome.objects.exists()
    assert set(StaleOutcome.objects.values_list("student_id", flat=True)) == {passed.pk, failed.pk}
    assert (row(first).status, row(first).end_date, row(first).exited) == ("enrolled", cohort.end_date, False)
    assert not StaleOutcome.objects.exists()

    Score.objects.create(enrollment=first, item=exam, score=Decimal("90"))
    Score.objects.create(enrollment=second, item=exam, score=Decimal("30"))
    with committed():
        finalise_cohort(cohort=cohort, actor=instructor)

    assert (row(first).status, row(first).exited) == ("completed", True)
    assert (row(second).status, row(second).exited) == ("failed", True)


def test_withdrawing_keeps_the_row_as_a_withdrawal_and_a_waiting_list_place_has_none(committed):
    cohort = CohortFactory(capacity=1)
    seated, waiting = (StudentProfileFactory().user for _ in range(2))
    with committed():
        place = enrol(student=seated, cohort=cohort)
        queued = enrol(student=waiting, cohort=cohort)
    assert queued.status == "waitlisted" and not EnrollmentOutcome.objects.filter(pk=queued.pk).exists()

    with committed():
        withdraw(enrollment=place, actor=seated)

    assert (row(place).status, row(place).exited) == ("withdrawn", True)


def test_a_certificate_issued_revoked_and_reissued(committed, staff):
    with committed():
        enrollment = CompletedEnrollmentFactory(profile__real_name="王小丽")
    assert (row(enrollment).certified, row(enrollment).credential_in_year) == (False, False)

    with committed():
        certificate = issue_certificate(enrollment=enrollment, issued_by=staff)
    issued = row(enrollment)
    assert (issued.certified, issued.certified_on, issued.credential_in_year) == (True, certificate.issued_on, True)

    with committed():
        revoke_certificate(certificate=certificate, actor=staff, reason="Issued in error")
    revoked = row(enrollment)
    assert (revoked.certified, revoked.certified_on, revoked.credential_in_year) == (False, None, False)

    with committed():
        replacement = reissue_certificate(certificate=certificate, actor=staff, holder_name="王晓丽")
    reissued = row(enrollment)
    assert (reissued.certified, reissued.certified_on) == (True, replacement.issued_on)


def test_a_reissued_certificate_counts_from_its_new_date(committed, staff):
    with committed():
        enrollment = CompletedEnrollmentFactory(profile__real_name="李明")
        certificate = issue_certificate(enrollment=enrollment, issued_by=staff)
        certificate.issued_on = enrollment.cohort.end_date + datetime.timedelta(days=2)
        certificate.save(update_fields=["issued_on"])
    assert row(enrollment).certified_on == certificate.issued_on

    with committed():
        # The old one is superseded and the new one made valid by bulk updates: only the school's
        # signals tell jobs.
        replacement = reissue_certificate(certificate=certificate, actor=staff)

    assert replacement.issued_on > certificate.issued_on
    assert (row(enrollment).certified, row(enrollment).certified_on) == (True, replacement.issued_on)


def test_a_class_issued_its_certificates_in_bulk_counts_every_student(committed, staff):
    with committed():
        first = CompletedEnrollmentFactory(profile__real_name="王小丽")
        second = CompletedEnrollmentFactory(cohort=first.cohort, profile__real_name="李明")
    with committed():
        issue_certificates(cohort=first.cohort, issued_by=staff)

    assert [row(e).certified for e in (first, second)] == [True, True]


def test_a_hire_and_its_180_day_follow_up(committed):
    with committed():
        enrollment = CompletedEnrollmentFactory(cohort=finished(300))
    ended = enrollment.cohort.end_date
    assert (row(enrollment).placed_on, row(enrollment).employed_q2) == (None, False)

    with committed():
        placement = hire(enrollment, start=ended + datetime.timedelta(days=20), pay="25", pay_period="hour")
    hired = row(enrollment)
    assert (hired.placed_on, hired.days_to_job, hired.starting_pay) == (placement.start_date, 20, Decimal("4350.00"))
    assert (hired.insured, hired.employed_q2, hired.pay_q2, hired.retained) == (False, True, Decimal("4350.00"), None)

    with committed():
        services.answer_follow_up(
            follow_up=FollowUp.objects.get(placement=placement, day=180), actor=enrollment.student, still_employed=True
        )
    assert row(enrollment).retained is True


def test_a_job_s_end_date_decides_the_quarters_after_exit(committed):
    with committed():
        enrollment = CompletedEnrollmentFactory(cohort=finished(400))
        placement = hire(enrollment, start=enrollment.cohort.end_date + datetime.timedelta(days=10))
    assert (row(enrollment).employed_q2, row(enrollment).employed_q4) == (True, True)

    with committed():
        placement.ended_on = enrollment.cohort.end_date + datetime.timedelta(days=200)
        placement.save(update_fields=["ended_on"])

    assert (row(enrollment).employed_q2, row(enrollment).employed_q4) == (True, False)


def test_a_further_class_within_90_days_changes_the_earlier_row(committed):
    """The 90-day exit rule reads the student's other classes: enrolling in one refreshes every row."""
    with committed():
        earlier = CompletedEnrollmentFactory()  # ended 5 days ago
    assert row(earlier).exited is True
    follow_on = CohortFactory()  # starts in 30 days
    with committed():
        enrol(student=earlier.student, cohort=follow_on)

    assert row(earlier).exited is False


def test_a_class_s_new_dates_and_a_course_s_new_program_reach_the_rows(committed):
    with committed():
        enrollment = CompletedEnrollmentFactory(cohort=finished(100))
    cohort, course = enrollment.cohort, enrollment.cohort.course
    with committed():
        cohort.end_date = cohort.end_date - datetime.timedelta(days=7)
        cohort.save()
        course.program = ProgramFactory()
        course.save()

    assert (row(enrollment).end_date, row(enrollment).program_id) == (cohort.end_date, course.program_id)


def test_rebuilding_writes_the_same_rows_the_signals_kept(committed, staff):
    with committed():
        completers = [CompletedEnrollmentFactory(cohort=finished(400), profile__real_name=n) for n in "甲乙丙"]
        issue_certificates(cohort=completers[0].cohort, issued_by=staff)
        issue_certificates(cohort=completers[1].cohort, issued_by=staff)
        placement = hire(completers[0], start=days_from_today(-350), insured=True)
        hire(completers[2], start=days_from_today(-500))
        services.answer_follow_up(
            follow_up=FollowUp.objects.get(placement=placement, day=180), actor=staff, still_employed=False
        )
        withdrawn = CompletedEnrollmentFactory(cohort=finished(30), status="withdrawn")
    kept = all_rows()
    assert len(kept) == 4 and withdrawn.pk in {r["enrollment"] for r in kept}

    assert rebuild_outcomes() == 4
    assert all_rows() == kept

    # A write that sent no signal (a fix in the database shell): the command puts it right.
    EnrollmentOutcome.objects.filter(pk=completers[0].pk).update(certified=False, placed_on=None)
    EnrollmentOutcome.objects.filter(pk=withdrawn.pk).delete()
    call_command("rebuild_outcomes", stdout=io.StringIO())
    assert all_rows() == kept


def test_one_refresh_after_commit_covers_every_student_the_transaction_touched(django_capture_on_commit_callbacks):
    """Finalising a class saves each enrolment: the first callback refreshes them all together, in as
    many queries for one student as for five; the later callbacks find nothing left to do."""
    cohort = finished(10)

    def refreshed(count: int) -> int:
        with django_capture_on_commit_callbacks() as callbacks:
            made = [CompletedEnrollmentFactory(cohort=cohort) for _ in range(count)]
        ours = [callback for callback in callbacks if callback is rows._refresh_pending]
        assert len(ours) == count
        with CaptureQueriesContext(connection) as queries:
            for callback in ours:
                callback()
        assert all(EnrollmentOutcome.objects.filter(pk=e.pk).exists() for e in made)
        return len(queries.captured_queries)

    assert refreshed(1) == refreshed(5)


def test_a_mark_taken_while_a_refresh_runs_is_kept_for_the_next(committed, monkeypatch):
    cohort = CohortFactory()
    early, late = (StudentProfileFactory().user for _ in range(2))
    with committed():
        enrol(student=early, cohort=cohort)
    refresh = rows.refresh_outcomes

    def refresh_while_another_enrols(student_ids):
        with committed():
            enrol(student=late, cohort=cohort)  # marks `late` after the marks were read
        return refresh(student_ids)

    monkeypatch.setattr(rows, "refresh_outcomes", refresh_while_another_enrols)
    assert refresh_stale_outcomes() == 1
    monkeypatch.setattr(rows, "refresh_outcomes", refresh)

    assert list(StaleOutcome.objects.values_list("student_id", flat=True)) == [late.pk]
    assert refresh_stale_outcomes() == 1
    assert set(EnrollmentOutcome.objects.values_list("student_id", flat=True)) == {early.pk, late.pk}


def test_the_measures_count_an_enrolment_made_since_the_last_refresh(committed):
    cohort = CohortFactory()
    with committed():
        enrol(student=StudentProfileFactory().user, cohort=cohort)

    figures = headline(Filters(start=cohort.end_date, end=cohort.end_date))

    assert figures.values["enrolments"].value == 1


def test_the_stale_mark_commits_or_rolls_back_with_its_enrolment(django_capture_on_commit_callbacks):
    cohort = CohortFactory()
    kept, undone = (StudentProfileFactory().user for _ in range(2))

    # Taken inside enrol()'s transaction: there while the after-commit work has not run.
    with django_capture_on_commit_callbacks(execute=False):
        enrol(student=kept, cohort=cohort)
    assert list(StaleOutcome.objects.values_list("student_id", flat=True)) == [kept.pk]

    # An enrolment that rolls back leaves no mark behind.
    with pytest.raises(RuntimeError), transaction.atomic():
        enrol(student=undone, cohort=cohort)
        raise RuntimeError("the request failed after enrolling")
    assert not StaleOutcome.objects.filter(student=undone).exists()
