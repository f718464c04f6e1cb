"""The outcome rows (EnrollmentOutcome): one flat row per seated enrolment with what followed it,
worked out from the record by the definitions in jobs.outcomes.measures. A student's rows are rebuilt
together, after commit, whenever their record changes (jobs.outcomes.freshness): one enrolment's row
depends on the student's other classes (the 90-day exit rule) and on all their jobs and certificates.

Facts are read with one query of correlated subqueries per batch of students (rebuilding is rare and
touches few rows; the measures then read flat rows only)."""

import datetime
import threading

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery

from jobs.matching.score import HOURS_PER_MONTH
from jobs.models import EnrollmentOutcome, FollowUp, PayPeriod, Placement, StaleOutcome
from jobs.outcomes import measures as d
from school.models import Certificate, Enrollment

BATCH = 500  # students per rebuilding query (and per IN list)
INSERT_BATCH = 2000


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _monthly_pay():
    return models.Case(
        models.When(pay_period=PayPeriod.HOUR, then=F("pay") * HOURS_PER_MONTH),
        default=F("pay"),
        output_field=models.DecimalField(max_digits=12, decimal_places=2),
    )


def _facts(enrolments):
    """Each seated enrolment with what followed it (one row of values each)."""
    student, began, ended = OuterRef("student_id"), OuterRef("cohort__start_date"), OuterRef("cohort__end_date")
    jobs_after = Placement.objects.filter(graduate=student, start_date__gte=began).order_by("start_date", "pk")
    in_window = lambda window: Placement.objects.filter(  # noqa: E731
        Q(ended_on__isnull=True) | Q(ended_on__gte=ended + _days(window[0])),
        graduate=student,
        start_date__lte=ended + _days(window[1]),
    )
    certificate = Certificate.objects.filter(enrollment=OuterRef("pk"), status=Certificate.Status.VALID)
    first_job = jobs_after.annotate(monthly=_monthly_pay())[:1]
    return enrolments.filter(status__in=d.SEATED).values(
        "student_id",
        "cohort_id",
        "status",
        enrollment_id=F("pk"),
        course_id=F("cohort__course_id"),
        program_id=F("cohort__course__program_id"),
        end_date=F("cohort__end_date"),
        placed_on=Subquery(first_job.values("start_date")),
        starting_pay=Subquery(first_job.values("monthly")),
        insured=Subquery(first_job.values("social_insurance")),
        retained=Subquery(
            FollowUp.objects.filter(
                placement__graduate=student, placement__start_date__gte=began, day=180, still_employed__isnull=False
            )
            .order_by("placement__start_date", "placement_id")
            .values("still_employed")[:1]
        ),
        certified=Exists(certificate),
        certified_on=Subquery(certificate.order_by("issued_on").values("issued_on")[:1]),
        later_class=Exists(
            Enrollment.objects.filter(
                student=student,
                status__in=d.SEATED,
                cohort__start_date__gt=ended,
                cohort__start_date__lte=ended + _days(d.EXIT_GAP_DAYS),
            )
        ),
        employed_q2=Exists(in_window(d.SECOND_QUARTER)),
        employed_q4=Exists(in_window(d.FOURTH_QUARTER)),
        pay_q2=Subquery(
            in_window(d.SECOND_QUARTER)
            .order_by("start_date", "pk")
            .annotate(monthly=_monthly_pay())
            .values("monthly")[:1]
        ),
        credential_in_year=Exists(
            Certificate.objects.filter(
                enrollment__student=student,
                status__in=[Certificate.Status.VALID, Certificate.Status.SUPERSEDED],
                issued_on__lte=ended + _days(365),
            )
        ),
    )


def _row(facts: dict) -> EnrollmentOutcome:
    placed_on, certified_on, ended = facts["placed_on"], facts["certified_on"], facts["end_date"]
    return EnrollmentOutcome(
        enrollment_id=facts["enrollment_id"],
        student_id=facts["student_id"],
        cohort_id=facts["cohort_id"],
        course_id=facts["course_id"],
        program_id=facts["program_id"],
        end_date=ended,
        status=facts["status"],
        certified=bool(facts["certified"]),
        certified_on=certified_on,
        credential_in_year=bool(facts["credential_in_year"]),
        placed_on=placed_on,
        days_to_job=None if placed_on is None else max((placed_on - ended).days, 0),
        starting_pay=facts["starting_pay"],
        insured=None if facts["insured"] is None else bool(facts["insured"]),
        employed_after_certificate=bool(
            placed_on and certified_on and placed_on <= certified_on + _days(d.HENAN_MONTHS_DAYS)
        ),
        retained=None if facts["retained"] is None else bool(facts["retained"]),
        exited=facts["status"] in d.EXITED and not facts["later_class"],
        employed_q2=bool(facts["employed_q2"]),
        employed_q4=bool(facts["employed_q4"]),
        pay_q2=facts["pay_q2"],
    )


def refresh_outcomes(student_ids) -> int:
    """Rebuild the outcome rows of these students from their record; safe to run any number of times.
    Returns how many rows they now have."""
    ids = sorted({int(pk) for pk in student_ids})
    written = 0
    for start in range(0, len(ids), BATCH):
        written += _refresh_batch(ids[start : start + BATCH])
    return written


def _refresh_batch(ids: list[int]) -> int:
    # Two refreshes of one student racing (or one racing rebuild_outcomes) may both insert the row the
    # other inserted: the loser starts again and then sees the winner's rows to replace.
    for attempt in range(3):
        try:
            with transaction.atomic():
                rows = [_row(facts) for facts in _facts(Enrollment.objects.filter(student_id__in=ids))]
                EnrollmentOutcome.objects.filter(student_id__in=ids).delete()
                EnrollmentOutcome.objects.bulk_create(rows, batch_size=INSERT_BATCH)
            return len(rows)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0


def mark_outcomes_stale(student_ids) -> None:
    """Leave these students' rows for the next refresh_stale_outcomes(): one INSERT, for the busiest
    write (enrolling), where rebuilding the rows at once would cost more than the request itself."""
    StaleOutcome.objects.bulk_create([StaleOutcome(student_id=pk) for pk in {int(pk) for pk in student_ids}])


def refresh_stale_outcomes() -> int:
    """Bring the rows of every student marked stale up to date, in one batch; returns how many students.
    A mark taken while this runs has a higher id than any read here, so it stays for the next refresh."""
    last = StaleOutcome.objects.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return 0
    marked = StaleOutcome.objects.filter(id__lte=last)
    students = set(marked.values_list("student_id", flat=True))
    refresh_outcomes(students)  # reads the facts after the marks: each mark's change is in them
    marked.delete()
    return len(students)


def rebuild_outcomes() -> int:
    """Every outcome row from the record, in one transaction (readers see the old rows until it commits):
    after bulk writes that send no signals, a restore, or nightly as a safety net. Returns the rows."""
    with transaction.atomic():
        # Marks taken before the rebuild reads anything are covered by it.
        StaleOutcome.objects.filter(id__lte=StaleOutcome.objects.order_by("-id").values("id")[:1]).delete()
        EnrollmentOutcome.objects.all().delete()
        rows, written = [], 0
        for facts in _facts(Enrollment.objects.order_by()).iterator(chunk_size=INSERT_BATCH):
            rows.append(_row(facts))
            if len(rows) == INSERT_BATCH:
                EnrollmentOutcome.objects.bulk_create(rows)
                written, rows = written + len(rows), []
        EnrollmentOutcome.objects.bulk_create(rows)
        return written + len(rows)


_pending = threading.local()


def refresh_outcomes_on_commit(student_ids) -> None:
    """Refresh these students' rows once the current transaction commits (at once outside one). A
    transaction that touches many students (finalising a class) refreshes them together, in the first
    callback to run; the later callbacks find nothing left to do."""
    ids = {int(pk) for pk in student_ids}
    if not ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending.update(ids)
    transaction.on_commit(_refresh_pending)


def _refresh_pending() -> None:
    # Ids left by a transaction that rolled back are refreshed too: harmless, a refresh is idempotent.
    ids = getattr(_pending, "ids", None)
    if ids:
        _pending.ids = set()
        refresh_outcomes(ids)
