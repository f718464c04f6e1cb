"""What the school achieves, measured in the database: per course, class, program, instructor or period.

Every measure is one aggregate over the outcome rows (jobs.models.EnrollmentOutcome): one flat row per
seated enrolment with what followed it — a certificate, the first job found through the school after
its class began, that job's 180-day follow-up, the exit — worked out from the record by
jobs.outcomes.rows and kept current as the record changes. Rates are fractions with their numerator and
denominator kept, so pages can show who is behind a number and suppress small cells. Each measure's
definition is written here once and shown wherever the figure is (dashboard, public page, report, API).

An enrolment belongs to the period in which its class's last day falls. Rates that need time to pass
(placement within 90 days …) only count enrolments whose window has closed by `today`, so a class that
finished last week does not drag the rate down: those windows are date comparisons with the stored last
day, never stored themselves."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Cast, TruncMonth, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models import EnrollmentOutcome, Placement
from school.models import Cohort, Course, Enrollment, Program

Status = Enrollment.Status
User = get_user_model()
# Took a place in the class (a withdrawal counts: the student started, then left).
SEATED = (Status.ENROLLED, Status.COMPLETED, Status.FAILED, Status.WITHDRAWN)
# Finished with the class, one way or another.
EXITED = (Status.COMPLETED, Status.FAILED, Status.WITHDRAWN)
# The US WIOA rule: a participant exits after 90 days without service.
EXIT_GAP_DAYS = 90
# "Second quarter after exit" ≈ the 4th–6th month after it, "fourth" ≈ the 10th–12th (we know each job's
# start and end dates, not calendar-quarter wage records).
SECOND_QUARTER = (91, 180)
FOURTH_QUARTER = (271, 365)
# Henan's subsidised-training rule: employed within 6 months of the certificate.
HENAN_MONTHS_DAYS = 183


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    definition: str
    kind: str  # "count", "rate", "money" (CNY a month) or "days"


MEASURES = [
    Measure("enrolments", _("Enrolments"), _("Students who took a place in a class (withdrawals included)."), "count"),
    Measure(
        "completion_rate",
        _("Completion rate"),
        _("Of the students who finished with a class (completed, failed or withdrew), the share who completed it."),
        "rate",
    ),
    Measure(
        "certification_rate",
        _("Certification rate"),
        _("Of the students who completed, the share holding a valid certificate for the class."),
        "rate",
    ),
    Measure(
        "placement_90_rate",
        _("Placed within 90 days"),
        _(
            "Of the students who completed at least 90 days ago, the share who started a job found through the "
            "school between the class's first day and 90 days after its last."
        ),
        "rate",
    ),
    Measure(
        "placement_180_rate",
        _("Placed within 180 days"),
        _("The same within 180 days, of those who completed at least 180 days ago."),
        "rate",
    ),
    Measure(
        "retention_rate",
        _("Still employed at 6 months"),
        _("Of the placed students whose 180-day follow-up was answered, the share still in the job."),
        "rate",
    ),
    Measure(
        "median_starting_pay",
        _("Median starting pay"),
        _(
            "The median starting pay, CNY a month (hourly pay at 174 hours a month), of the jobs found within "
            "180 days of completing."
        ),
        "money",
    ),
    Measure(
        "median_days_to_placement",
        _("Median days to a job"),
        _("The median number of days from a class's last day to the start of the job (0 when it started first)."),
        "days",
    ),
    Measure(
        "employment_q2_rate",
        _("Employed in the 2nd quarter after exit"),
        _(
            "WIOA-style: of the students who exited (no further class within 90 days) at least 6 months ago, the "
            "share in a job during the 4th–6th month after exit. WIOA uses calendar quarters and wage records; "
            "we use the jobs' start and end dates."
        ),
        "rate",
    ),
    Measure(
        "employment_q4_rate",
        _("Employed in the 4th quarter after exit"),
        _("The same during the 10th–12th month after exit, of those who exited at least a year ago."),
        "rate",
    ),
    Measure(
        "median_earnings_q2",
        _("Median earnings, 2nd quarter after exit"),
        _("WIOA-style: the median of three months' starting pay (CNY) of those employed in that quarter."),
        "money",
    ),
    Measure(
        "credential_rate",
        _("Credential within a year of exit"),
        _(
            "WIOA-style: of the students who exited at least a year ago, the share issued a certificate before "
            "exit or within a year after it."
        ),
        "rate",
    ),
    Measure(
        "henan_employment_rate",
        _("Employed within 6 months of the certificate"),
        _(
            "Henan's subsidised-training rule: of the certificates issued at least 6 months ago, the share whose "
            "holder started a job within 6 months of it (from the class's first day)."
        ),
        "rate",
    ),
    Measure(
        "henan_insured_rate",
        _("… with social insurance"),
        _("The same, counting only jobs with social insurance recorded."),
        "rate",
    ),
]
MEASURE_KEYS = [measure.key for measure in MEASURES]
GROUPS = ("program", "course", "cohort", "instructor", "month", "quarter")


@dataclass
class Filters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    program: object = None
    course: object = None
    cohort: object = None
    instructor: object = None

    def apply(self, rows):
        """The outcome rows (EnrollmentOutcome) these filters pick."""
        if self.start:
            rows = rows.filter(end_date__gte=self.start)
        if self.end:
            rows = rows.filter(end_date__lte=self.end)
        if self.program is not None:
            rows = rows.filter(program=self.program)
        if self.course is not None:
            rows = rows.filter(course=self.course)
        if self.cohort is not None:
            rows = rows.filter(cohort=self.cohort)
        if self.instructor is not None:
            rows = rows.filter(cohort__instructors=self.instructor)
        return rows


@dataclass
class Value:
    value: int | float | None
    numerator: int | None = None
    denominator: int | None = None


@dataclass
class OutcomeRow:
    key: object
    label: str
    values: dict[str, Value] = field(default_factory=dict)


class Median(models.Aggregate):
    """The median, in the database: PostgreSQL's percentile_cont, and on SQLite an aggregate function
    registered on each connection (jobs.outcomes.sqlite)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    output_field = models.FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra):
        median = self.copy()
        median.function, median.template = "BAIJIA_MEDIAN", "%(function)s(%(expressions)s)"
        return median.as_sql(compiler, connection, **extra)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# What each median is the median of.
MEDIAN_OF = {
    "median_starting_pay": lambda: F("starting_pay"),
    "median_days_to_placement": lambda: F("days_to_job"),
    "median_earnings_q2": lambda: Cast("pay_q2", models.FloatField()) * 3,  # three months' pay
}


def _aggregates(today: datetime.date) -> dict:
    """For each measure, the aggregates that make it: counts of its numerator and denominator, or its
    median and how many values it is the median of."""
    aggregates, parts = {}, _parts(today)
    for measure in MEASURES:
        numerator, denominator = parts[measure.key]
        if measure.kind == "count":
            aggregates[f"{measure.key}__n"] = Count("pk")
        elif measure.kind == "rate":
            aggregates[f"{measure.key}__n"] = Count("pk", filter=numerator)
            aggregates[f"{measure.key}__d"] = Count("pk", filter=denominator)
        else:
            aggregates[f"{measure.key}__d"] = Count("pk", filter=denominator)
            aggregates[f"{measure.key}__v"] = Median(MEDIAN_OF[measure.key](), filter=numerator)
    return aggregates


def _values(figures: dict) -> dict[str, Value]:
    values = {}
    for measure in MEASURES:
        key = measure.key
        if measure.kind == "count":
            values[key] = Value(figures[f"{key}__n"], figures[f"{key}__n"], None)
        elif measure.kind == "rate":
            numerator, denominator = figures[f"{key}__n"], figures[f"{key}__d"]
            values[key] = Value(numerator / denominator if denominator else None, numerator, denominator)
        else:
            values[key] = Value(_rounded(figures[f"{key}__v"]), None, figures[f"{key}__d"])
    return values


def _rounded(number):
    return None if number is None else round(float(number), 1)


def _base(filters: Filters):
    # The rows are the seated enrolments already (jobs.outcomes.rows writes no others); those of students
    # who enrolled since the last refresh are brought up to date first (one empty SELECT when none did).
    from jobs.outcomes.rows import refresh_stale_outcomes  # rows reads the definitions written here

    refresh_stale_outcomes()
    return filters.apply(EnrollmentOutcome.objects.all())


# group → (the enrolment field grouped on, the model its rows are, how they are ordered)
GROUP_FIELDS = {
    "program": ("program", Program, ("sort_order", "name")),
    "course": ("course", Course, ("code",)),
    "cohort": ("cohort", Cohort, ("code",)),
    "instructor": ("cohort__instructors", User, ("display_name", "pk")),
}


def _label(thing) -> str:
    # In the reader's language where the thing has two names.
    return getattr(thing, "display_title", None) or getattr(thing, "display_name", None) or str(thing)


def headline(filters: Filters, *, today: datetime.date | None = None) -> OutcomeRow:
    today = today or timezone.localdate()
    figures = _base(filters).aggregate(**_aggregates(today))
    return OutcomeRow(None, "", _values(figures))


def outcome_table(filters: Filters, group_by: str, *, today: datetime.date | None = None) -> list[OutcomeRow]:
    """One row per program, course, class, instructor, month or quarter, in order."""
    today = today or timezone.localdate()
    if group_by not in GROUPS:
        raise ValueError(f"group_by is one of {', '.join(GROUPS)}")
    enrolments = _base(filters)
    if group_by in ("month", "quarter"):
        truncate = TruncMonth if group_by == "month" else TruncQuarter
        grouped = enrolments.annotate(group=truncate("end_date")).values("group")
        rows = grouped.annotate(**_aggregates(today)).order_by("group")
        return [OutcomeRow(row["group"], _period_label(row["group"], group_by), _values(row)) for row in rows]
    key, model, ordering = GROUP_FIELDS[group_by]
    rows = {row[key]: row for row in enrolments.values(key).annotate(**_aggregates(today)).order_by(key)}
    things = model.objects.filter(pk__in=[pk for pk in rows if pk is not None]).order_by(*ordering)
    return [OutcomeRow(thing.pk, _label(thing), _values(rows[thing.pk])) for thing in things]


def _period_label(day, group_by: str) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return f"{day:%Y-%m}" if group_by == "month" else f"{day.year} Q{(day.month - 1) // 3 + 1}"


def hires_per_merchant(filters: Filters, *, today: datetime.date | None = None):
    """(merchant, hires) for the jobs the filtered students found through the school, whenever they
    started, most hires first."""
    from jobs.models import Merchant

    students = _base(filters).values("student_id")
    placements = Placement.objects.filter(graduate__in=students)
    counts = dict(placements.values("merchant").annotate(hires=Count("pk")).values_list("merchant", "hires"))
    merchants = Merchant.objects.in_bulk(counts)
    return sorted(((merchants[pk], n) for pk, n in counts.items()), key=lambda pair: (-pair[1], pair[0].name))


# For each measure: the filter that picks the enrolments in its numerator and in its denominator.
# Over the outcome rows: a window "closed by today" is the stored last day compared with a date.
def _parts(today: datetime.date) -> dict[str, tuple[Q | None, Q]]:
    completed = Q(status=Status.COMPLETED)
    matured = lambda days: completed & Q(end_date__lte=today - _days(days))  # noqa: E731
    # A job started by the last day + N days (days_to_job counts a start before the last day as 0).
    placed_within = lambda days: Q(days_to_job__lte=days)  # noqa: E731
    exited = lambda days: Q(exited=True, end_date__lte=today - _days(days))  # noqa: E731
    henan = completed & Q(certified_on__lte=today - _days(HENAN_MONTHS_DAYS))
    henan_placed = Q(employed_after_certificate=True)
    return {
        "enrolments": (Q(), Q()),
        "completion_rate": (completed, Q(status__in=EXITED)),
        "certification_rate": (completed & Q(certified=True), completed),
        "placement_90_rate": (matured(90) & placed_within(90), matured(90)),
        "placement_180_rate": (matured(180) & placed_within(180), matured(180)),
        "retention_rate": (completed & Q(retained=True), completed & Q(retained__isnull=False)),
        "median_starting_pay": (completed & placed_within(180), completed & placed_within(180)),
        "median_days_to_placement": (completed & placed_within(180), completed & placed_within(180)),
        "employment_q2_rate": (exited(SECOND_QUARTER[1]) & Q(employed_q2=True), exited(SECOND_QUARTER[1])),
        "employment_q4_rate": (exited(FOURTH_QUARTER[1]) & Q(employed_q4=True), exited(FOURTH_QUARTER[1])),
        "median_earnings_q2": (exited(SECOND_QUARTER[1]) & Q(employed_q2=True),) * 2,
        "credential_rate": (exited(365) & Q(credential_in_year=True), exited(365)),
        "henan_employment_rate": (henan & henan_placed, henan),
        "henan_insured_rate": (henan & henan_placed & Q(insured=True), henan),
    }


def students_behind(measure_key: str, filters: Filters, *, part: str = "numerator", today=None):
    """The enrolments behind a figure (its numerator or its denominator), with student and course."""
    today = today or timezone.localdate()
    if measure_key not in MEASURE_KEYS or part not in ("numerator", "denominator"):
        raise ValueError("unknown measure or part")
    numerator, denominator = _parts(today)[measure_key]
    condition = numerator if part == "numerator" else denominator
    return (
        Enrollment.objects.filter(pk__in=_base(filters).filter(condition).values("enrollment_id"))
        .select_related("student", "cohort__course")
        .order_by("cohort__end_date", "cohort__code", "student__display_name", "pk")
    )
