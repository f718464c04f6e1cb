"""Who may do what with a class. Checked on the server by every view and API endpoint."""

from django.contrib.auth import get_user_model

from accounts.roles import Role, is_school_staff
from school.models import Cohort, StudentProfile


def is_staff(user) -> bool:
    return is_school_staff(user)


def is_student(user) -> bool:
    """A student of the school (graduates included): who enrols in classes and applies for jobs."""
    return user.is_authenticated and user.has_role(Role.STUDENT)


def has_student_profile(user) -> bool:
    """Whether the user has completed their student profile: no query when it was read with the user
    (e.g. by the enrolment API's token authentication)."""
    if get_user_model().student_profile.is_cached(user):
        return hasattr(user, "student_profile")  # read with the user: the profile, or None
    return StudentProfile.objects.filter(user=user).exists()


def teaches(user, cohort: Cohort) -> bool:
    """Instructors run their own classes; staff may run any."""
    if not user.is_authenticated:
        return False
    return is_staff(user) or cohort.instructors.filter(pk=user.pk).exists()


def cohorts_run_by(user):
    """The classes a person may run: their own, or every class for staff."""
    if is_staff(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(instructors=user)
