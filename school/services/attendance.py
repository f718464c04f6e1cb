"""Attendance: the class sessions of a cohort, the instructor's marks for each session, and the
rates that tell whether a student can still meet the course's completion rule.

Writes are one transaction each. Marks are upserted on the (session, enrollment) unique constraint,
so marking twice, or two instructors marking at once, leaves one mark per student per session.

A session counts as held once its day has passed, or on its day as soon as attendance has been
taken: an evening class does not lower everyone's rate at breakfast. Marks on cancelled sessions
are kept but never counted."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from school.models import Attendance, ClassSession, Cohort, Enrollment
from school.permissions import teaches

Mark = Attendance.Mark
Status = Enrollment.Status

# Students on a session's roster. Completed and failed stay on it so a mark can be corrected.
ROSTER_STATUSES = (Status.ENROLLED, Status.COMPLETED, Status.FAILED)

RISK_BELOW = "below"
RISK_UNREACHABLE = "unreachable"


def _require_teacher(actor, cohort: Cohort) -> None:
    if actor is None or not teaches(actor, cohort):
        raise PermissionDenied


# --- Sessions -------------------------------------------------------------------------------------


def scheduled_dates(*, cohort: Cohort) -> list[datetime.date]:
    """Every date from the first to the last day on which the cohort's weekly schedule meets."""
    weekdays = {int(day) for day in cohort.weekdays or []}
    days = (cohort.end_date - cohort.start_date).days + 1
    dates = (cohort.start_date + datetime.timedelta(days=offset) for offset in range(max(days, 0)))
    return [day for day in dates if day.isoweekday() in weekdays]


@transaction.atomic
def generate_sessions(*, cohort: Cohort) -> int:
    """Create a session at the cohort's class time on every scheduled date that has none yet.

    Safe to run again after the schedule changes: it never duplicates a session, never brings back
    one staff cancelled (the cancelled row stays and blocks it) and never deletes. Returns how many
    sessions it created."""
    # Lock the class so two simultaneous runs cannot both decide a date is missing.
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status == Cohort.Status.CANCELLED:
        raise ValidationError(_("This class is cancelled: it has no sessions."), code="cancelled")
    existing = set(cohort.sessions.filter(starts=cohort.class_starts).values_list("date", flat=True))
    missing = [
        ClassSession(cohort=cohort, date=day, starts=cohort.class_starts, ends=cohort.class_ends)
        for day in scheduled_dates(cohort=cohort)
        if day not in existing
    ]
    ClassSession.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def add_session(
    *, cohort: Cohort, date: datetime.date, starts: datetime.time, ends: datetime.time, note: str = "", actor
) -> ClassSession:
    """Add an extra session (a make-up class, say) within the class's dates. Adding one at the time of
    a cancelled session brings that session back. Refuses a time that overlaps another session of
    the class that day."""
    _require_teacher(actor, cohort)
    errors = {}
    if not cohort.start_date <= date <= cohort.end_date:
        errors["date"] = _("Choose a day from %(first)s to %(last)s, while the class runs.") % {
            "first": date_format(cohort.start_date),
            "last": date_format(cohort.end_date),
        }
    if ends <= starts:
        errors["ends"] = _("A session must end after it starts.")
    if errors:
        raise ValidationError(errors)
    same_day = ClassSession.objects.select_for_update().filter(cohort=cohort, date=date)
    if same_day.filter(cancelled=False, starts__lt=ends, ends__gt=starts).exists():
        raise ValidationError({"starts": _("This class already meets at that time.")}, code="duplicate")
    session = same_day.filter(starts=starts).first()
    if session is None:
        session = ClassSession(cohort=cohort, date=date, starts=starts)
    session.ends = ends
    session.note = note.strip()
    session.cancelled = False
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def cancel_session(*, session: ClassSession, note: str = "", actor) -> ClassSession:
    """Cancel a session (a public holiday, say). The row stays, so regenerating the schedule does not
    bring it back; marks already taken are kept but no longer count."""
    session = ClassSession.objects.select_for_update().select_related("cohort").get(pk=session.pk)
    _require_teacher(actor, session.cohort)
    if session.cancelled:
        raise ValidationError(_("This session is already cancelled."), code="cancelled")
    session.cancelled = True
    session.note = note.strip()[:200]
    session.save(update_fields=["cancelled", "note"])
    return session


# --- Marks ----------------------------------------------------------------------------------------


def roster(*, session: ClassSession) -> QuerySet[Enrollment]:
    """The students whose attendance is taken at this session, in enrolment order."""
    return (
        Enrollment.objects.filter(cohort_id=session.cohort_id, status__in=ROSTER_STATUSES)
        .select_related("student")
        .order_by("created_at", "pk")
    )


def _check_markable(session: ClassSession) -> None:
    if session.cancelled:
        raise ValidationError(_("This session is cancelled: there is no attendance to take."), code="cancelled")
    if session.date > timezone.localdate():
        raise ValidationError(
            _("This session is on %(date)s: take attendance on the day.") % {"date": date_format(session.date)},
            code="future",
        )


def _save_marks(session: ClassSession, marks: dict[int, str], actor) -> None:
    marks = {int(enrollment_id): mark for enrollment_id, mark in marks.items()}
    invalid = sorted({mark for mark in marks.values() if mark not in Mark.values})
    if invalid:
        raise ValidationError(
            _("Unknown attendance mark: %(marks)s.") % {"marks": ", ".join(map(str, invalid))}, code="mark"
        )
    on_roster = set(roster(session=session).filter(pk__in=marks).values_list("pk", flat=True))
    strangers = sorted(set(marks) - on_roster)
    if strangers:
        raise ValidationError(
            _("These enrolments are not on this class's roster: %(ids)s.") % {"ids": ", ".join(map(str, strangers))},
            code="not_in_class",
        )
    # One INSERT … ON CONFLICT DO UPDATE: an upsert that holds when two people mark at once.
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, enrollment_id=enrollment_id, mark=mark, marked_by=actor)
            for enrollment_id, mark in marks.items()
        ],
        update_conflicts=True,
        unique_fields=["session", "enrollment"],
        update_fields=["mark", "marked_by", "marked_at"],
    )


@transaction.atomic
def mark_attendance(*, session: ClassSession, marks: dict[int, str], actor) -> None:
    """Record a mark for each enrolment id given (present, late, absent or excused), replacing any
    earlier mark. All or nothing: one student who is not on the roster, or an unknown mark, and
    nothing is saved. Refuses cancelled sessions and sessions after today."""
    session = ClassSession.objects.select_related("cohort").get(pk=session.pk)
    _require_teacher(actor, session.cohort)
    _check_markable(session)
    if marks:
        _save_marks(session, marks, actor)


@transaction.atomic
def mark_all_present(*, session: ClassSession, actor, except_marks: dict[int, str] | None = None) -> int:
    """Mark everyone on the roster present, except the students in `except_marks`, who get the mark
    given there. Same refusals as mark_attendance. Returns how many were marked present."""
    session = ClassSession.objects.select_related("cohort").get(pk=session.pk)
    _require_teacher(actor, session.cohort)
    _check_markable(session)
    exceptions = {int(enrollment_id): mark for enrollment_id, mark in (except_marks or {}).items()}
    present = [pk for pk in roster(session=session).values_list("pk", flat=True) if pk not in exceptions]
    _save_marks(session, {**dict.fromkeys(present, Mark.PRESENT), **exceptions}, actor)
    return len(present)


def marks_for(*, session: ClassSession) -> dict[int, str]:
    """Enrolment id → mark, for the students marked at this session so far."""
    return dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "mark"))


# --- Rates ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    """One student's attendance in a class so far, and whether it threatens completion."""

    enrollment: Enrollment
    held: int  # sessions held so far
    attended: int  # present or late
    excused: int
    absent: int
    remaining: int  # sessions still to come
    minimum: int  # the course's minimum attendance, in %
    rate: Decimal | None  # attended / (held - excused), in %; None before anything counts
    risk: str  # "", RISK_BELOW or RISK_UNREACHABLE
    reason: str  # why the student is at risk, translated; "" when not at risk

    @property
    def at_risk(self) -> bool:
        return bool(self.risk)

    @property
    def unmarked(self) -> int:
        return max(self.held - self.attended - self.excused - self.absent, 0)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _shown(percent: Decimal) -> str:
    # number_format truncates: round first so the reason agrees with the rate shown beside it.
    return number_format(percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def _session_counts(cohort_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Cohort id → (sessions held so far, sessions still to come), cancelled ones left out."""
    today = timezone.localdate()
    taken = Exists(Attendance.objects.filter(session_id=OuterRef("pk")))
    held = Q(date__lt=today) | (Q(date=today) & Q(taken))
    rows = (
        ClassSession.objects.filter(cohort_id__in=list(cohort_ids), cancelled=False)
        .values("cohort_id")
        .annotate(total=Count("pk"), held=Count("pk", filter=held))
        .order_by()
    )
    return {row["cohort_id"]: (row["held"], row["total"] - row["held"]) for row in rows}


def _with_mark_counts(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    counted = Q(attendance__session__cancelled=False, attendance__session__date__lte=timezone.localdate())
    return enrollments.annotate(
        marks_attended=Count("attendance", filter=counted & Q(attendance__mark__in=Attendance.ATTENDED)),
        marks_excused=Count("attendance", filter=counted & Q(attendance__mark=Mark.EXCUSED)),
        marks_absent=Count("attendance", filter=counted & Q(attendance__mark=Mark.ABSENT)),
    )


def _row(enrollment: Enrollment, *, held: int, remaining: int, minimum: int) -> AttendanceRow:
    attended, excused = enrollment.marks_attended, enrollment.marks_excused
    counted = max(held - excused, 0)  # excused sessions count neither for nor against
    rate = _percent(attended, counted) if counted else None
    risk, reason = "", ""
    if enrollment.status == Status.ENROLLED:
        possible = counted + remaining
        if possible and (attended + remaining) * 100 < minimum * possible:
            risk = RISK_UNREACHABLE
            reason = _(
                "Cannot reach %(minimum)s%% any more: even attending all %(remaining)s remaining sessions "
                "gives at most %(best)s%%."
            ) % {
                "minimum": minimum,
                "remaining": remaining,
                "best": _shown(_percent(attended + remaining, possible)),
            }
        elif counted and attended * 100 < minimum * counted:
            # The fewest remaining sessions that lift the final rate back to the minimum.
            needed = max(-((100 * attended - minimum * possible) // 100), 0)
            risk = RISK_BELOW
            reason = _(
                "Attendance is %(rate)s%%, below the %(minimum)s%% required: must attend %(needed)s of the "
                "%(remaining)s remaining sessions."
            ) % {"rate": _shown(rate), "minimum": minimum, "needed": needed, "remaining": remaining}
    return AttendanceRow(
        enrollment=enrollment,
        held=held,
        attended=attended,
        excused=excused,
        absent=enrollment.marks_absent,
        remaining=remaining,
        minimum=minimum,
        rate=rate,
        risk=risk,
        reason=reason,
    )


def _rows(enrollments: QuerySet[Enrollment]) -> list[AttendanceRow]:
    """Rows for many enrolments, possibly of many classes, in two queries."""
    enrollments = list(_with_mark_counts(enrollments.select_related("student", "cohort__course")))
    counts = _session_counts({enrollment.cohort_id for enrollment in enrollments})
    return [
        _row(
            enrollment,
            held=counts.get(enrollment.cohort_id, (0, 0))[0],
            remaining=counts.get(enrollment.cohort_id, (0, 0))[1],
            minimum=enrollment.cohort.course.min_attendance_percent,
        )
        for enrollment in enrollments
    ]


def attendance_summary(*, cohort: Cohort) -> list[AttendanceRow]:
    """Each rostered student's attendance so far, in enrolment order, with `at_risk` and a reason for
    the enrolled students who are below the course's minimum or can no longer reach it. Runs the same
    number of queries whatever the size of the class."""
    return _rows(Enrollment.objects.filter(cohort=cohort, status__in=ROSTER_STATUSES).order_by("created_at", "pk"))


def at_risk_counts(*, cohorts: Iterable[Cohort]) -> dict[int, int]:
    """Cohort id → how many enrolled students are at risk, for many classes in two queries."""
    counts: dict[int, int] = defaultdict(int)
    rows = _rows(Enrollment.objects.filter(cohort__in=[cohort.pk for cohort in cohorts], status=Status.ENROLLED))
    for row in rows:
        counts[row.enrollment.cohort_id] += row.at_risk
    return dict(counts)


def attendance_rates(*, enrollments: Iterable[Enrollment]) -> dict[int, Decimal | None]:
    """Enrolment id → attendance rate in % (None before any session counts), in two queries."""
    ids = [enrollment.pk for enrollment in enrollments]
    return {row.enrollment.pk: row.rate for row in _rows(Enrollment.objects.filter(pk__in=ids))}


def attendance_rate(*, enrollment: Enrollment) -> Decimal | None:
    """The student's attendance in % so far: present or late, out of the sessions held that were not
    excused. None while no session counts yet."""
    return attendance_rates(enrollments=[enrollment]).get(enrollment.pk)
