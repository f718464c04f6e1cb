"""The outcomes the school publishes: the public measures per program and per course for the last 12
months, with every figure based on fewer than 5 people suppressed so that no one can be identified.

Suppression (`suppressed`, then `protect_complements`):
- Primary: a rate is hidden when its denominator is below the minimum; a count when the count is; a
  median when it is the median of fewer values than the minimum.
- Secondary: counts and rates add up — a program's numerator and denominator are the sums of its
  courses', and the school's are the sums of its programs'. When exactly one child of a shown parent is
  hidden for a measure, it could be recovered by subtracting the shown children from the parent; so the
  shown child with the smallest denominator is hidden too (complementary suppression). Two hidden cells
  reveal only their sum. Medians do not add up, so only primary suppression applies to them.
Nothing here suppresses across periods: the page shows one window (the last 12 months) at a time."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jobs.outcomes.measures import MEASURES, Filters, Measure, OutcomeRow, headline, outcome_table

MINIMUM = 5
PUBLIC_MEASURE_KEYS = (
    "completion_rate",
    "certification_rate",
    "placement_90_rate",
    "placement_180_rate",
    "retention_rate",
    "median_starting_pay",
    "median_days_to_placement",
)
ADDITIVE_KINDS = {"count", "rate"}
# The figures change when classes end and people find jobs, not by the minute: refreshed nightly (kept
# two days, so a missed night still serves yesterday's rather than computing on a request).
CACHE_SECONDS = 2 * 24 * 60 * 60


def public_measures() -> list[Measure]:
    by_key = {measure.key: measure for measure in MEASURES}
    return [by_key[key] for key in PUBLIC_MEASURE_KEYS]


@dataclass
class Cell:
    measure: Measure
    text: str  # the figure as shown, or the "fewer than 5" marker
    suppressed: bool
    size: int | None  # the number of people the figure is based on (its denominator)


@dataclass
class DisplayRow:
    key: object
    label: str
    cells: list[Cell] = field(default_factory=list)

    def cell(self, key: str) -> Cell:
        return next(cell for cell in self.cells if cell.measure.key == key)


def marker(minimum: int = MINIMUM) -> str:
    return _("fewer than %(minimum)s") % {"minimum": minimum}


def format_figure(measure: Measure, value) -> str:
    if value is None:
        return "–"
    if measure.kind == "rate":
        return f"{round(value * 100)}%"
    if measure.kind == "money":
        return f"¥{round(value):,}"
    return f"{round(value):,}"


def size_of(measure: Measure, value) -> int | None:
    """How many people a figure rests on: the count itself, or the denominator (a median's: its values)."""
    if measure.kind == "count":
        return value.value
    return value.denominator


def suppressed(row: OutcomeRow, minimum: int = MINIMUM, measures: list[Measure] | None = None) -> DisplayRow:
    """The row as the public sees it: every figure based on fewer than `minimum` people replaced by the
    marker (primary suppression only; see protect_complements for the secondary rule)."""
    display = DisplayRow(row.key, row.label)
    for measure in measures or public_measures():
        value = row.values[measure.key]
        size = size_of(measure, value)
        hidden = size is not None and size < minimum
        display.cells.append(
            Cell(measure, marker(minimum) if hidden else format_figure(measure, value.value), hidden, size)
        )
    return display


def _hide(cell: Cell, minimum: int) -> None:
    cell.suppressed = True
    cell.text = marker(minimum)


def protect_complements(groups: list[tuple[DisplayRow, list[DisplayRow]]], minimum: int = MINIMUM) -> None:
    """Secondary suppression, in place, over parent/children groups (the school and its programs, each
    program and its courses), for each additive measure, until nothing changes:
    - exactly one child hidden and others shown: hide the shown child with the smallest denominator;
    - the only child hidden while the parent is shown (they are equal): hide the parent;
    - the parent hidden (by this rule, one level up) while every child is shown (they sum to it): hide
      the smallest child, which the first rule then pairs with another.
    Children with no one in the denominator neither need nor give protection."""
    changed = True
    while changed:
        changed = False
        for parent, children in groups:
            for index, cell in enumerate(parent.cells):
                if cell.measure.kind not in ADDITIVE_KINDS:
                    continue
                counted = [child.cells[index] for child in children if child.cells[index].size]
                hidden = [child for child in counted if child.suppressed]
                shown = sorted((child for child in counted if not child.suppressed), key=lambda c: c.size)
                if len(hidden) == 1 and shown:
                    _hide(shown[0], minimum)
                elif len(hidden) == 1 and not cell.suppressed:
                    _hide(cell, minimum)
                elif not hidden and shown and cell.suppressed:
                    _hide(shown[0], minimum)
                else:
                    continue
                changed = True


@dataclass
class ProgramOutcomes:
    total: DisplayRow
    courses: list[DisplayRow]


@dataclass
class PublicOutcomes:
    start: datetime.date
    end: datetime.date
    measures: list[Measure]
    school: DisplayRow
    programs: list[ProgramOutcomes]
    minimum: int = MINIMUM


def last_twelve_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve whole months before this one."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(day=1)
    for _month in range(11):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return start, end


def _cache_key(minimum: int) -> str:
    return f"outcomes:public:{translation.get_language()}:{minimum}"


def public_outcomes(*, today: datetime.date | None = None, minimum: int = MINIMUM) -> PublicOutcomes:
    """The figures the public page shows: those refresh_public_outcomes stored (each night, by Celery
    beat), or else computed now and stored. Computing is three aggregate queries over the outcome rows
    (about 0.1 s at 100k enrolments on PostgreSQL, bench outcomes); the figures change by the day, so
    requests read the stored ones. With `today` given, computed for that day and not stored."""
    if today is not None:
        return compute_public_outcomes(today=today, minimum=minimum)
    cached = cache.get(_cache_key(minimum))
    if cached is not None:
        return cached
    outcomes = compute_public_outcomes(today=timezone.localdate(), minimum=minimum)
    cache.set(_cache_key(minimum), outcomes, CACHE_SECONDS)
    return outcomes


def refresh_public_outcomes() -> None:
    """Compute and store the public figures in every language (Celery beat, nightly): the page then never
    computes them while a visitor waits."""
    today = timezone.localdate()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            cache.set(_cache_key(MINIMUM), compute_public_outcomes(today=today), CACHE_SECONDS)


def compute_public_outcomes(*, today: datetime.date, minimum: int = MINIMUM) -> PublicOutcomes:
    """The public measures of the last 12 whole months before `today`'s, school-wide, per program and per
    course, with small cells suppressed (in the active language)."""
    from school.models import Course

    start, end = last_twelve_months(today)
    filters = Filters(start=start, end=end)
    measures = public_measures()
    school = suppressed(headline(filters, today=today), minimum, measures)
    school.label = _("All programs")
    programs = [suppressed(row, minimum, measures) for row in outcome_table(filters, "program", today=today)]
    courses = [suppressed(row, minimum, measures) for row in outcome_table(filters, "course", today=today)]
    program_of = dict(Course.objects.filter(pk__in=[row.key for row in courses]).values_list("pk", "program_id"))
    result = [
        ProgramOutcomes(program, [row for row in courses if program_of.get(row.key) == program.key])
        for program in programs
    ]
    protect_complements([(school, programs), *((group.total, group.courses) for group in result)], minimum)
    outcomes = PublicOutcomes(start, end, measures, school, result, minimum)
    return outcomes
