"""What the school tells other apps, without knowing them (design: school never imports cms or jobs)."""

from django.db import transaction
from django.dispatch import Signal

# A class's status changed by a bulk update (which sends no post_save), e.g. cancelled or finished:
# sent after commit, with `cohort_id`.
cohort_changed = Signal()


def announce_cohort_change(cohort_id: int) -> None:
    transaction.on_commit(lambda: cohort_changed.send(sender=None, cohort_id=cohort_id))


# A class took or freed a seat (and so may have become full or open again), by a bulk update: sent after
# commit, with `cohort_id` and `course_id`. Every enrolment sends it: receivers keep it cheap.
seats_changed = Signal()


def announce_seats_change(cohort) -> None:
    cohort_id, course_id = cohort.pk, cohort.course_id
    transaction.on_commit(lambda: seats_changed.send(sender=None, cohort_id=cohort_id, course_id=course_id))


# A certificate stopped counting (revoked, or superseded by a reissue): sent after commit, with
# `certificate`. Whatever reads certificates (matching, job profiles) listens for it.
certificate_revoked = Signal()

# Certificates became valid (issued, or reissued): sent after commit, with `student_ids`.
certificates_issued = Signal()


# A student took a place in a class (enrolled, pending or waiting) by enrol()'s one-statement insert,
# which sends no post_save: sent inside enrol()'s transaction, as post_save would be, with `student_id`
# and `status`, so a receiver's own writes commit or roll back with the enrolment (work that must wait
# for the commit defers itself). Later changes of the enrolment are saved and send post_save as usual.
enrolment_added = Signal()


def announce_enrolment(student_id: int, status: str) -> None:
    enrolment_added.send(sender=None, student_id=student_id, status=status)
