"""Keep matching current: whatever changes a person's record or a posting's requirements refreshes
what matching reads, after the change commits. Connected in JobsConfig.ready()."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from jobs.matching.features import refresh_candidates_on_commit
from jobs.models import DeclaredSkill, GraduateProfile, JobCategory, JobPosting, Placement
from school.models import Certificate, CourseSkill, Enrollment, StudentProfile
from school.signals import certificate_revoked, certificates_issued

# Enrolment's busy states never change what matching reads; leaving the course (or finishing it) does.
QUIET_STATUSES = {Enrollment.Status.PENDING, Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED}


@receiver(post_save, sender=GraduateProfile)
def profile_saved(sender, instance, **kwargs):
    refresh_candidates_on_commit([instance.user_id])


@receiver(m2m_changed, sender=GraduateProfile.desired_categories.through)
def wanted_categories_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, GraduateProfile):
        refresh_candidates_on_commit([instance.user_id])


@receiver([post_save, post_delete], sender=DeclaredSkill)
def declared_skill_changed(sender, instance, **kwargs):
    user_id = GraduateProfile.objects.filter(pk=instance.profile_id).values_list("user_id", flat=True).first()
    if user_id:
        refresh_candidates_on_commit([user_id])


@receiver(post_save, sender=StudentProfile)
def home_changed(sender, instance, **kwargs):
    refresh_candidates_on_commit([instance.user_id])


@receiver(post_save, sender=Enrollment)
def enrollment_changed(sender, instance, **kwargs):
    if instance.status not in QUIET_STATUSES:
        refresh_candidates_on_commit([instance.student_id])


@receiver([post_save, post_delete], sender=Placement)
def placement_changed(sender, instance, **kwargs):
    refresh_candidates_on_commit([instance.graduate_id])


@receiver(certificate_revoked)
def certificate_stopped_counting(sender, certificate: Certificate, **kwargs):
    # Sent after commit already: refresh now, so the revoked certificate stops counting at once.
    from jobs.matching.features import refresh_candidates

    refresh_candidates([certificate.enrollment.student_id])


@receiver(post_save, sender=Certificate)
def certificate_saved(sender, instance, **kwargs):
    refresh_candidates_on_commit(
        Enrollment.objects.filter(pk=instance.enrollment_id).values_list("student_id", flat=True)
    )


@receiver(certificates_issued)
def certificates_started_counting(sender, student_ids, **kwargs):
    refresh_candidates_on_commit(student_ids)


@receiver([post_save, post_delete], sender=CourseSkill)
def course_teaches_differently(sender, instance, **kwargs):
    """Everyone who completed the course now proves different skills."""
    completers = Enrollment.objects.filter(cohort__course_id=instance.course_id, status=Enrollment.Status.COMPLETED)
    refresh_candidates_on_commit(completers.values_list("student_id", flat=True))


@receiver(m2m_changed, sender=JobCategory.programs.through)
def category_trains_differently(sender, instance, action, **kwargs):
    """The programs behind a kind of work changed: its postings' program fit changes."""
    if action.startswith("post_") and isinstance(instance, JobCategory):
        JobPosting.objects.filter(category=instance).update(updated_at=timezone.now())
