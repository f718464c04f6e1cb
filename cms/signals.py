"""Drop cached public pages whenever what they show changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from wagtail.signals import page_published, page_unpublished

from cms.cache import invalidate_public_pages, invalidate_seats
from jobs.models import JobCategory, JobPosting, Merchant, PostingSkill
from jobs.signals import postings_changed
from school.models import Cohort, Course, CourseSkill, Program, Skill, SkillCategory
from school.signals import cohort_changed, seats_changed


def connect() -> None:
    from cms.models import SchoolSettings

    # Deleting a live page sends page_unpublished too.
    page_published.connect(invalidate_public_pages, dispatch_uid="cms-cache-published")
    page_unpublished.connect(invalidate_public_pages, dispatch_uid="cms-cache-unpublished")
    for model in (
        Cohort,
        Course,
        CourseSkill,
        Program,
        Skill,
        SkillCategory,
        SchoolSettings,
        # The job board's pages.
        JobPosting,
        PostingSkill,
        Merchant,
        JobCategory,
    ):
        post_save.connect(invalidate_public_pages, sender=model, dispatch_uid=f"cms-cache-save-{model.__name__}")
        post_delete.connect(invalidate_public_pages, sender=model, dispatch_uid=f"cms-cache-delete-{model.__name__}")
    m2m_changed.connect(invalidate_public_pages, sender=Cohort.instructors.through, dispatch_uid="cms-cache-teachers")
    # Class status and seats change by bulk updates in the school's services, which send no post_save. A
    # seat only changes the pages that show its course's seats.
    cohort_changed.connect(invalidate_public_pages, dispatch_uid="cms-cache-classes")
    seats_changed.connect(invalidate_seats, dispatch_uid="cms-cache-seats")
    postings_changed.connect(invalidate_public_pages, dispatch_uid="cms-cache-postings")
    m2m_changed.connect(
        invalidate_public_pages, sender=Course.prerequisites.through, dispatch_uid="cms-cache-prerequisites"
    )
