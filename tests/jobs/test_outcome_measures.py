"""Every outcome measure against values worked out by hand on a small fixed data set, with its edge
cases: a withdrawn student, a failed one, a revoked certificate, a follow-up not answered, a class too
recent to count, no completions at all, and the 90-day exit rule."""

import datetime
from decimal import Decimal

import pytest

from jobs.models import FollowUp, Placement
from jobs.outcomes.measures import MEASURES, Filters, headline, hires_per_merchant, outcome_table, students_behind
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    MerchantFactory,
    ProgramFactory,
    StudentFactory,
    UserFactory,
)
from tests.jobs.pipeline_helpers import valid_certificate

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)
D = datetime.date


def cohort(course, start, end, **fields):
    return CohortFactory(
        course=course,
        start_date=start,
        end_date=end,
        enrolment_opens=start - datetime.timedelta(days=30),
        enrolment_closes=start,
        status="finished" if end < TODAY else "running",
        **fields,
    )


def enrol(cohort, name, status):
    return EnrollmentFactory(cohort=cohort, student=StudentFactory(display_name=name), status=status)


def certificate(enrollment, issued_on, status="valid"):
    made = valid_certificate(enrollment, status=status)
    made.issued_on = issued_on
    made.save(update_fields=["issued_on"])
    return made


def job(enrollment, merchant, start, pay, *, hourly=False, insured=False, ended=None, still_employed=None):
    placement = Placement.objects.create(
        graduate=enrollment.student,
        merchant=merchant,
        position="店员",
        start_date=start,
        pay=Decimal(pay),
        pay_period="hour" if hourly else "month",
        social_insurance=insured,
        ended_on=ended,
    )
    FollowUp.objects.create(
        placement=placement, day=180, due_on=start + datetime.timedelta(days=180), still_employed=still_employed
    )
    return placement


@pytest.fixture
def school(committed):
    """Class K1 (1 Apr – 30 Jun 2025) and K2 (ended 20 Nov 2026, five days before TODAY):

    A completed, certificate 5 Jul 2025, job 1 Aug 2025 at 5,000/month with insurance, still employed at 180 days
    B completed, no certificate, job 1 Dec 2025 at 25/hour (4,350/month), ended 1 Feb 2026, follow-up unanswered
    C completed, certificate 5 Jul 2025, no job
    I completed, certificate revoked
    D failed · E withdrew · F waiting list (never seated)
    G completed K2 (too recent for any placement window) · H enrolled in K2
    """
    # As a request would leave it: the outcome rows are refreshed after commit.
    with committed():
        program = ProgramFactory(name="家政服务", slug="housekeeping")
        course = CourseFactory(program=program, title="育婴师")
        k1 = cohort(course, D(2025, 4, 1), D(2025, 6, 30))
        k2 = cohort(course, D(2026, 9, 1), D(2026, 11, 20))
        instructor = UserFactory(display_name="李建国")
        k1.instructors.add(instructor)
        people = {
            name: enrol(k1, name, status)
            for name, status in [
                ("A", "completed"),
                ("B", "completed"),
                ("C", "completed"),
                ("I", "completed"),
                ("D", "failed"),
                ("E", "withdrawn"),
            ]
        }
        people["F"] = EnrollmentFactory(
            cohort=k1, status="waitlisted", waitlisted_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
        )
        people["G"] = enrol(k2, "G", "completed")
        people["H"] = enrol(k2, "H", "enrolled")
        certificate(people["A"], D(2025, 7, 5))
        certificate(people["C"], D(2025, 7, 5))
        certificate(people["I"], D(2025, 7, 5), status="revoked")
        shop, agency = MerchantFactory(name="好帮手家政"), MerchantFactory(name="百货商店")
        job(people["A"], shop, D(2025, 8, 1), "5000", insured=True, still_employed=True)
        job(people["B"], agency, D(2025, 12, 1), "25", hourly=True, ended=D(2026, 2, 1))
    return {"program": program, "course": course, "k1": k1, "k2": k2, "instructor": instructor, **people}


def figures(row):
    return {key: (value.value, value.numerator, value.denominator) for key, value in row.values.items()}


def test_every_measure_matches_the_hand_count(school):
    got = figures(headline(Filters(), today=TODAY))
    assert got == {
        # A B C I D E (K1) + G H (K2); F only waited.
        "enrolments": (8, 8, None),
        # completed A B C I G of the finished A B C I D E G.
        "completion_rate": (pytest.approx(5 / 7), 5, 7),
        # valid certificates: A, C (I's was revoked).
        "certification_rate": (pytest.approx(2 / 5), 2, 5),
        # K1's completers (K2 is too recent): A started 32 days after the last day.
        "placement_90_rate": (pytest.approx(1 / 4), 1, 4),
        # … and B 154 days after.
        "placement_180_rate": (pytest.approx(2 / 4), 2, 4),
        # B's follow-up was not answered: only A counts, still employed.
        "retention_rate": (1.0, 1, 1),
        # 5,000 and 25 × 174 = 4,350.
        "median_starting_pay": (4675.0, None, 2),
        "median_days_to_placement": (93.0, None, 2),
        # K1's six exited; in months 4–6 after exit both A and B worked.
        "employment_q2_rate": (pytest.approx(2 / 6), 2, 6),
        # in months 10–12 only A (B's job ended 1 Feb 2026).
        "employment_q4_rate": (pytest.approx(1 / 6), 1, 6),
        # three months' pay: 15,000 and 13,050.
        "median_earnings_q2": (14025.0, None, 2),
        # certificates within a year of exit: A and C (a revoked one does not count).
        "credential_rate": (pytest.approx(2 / 6), 2, 6),
        # certificates at least 6 months old: A's and C's; A found a job within 6 months, with insurance.
        "henan_employment_rate": (pytest.approx(1 / 2), 1, 2),
        "henan_insured_rate": (pytest.approx(1 / 2), 1, 2),
    }
    assert set(got) == {measure.key for measure in MEASURES}


def test_groups_split_the_same_figures(school):
    by_cohort = {row.label: figures(row) for row in outcome_table(Filters(), "cohort", today=TODAY)}
    assert by_cohort[school["k1"].code]["completion_rate"] == (pytest.approx(4 / 6), 4, 6)
    assert by_cohort[school["k2"].code]["completion_rate"] == (1.0, 1, 1)
    assert by_cohort[school["k2"].code]["placement_90_rate"] == (None, 0, 0)  # too recent: no denominator
    [program] = outcome_table(Filters(), "program", today=TODAY)
    assert (program.key, program.label) == (school["program"].pk, "家政服务")
    assert figures(program) == figures(headline(Filters(), today=TODAY))
    [instructor] = outcome_table(Filters(), "instructor", today=TODAY)
    assert instructor.label == "李建国" and instructor.values["enrolments"].value == 6  # K1 only
    months = [(row.label, row.values["enrolments"].value) for row in outcome_table(Filters(), "month", today=TODAY)]
    assert months == [("2025-06", 6), ("2026-11", 2)]
    quarters = [row.label for row in outcome_table(Filters(), "quarter", today=TODAY)]
    assert quarters == ["2025 Q2", "2026 Q4"]


def test_the_period_is_the_classes_last_day(school):
    last_year = Filters(start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert headline(last_year, today=TODAY).values["enrolments"].value == 6
    assert headline(Filters(start=D(2026, 1, 1)), today=TODAY).values["enrolments"].value == 2


def test_no_completions_gives_no_rate_rather_than_zero(school, committed):
    with committed():
        other = cohort(CourseFactory(program=ProgramFactory()), D(2025, 1, 1), D(2025, 3, 1))
        enrol(other, "X", "failed")
    got = figures(headline(Filters(cohort=other), today=TODAY))
    assert got["completion_rate"] == (0.0, 0, 1)
    assert got["certification_rate"] == (None, 0, 0)
    assert got["median_starting_pay"] == (None, None, 0)


def test_the_students_behind_a_figure(school):
    def names(measure, part):
        return sorted(e.student.display_name for e in students_behind(measure, Filters(), part=part, today=TODAY))

    assert names("placement_180_rate", "numerator") == ["A", "B"]
    assert names("placement_180_rate", "denominator") == ["A", "B", "C", "I"]
    assert names("certification_rate", "numerator") == ["A", "C"]
    assert names("completion_rate", "denominator") == ["A", "B", "C", "D", "E", "G", "I"]


def test_hires_per_merchant(school):
    assert [(merchant.name, hires) for merchant, hires in hires_per_merchant(Filters(), today=TODAY)] == [
        ("好帮手家政", 1),
        ("百货商店", 1),
    ]


def test_a_further_class_within_90_days_postpones_the_exit(school, committed):
    """WIOA: a participant exits after 90 days without service; J's first class is not an exit."""
    course = school["course"]
    with committed():
        follow_on = cohort(course, D(2025, 8, 15), D(2025, 10, 31))
        first = enrol(school["k1"], "J", "completed")
        EnrollmentFactory(cohort=follow_on, student=first.student, status="completed")
    exits = students_behind("credential_rate", Filters(), part="denominator", today=TODAY)
    assert [(e.student.display_name, e.cohort_id) for e in exits if e.student.display_name == "J"] == [
        ("J", follow_on.pk)
    ]
