"""Enrolment: every change of a student's place in a class goes through here, in one transaction,
recorded with who and when, and told to the student.

Capacity holds under concurrency on both databases: a seat is taken by a conditional UPDATE
(`seats_taken < capacity`), which PostgreSQL serialises on the class row and SQLite serialises with
IMMEDIATE transactions, and the database checks `seats_taken <= capacity`. Waiting-list positions are
not stored: they are the order of `waitlisted_at` (then id), so they have no gaps by construction."""

import functools

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baijia import rows
from baijia.rows import Columns, column, table
from school import notifications
from school.errors import EnrolmentError
from school.models import Cohort, Course, Enrollment, EnrollmentEvent, StudentProfile
from school.signals import announce_cohort_change, announce_enrolment, announce_seats_change

Status = Enrollment.Status
ALREADY_ENROLLED = _("You are already enrolled in this class.")


# The hottest statement of enrolment, written out: the seat, and "full" when it was the last seat of
# an open class, in one conditional UPDATE (plain SQL that SQLite and PostgreSQL both run).
_TAKE_SEAT_SQL = (
    "UPDATE school_cohort SET seats_taken = seats_taken + 1, "
    "status = CASE WHEN status = %s AND seats_taken + 1 >= capacity THEN %s ELSE status END "
    "WHERE id = %s AND seats_taken < capacity"
)


def _take_seat(cohort: Cohort) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_SEAT_SQL, [Cohort.Status.OPEN, Cohort.Status.FULL, cohort.pk])
        taken = cursor.rowcount
    if taken:
        announce_seats_change(cohort)
    return bool(taken)


# The fields of the unique (class, student) constraint, read from the model once.
(_ONCE_PER_CLASS,) = [
    tuple(c.fields) for c in Enrollment._meta.constraints if c.name == "school_enrollment_once_per_class"
]


def _insert_unless_enrolled(enrollment: Enrollment) -> bool:
    """Insert the new enrolment unless the student already has a row for the class (the unique (class,
    student) constraint), in one statement. True when inserted; `enrollment` then has its id. Like the seat
    UPDATE it sends no pre_save/post_save: other apps hear of seats by cohort_changed, and of the new
    enrolment by enrolment_added."""
    return rows.insert(enrollment, unless_conflict_on=_ONCE_PER_CLASS)


def _record(enrollment: Enrollment, from_status: str, to_status: str, *, actor, note: str = "") -> None:
    """The enrolment's history: who changed it, from what to what, and when (one INSERT; nothing listens
    to EnrollmentEvent's saves)."""
    rows.insert(
        EnrollmentEvent(
            enrollment=enrollment, from_status=from_status or "", to_status=to_status, actor=actor, note=note[:300]
        )
    )


def _free_seat(cohort: Cohort) -> None:
    Cohort.objects.filter(pk=cohort.pk, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
    Cohort.objects.filter(pk=cohort.pk, status=Cohort.Status.FULL, seats_taken__lt=F("capacity")).update(
        status=Cohort.Status.OPEN
    )
    announce_seats_change(cohort)


def _change(enrollment: Enrollment, to_status: str, *, actor, note: str = "", **fields) -> Enrollment:
    from_status = enrollment.status
    enrollment.status = to_status
    for name, value in fields.items():
        setattr(enrollment, name, value)
    enrollment.save(update_fields=["status", "updated_at", *fields])
    _record(enrollment, from_status, to_status, actor=actor, note=note)
    return enrollment


def _seat_status(cohort: Cohort) -> str:
    return Status.PENDING if cohort.course.requires_approval else Status.ENROLLED


def cohorts_to_enrol_in(*, student=None):
    """Classes as enrol() reads them, in one query: with the course, and whether the course has any
    prerequisites (most have none, and then checking them costs no query). With `student`, also the
    status of the place they already have in each class (`student_status`, None when they have none), so
    enrol() refuses a second enrolment before it writes anything."""
    cohorts = Cohort.objects.select_related("course").annotate(
        has_prerequisites=Exists(Course.prerequisites.through.objects.filter(from_course_id=OuterRef("course_id")))
    )
    if student is not None:
        cohorts = cohorts.annotate(
            student_status=Subquery(
                Enrollment.objects.filter(cohort_id=OuterRef("pk"), student=student).values("status")[:1]
            )
        )
    return cohorts


@functools.cache
def _cohort_by_code_select() -> tuple[str, object]:
    """(sql, read) for cohort_to_enrol_in(): written once (baijia.rows), since the enrolment API reads
    a class by its code on every request."""
    cohort, course = Columns(Cohort, "c"), Columns(Course, "co")
    through = Course.prerequisites.through
    sql = (
        f"SELECT {cohort.sql()}, {course.sql()}, EXISTS (SELECT 1 FROM {table(through)} p "  # noqa: S608
        f"WHERE p.{column(through, 'from_course')} = c.{column(Cohort, 'course')}), "
        f"(SELECT e.{column(Enrollment, 'status')} FROM {table(Enrollment)} e "
        f"WHERE e.{column(Enrollment, 'cohort')} = c.{column(Cohort, 'id')} "
        f"AND e.{column(Enrollment, 'student')} = %s) "
        f"FROM {table(Cohort)} c INNER JOIN {table(Course)} co "
        f"ON co.{column(Course, 'id')} = c.{column(Cohort, 'course')} "
        f"WHERE LOWER(c.{column(Cohort, 'code')}) = LOWER(%s)"
    )
    read_cohort, read_course = cohort.reader(), course.reader()

    def read(row):
        found, at = read_cohort(row, 0)
        found.course, at = read_course(row, at)
        found.has_prerequisites = bool(row[at])
        found.student_status = row[at + 1]
        return found

    return sql, read


def cohort_to_enrol_in(code: str, *, student) -> Cohort | None:
    """The class with this code, in any letter case (codes are stored in capitals; the unique index on
    LOWER(code) finds it), read as cohorts_to_enrol_in(student=…) reads classes; None when there is none."""
    sql, read = _cohort_by_code_select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [student.pk, code])
        row = cursor.fetchone()
    return read(row) if row else None


def missing_prerequisites(*, student, cohort: Cohort) -> list:
    """The prerequisite courses the student has not completed."""
    if not getattr(cohort, "has_prerequisites", True):  # read with the class by cohorts_to_enrol_in()
        return []
    required = list(cohort.course.prerequisites.all())
    if not required:
        return []
    completed = set(
        Enrollment.objects.filter(student=student, status=Status.COMPLETED, cohort__course__in=required).values_list(
            "cohort__course_id", flat=True
        )
    )
    return [course for course in required if course.pk not in completed]


def schedule_clashes(*, student, cohort: Cohort) -> list[Cohort]:
    """The student's other active classes that meet on a same weekday at an overlapping time during
    overlapping dates. A warning, not a refusal: people sometimes choose to."""
    others = Cohort.objects.filter(
        enrollments__student=student,
        enrollments__status__in=Enrollment.ACTIVE,
        start_date__lte=cohort.end_date,
        end_date__gte=cohort.start_date,
        class_starts__lt=cohort.class_ends,
        class_ends__gt=cohort.class_starts,
    ).exclude(pk=cohort.pk)
    return [other for other in others.select_related("course") if set(other.weekdays) & set(cohort.weekdays)]


def referrer_for(code: str, *, student):
    if not code:
        return None
    profile = StudentProfile.objects.select_related("user").filter(referral_code=code).first()
    if profile is None or profile.user_id == student.pk:
        return None  # an unknown or own code is simply not a referral
    return profile.user


@transaction.atomic
def enrol(*, student, cohort: Cohort, referral_code: str = "", actor=None, by_staff: bool = False) -> Enrollment:
    """Give the student a seat (enrolled, or pending where the course needs approval), or a place on
    the waiting list when the class is full. Refuses with EnrolmentError: outside the enrolment
    window, missing prerequisites, already enrolled. Staff (`by_staff`) may also place a student in
    a class that has started, outside the window (a walk-in, or the record of a past class), and
    vouch for the student's prior learning in place of the prerequisites.

    The enrolment comes back with its `position` on the waiting list (None unless waiting). A class read
    by cohorts_to_enrol_in() needs no further query before the seat is taken."""
    if not Cohort.course.is_cached(cohort):
        cohort = cohorts_to_enrol_in(student=student).get(pk=cohort.pk)
    today = timezone.localdate()
    accepting = [Cohort.Status.OPEN, Cohort.Status.FULL]
    if by_staff:
        accepting += [Cohort.Status.PLANNED, Cohort.Status.RUNNING, Cohort.Status.FINISHED]
    if cohort.status not in accepting:
        raise EnrolmentError(_("This class is not taking enrolments."), code="closed")
    if not by_staff and not cohort.enrolment_opens <= today <= cohort.enrolment_closes:
        raise EnrolmentError(
            _("Enrolment for this class runs from %(opens)s to %(closes)s.")
            % {"opens": cohort.enrolment_opens, "closes": cohort.enrolment_closes},
            code="window",
        )
    missing = [] if by_staff else missing_prerequisites(student=student, cohort=cohort)
    if missing:
        raise EnrolmentError(
            _("Complete these courses first: %(courses)s.")
            % {"courses": "、".join(course.display_title for course in missing)},
            code="prerequisites",
        )
    referred_by = referrer_for(referral_code, student=student)
    # Refused before anything is written where the class was read with the student's place: a refusal
    # after a write rolls back, and on PostgreSQL a rollback also drops the connection's prepared
    # statements (psycopg). A place taken meanwhile is still found by the insert below.
    if getattr(cohort, "student_status", None) in Enrollment.ACTIVE:
        raise EnrolmentError(ALREADY_ENROLLED, code="duplicate")
    if _take_seat(cohort):
        status = Status.ENROLLED if by_staff else _seat_status(cohort)  # staff placing is the approval
        waitlisted_at = None
    else:
        status, waitlisted_at = Status.WAITLISTED, timezone.now()
    # Insert first: a first enrolment (the usual case) costs no lookup. The unique (class, student)
    # constraint finds an earlier place; an active one refuses, an ended one (withdrawn, rejected…) is
    # taken up again. Raising rolls the seat back with the rest of the transaction.
    enrollment = Enrollment(
        student=student, cohort=cohort, status=status, waitlisted_at=waitlisted_at, referred_by=referred_by
    )
    if _insert_unless_enrolled(enrollment):
        _record(enrollment, "", status, actor=actor or student)
        announce_enrolment(student.pk, status)  # the insert sent no post_save
    else:
        enrollment = Enrollment.objects.select_for_update().get(student=student, cohort=cohort)
        if enrollment.is_active:
            raise EnrolmentError(ALREADY_ENROLLED, code="duplicate")
        enrollment.cohort = cohort  # with its course, already read
        _change(enrollment, status, actor=actor or student, waitlisted_at=waitlisted_at, referred_by=referred_by)
    # Counted once, inside the transaction: for the notification and for the caller (e.g. the API's answer).
    enrollment.position = enrollment.waitlist_position()
    notifications.tell(enrollment, position=enrollment.position)
    return enrollment


def _promote_waitlist(cohort: Cohort, *, actor) -> list[Enrollment]:
    """Fill free seats from the front of the waiting list; each promoted student is told."""
    promoted = []
    while True:
        first = (
            Enrollment.objects.select_for_update(skip_locked=True)
            .select_related("student", "cohort__course")
            .filter(cohort=cohort, status=Status.WAITLISTED)
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if first is None or not _take_seat(cohort):
            return promoted
        _change(first, _seat_status(cohort), actor=actor, note="promoted from the waiting list", waitlisted_at=None)
        notifications.tell(first, promoted=True)
        promoted.append(first)


def _leave(enrollment: Enrollment, to_status: str, *, actor, note: str = "") -> Enrollment:
    held_seat = enrollment.holds_seat
    _change(enrollment, to_status, actor=actor, note=note, waitlisted_at=None)
    if held_seat:
        _free_seat(enrollment.cohort)
        _promote_waitlist(enrollment.cohort, actor=actor)
    return enrollment


def _locked(enrollment: Enrollment) -> Enrollment:
    return Enrollment.objects.select_for_update().select_related("student", "cohort__course").get(pk=enrollment.pk)


@transaction.atomic
def withdraw(*, enrollment: Enrollment, actor) -> Enrollment:
    """The student leaves the class or its waiting list; a freed seat goes to the next in line."""
    enrollment = _locked(enrollment)
    if not enrollment.is_active:
        raise EnrolmentError(_("This enrolment has already ended."), code="ended")
    _leave(enrollment, Status.WITHDRAWN, actor=actor)
    notifications.tell(enrollment)
    return enrollment


@transaction.atomic
def approve(*, enrollment: Enrollment, actor) -> Enrollment:
    enrollment = _locked(enrollment)
    if enrollment.status != Status.PENDING:
        raise EnrolmentError(_("Only an enrolment awaiting approval can be approved."), code="not_pending")
    _change(enrollment, Status.ENROLLED, actor=actor)
    notifications.tell(enrollment)
    return enrollment


@transaction.atomic
def reject(*, enrollment: Enrollment, actor, reason: str = "") -> Enrollment:
    enrollment = _locked(enrollment)
    if enrollment.status not in (Status.PENDING, Status.WAITLISTED):
        raise EnrolmentError(_("Only an enrolment awaiting approval or waiting can be rejected."), code="not_pending")
    _leave(enrollment, Status.REJECTED, actor=actor, note=reason)
    notifications.tell(enrollment, reason=reason)
    return enrollment


@transaction.atomic
def move(*, enrollment: Enrollment, to_cohort: Cohort, actor) -> Enrollment:
    """Staff move a student to another class of the same course: a seat there, or its waiting list.
    The old place is withdrawn (and its seat offered to the next in line)."""
    enrollment = _locked(enrollment)
    if not enrollment.is_active:
        raise EnrolmentError(_("This enrolment has already ended."), code="ended")
    if to_cohort.course_id != enrollment.cohort.course_id or to_cohort.pk == enrollment.cohort_id:
        raise EnrolmentError(_("Choose another class of the same course."), code="other_course")
    to_cohort = Cohort.objects.select_related("course").get(pk=to_cohort.pk)
    if to_cohort.status not in (Cohort.Status.OPEN, Cohort.Status.FULL, Cohort.Status.PLANNED):
        raise EnrolmentError(_("That class is not taking students."), code="closed")
    if Enrollment.objects.filter(student=enrollment.student, cohort=to_cohort).active().exists():
        raise EnrolmentError(_("The student is already in that class."), code="duplicate")
    _leave(enrollment, Status.WITHDRAWN, actor=actor, note=f"moved to {to_cohort.code}")
    moved, _created = Enrollment.objects.get_or_create(
        student=enrollment.student, cohort=to_cohort, defaults={"status": ""}
    )
    if _take_seat(to_cohort):
        _change(
            moved,
            Status.ENROLLED,
            actor=actor,
            note=f"moved from {enrollment.cohort.code}",
            waitlisted_at=None,
            referred_by=enrollment.referred_by,
        )
    else:
        _change(
            moved,
            Status.WAITLISTED,
            actor=actor,
            note=f"moved from {enrollment.cohort.code}",
            waitlisted_at=timezone.now(),
            referred_by=enrollment.referred_by,
        )
    notifications.tell(moved, moved_from=enrollment.cohort)
    return moved


@transaction.atomic
def cancel_cohort(*, cohort: Cohort, actor, reason: str = "") -> int:
    """Cancel a class: every active enrolment ends as cancelled and every student is told.
    Returns how many students were told."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status in (Cohort.Status.FINISHED, Cohort.Status.CANCELLED):
        raise EnrolmentError(_("This class has already ended."), code="ended")
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED, seats_taken=0)
    announce_cohort_change(cohort.pk)
    told = 0
    for enrollment in Enrollment.objects.select_related("student", "cohort__course").filter(cohort=cohort).active():
        _change(enrollment, Status.CANCELLED, actor=actor, note=reason, waitlisted_at=None)
        notifications.tell(enrollment, reason=reason)
        told += 1
    return told
