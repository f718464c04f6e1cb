"""What the school tells a student when their enrolment changes, in the student's language."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.notifications import notify
from school.models import Enrollment

Status = Enrollment.Status

MESSAGES = {
    Status.ENROLLED: (
        _("You are enrolled: %(course)s"),
        _("Your seat in class %(cohort)s is confirmed. The class runs from %(start)s to %(end)s."),
    ),
    Status.PENDING: (
        _("Enrolment received: %(course)s"),
        _("We have your enrolment for class %(cohort)s and hold a seat for you. Staff will confirm it soon."),
    ),
    Status.WAITLISTED: (
        _("On the waiting list: %(course)s"),
        _(
            "Class %(cohort)s is full. You are number %(position)s on its waiting list; we will tell you as soon "
            "as a seat frees up."
        ),
    ),
    Status.WITHDRAWN: (
        _("You have left %(course)s"),
        _("Your place in class %(cohort)s has been given up. You can enrol again while enrolment is open."),
    ),
    Status.REJECTED: (
        _("Enrolment not approved: %(course)s"),
        _("Your enrolment for class %(cohort)s was not approved. %(reason)s"),
    ),
    Status.CANCELLED: (
        _("Class cancelled: %(cohort)s"),
        _("Class %(cohort)s of %(course)s has been cancelled. %(reason)s Please call us to choose another class."),
    ),
    Status.COMPLETED: (
        _("You have completed %(course)s"),
        _("Congratulations: you have completed class %(cohort)s with a final score of %(score)s."),
    ),
    Status.FAILED: (
        _("Your result for %(course)s"),
        _("Class %(cohort)s is finished, but you have not completed it: %(reason)s"),
    ),
}
PROMOTED = (
    _("A seat is yours: %(course)s"),
    _("A seat has freed up in class %(cohort)s and it is now yours. The class runs from %(start)s to %(end)s."),
)
MOVED = (
    _("Moved to class %(cohort)s: %(course)s"),
    _("The school has moved you from class %(old)s to class %(cohort)s (%(start)s to %(end)s)."),
)


def tell(
    enrollment: Enrollment, *, promoted: bool = False, reason: str = "", moved_from=None, position: int | None = None
) -> None:
    """`position`: the enrolment's place on the waiting list, where the caller has just counted it
    (else it is counted here, when the enrolment is waiting)."""
    if moved_from is not None:
        subject, body = MOVED
    elif promoted:
        subject, body = PROMOTED
    else:
        subject, body = MESSAGES[enrollment.status]
    cohort = enrollment.cohort
    notify(
        recipient=enrollment.student,
        subject=subject,
        body=body,
        link=lambda: reverse("school:my_courses"),
        course=lambda: cohort.course.display_title,
        cohort=cohort.code,
        old=getattr(moved_from, "code", ""),
        start=lambda: date_format(cohort.start_date),
        end=lambda: date_format(cohort.end_date),
        position=lambda: (position if position is not None else enrollment.waitlist_position()) or "",
        reason=reason or "",
        score=enrollment.final_score if enrollment.final_score is not None else "",
    )
