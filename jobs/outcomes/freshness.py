"""Keep the outcome rows current: whatever changes what followed a student's enrolments refreshes all
of that student's rows after the change commits. Connected in JobsConfig.ready()."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jobs.models import EnrollmentOutcome, FollowUp, Placement
from jobs.outcomes.measures import SEATED
from jobs.outcomes.rows import mark_outcomes_stale, refresh_outcomes_on_commit
from school.models import Certificate, Cohort, Course, Enrollment
from school.signals import certificate_revoked, certificates_issued, enrolment_added

# Saving a class with only these fields changes nothing the rows hold.
COHORT_FACTS = {"course", "course_id", "start_date", "end_date"}


@receiver([post_save, post_delete], sender=Enrollment)
def enrollment_changed(sender, instance, **kwargs):
    # Any status counts: a new place in a class can postpone the exit of the student's previous one.
    refresh_outcomes_on_commit([instance.student_id])


@receiver(enrolment_added)
def enrolment_added_by_insert(sender, student_id, status, **kwargs):
    # Sent inside enrol()'s transaction, whose insert sends no post_save: the mark commits with the
    # enrolment (no second transaction, no window where a crash loses it). A place that is not a seat
    # (pending, waiting) changes no outcome until it becomes one, which is a save. Enrolling is the
    # busiest write there is, so it only marks the student; the next reader of the rows updates them.
    if status in SEATED:
        mark_outcomes_stale([student_id])


@receiver([post_save, post_delete], sender=Placement)
def placement_changed(sender, instance, **kwargs):
    refresh_outcomes_on_commit([instance.graduate_id])


@receiver([post_save, post_delete], sender=FollowUp)
def follow_up_changed(sender, instance, **kwargs):
    refresh_outcomes_on_commit(Placement.objects.filter(pk=instance.placement_id).values_list("graduate_id", flat=True))


@receiver(post_save, sender=Certificate)
def certificate_saved(sender, instance, **kwargs):
    refresh_outcomes_on_commit(
        Enrollment.objects.filter(pk=instance.enrollment_id).values_list("student_id", flat=True)
    )


@receiver(certificates_issued)
def certificates_started_counting(sender, student_ids, **kwargs):
    # Issued in bulk (bulk_update sends no post_save): sent after commit.
    refresh_outcomes_on_commit(student_ids)


@receiver(certificate_revoked)
def certificate_stopped_counting(sender, certificate: Certificate, **kwargs):
    # Revoked, or superseded by a reissue through a bulk update: sent after commit.
    refresh_outcomes_on_commit(
        Enrollment.objects.filter(pk=certificate.enrollment_id).values_list("student_id", flat=True)
    )


@receiver(post_save, sender=Cohort)
def cohort_saved(sender, instance, created, update_fields=None, **kwargs):
    """The class's dates or course changed: every row of its students (and their other classes' exits)."""
    if created or (update_fields is not None and not COHORT_FACTS & set(update_fields)):
        return
    refresh_outcomes_on_commit(Enrollment.objects.filter(cohort=instance).values_list("student_id", flat=True))


@receiver(post_save, sender=Course)
def course_saved(sender, instance, created, update_fields=None, **kwargs):
    # A course moved to another program: its rows follow, in the same transaction (one UPDATE).
    if created or (update_fields is not None and not {"program", "program_id"} & set(update_fields)):
        return
    EnrollmentOutcome.objects.filter(course=instance).exclude(program_id=instance.program_id).update(
        program_id=instance.program_id
    )
