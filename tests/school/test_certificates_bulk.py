"""Issuing for a whole class: exactly one valid certificate per student, numbers with no gaps, every
student told once — however often the run is started, and after a worker dies half-way."""

import datetime
import time

from django.core import mail
from django.utils import timezone

import pytest

from accounts.models import Notification
from accounts.roles import Role
from school.models import Certificate, CertificateBatch, CertificateSequence
from school.services import certificates as services
from tests.factories import CompletedEnrollmentFactory, UserFactory

CLASS_SIZE = 12


def make_class(size: int = CLASS_SIZE, *, extra_names=()):
    """A finished class of `size` completed students (each with an e-mail address) and its instructor."""
    instructor = UserFactory(role=Role.INSTRUCTOR)
    first = CompletedEnrollmentFactory(cohort__course__program__code="JZ")
    cohort = first.cohort
    cohort.instructors.add(instructor)
    for _ in range(size - 1):
        CompletedEnrollmentFactory(cohort=cohort)
    for name in extra_names:
        CompletedEnrollmentFactory(cohort=cohort, profile__real_name=name)
    return cohort, instructor


def sequence_numbers(cohort) -> list[int]:
    numbers = Certificate.objects.filter(enrollment__cohort=cohort, status="valid").values_list("number", flat=True)
    return sorted(int(number.rsplit("-", 1)[1]) for number in numbers)


def assert_one_valid_certificate_each(cohort) -> None:
    students = set(cohort.enrollments.filter(status="completed").values_list("pk", flat=True))
    valid = list(
        Certificate.objects.filter(enrollment__cohort=cohort, status="valid").values_list("enrollment", flat=True)
    )
    assert sorted(valid) == sorted(students)
    assert not Certificate.objects.filter(enrollment__cohort=cohort, status="pending").exists()
    assert sequence_numbers(cohort) == list(range(1, len(students) + 1))  # consecutive, no gaps


def told(student) -> int:
    """How many times the student was told about a certificate: in the inbox, and by e-mail."""
    inbox = Notification.objects.filter(recipient=student).count()
    emails = sum(1 for message in mail.outbox if message.to == [student.email])
    assert inbox == emails
    return inbox


def run_on_workers(batch_id, capture) -> None:
    """The class's task, then each chunk task it queued, one after another, each committing on its own
    as on a worker (so a chunk's e-mails go out when that chunk commits, whatever the next one does)."""
    with capture() as chunk_tasks:
        services.run_certificate_batch(batch_id)
    for chunk_task in chunk_tasks:
        with capture(execute=True):
            chunk_task()


def issue_all(cohort, instructor, capture) -> CertificateBatch:
    """Ask for the whole class, as the page and the API do; the task runs (eagerly) once it is committed."""
    with capture(execute=True):
        batch = services.start_certificate_batch(cohort=cohort, requested_by=instructor)
    batch.refresh_from_db()
    return batch


@pytest.mark.django_db
def test_a_class_is_issued_once_with_consecutive_numbers_and_each_student_told_once(
    django_capture_on_commit_callbacks,
):
    cohort, instructor = make_class()

    batch = issue_all(cohort, instructor, django_capture_on_commit_callbacks)

    assert (batch.status, batch.done, batch.total, batch.issued, batch.percent) == ("done", 12, 12, 12, 100)
    assert_one_valid_certificate_each(cohort)
    assert len(mail.outbox) == CLASS_SIZE
    for enrollment in cohort.enrollments.all():
        assert told(enrollment.student) == 1


@pytest.mark.django_db
def test_running_it_again_changes_nothing_and_e_mails_nobody(django_capture_on_commit_callbacks):
    cohort, instructor = make_class()
    issue_all(cohort, instructor, django_capture_on_commit_callbacks)
    before = list(Certificate.objects.order_by("pk").values_list("pk", "number", "code", "sha256", "status"))
    mail.outbox.clear()

    again = issue_all(cohort, instructor, django_capture_on_commit_callbacks)

    assert (again.status, again.issued, again.total) == ("done", 0, 12)
    assert list(Certificate.objects.order_by("pk").values_list("pk", "number", "code", "sha256", "status")) == before
    assert mail.outbox == []
    assert Notification.objects.count() == CLASS_SIZE
    assert CertificateSequence.objects.get().last == CLASS_SIZE


@pytest.fixture
def crash_after_first_chunk(monkeypatch):
    """The worker dies after it stored the first chunk of PDFs: later chunks are never rendered."""
    monkeypatch.setattr(services, "CHUNK", 4)
    real = services._render_and_store
    calls = []

    def dies(pending, *, actor):
        calls.append(len(pending))
        if len(calls) > 1:
            raise RuntimeError("worker lost")
        return real(pending, actor=actor)

    monkeypatch.setattr(services, "_render_and_store", dies)
    return lambda: monkeypatch.setattr(services, "_render_and_store", real)


@pytest.mark.django_db
def test_after_a_crash_half_way_the_redelivered_task_finishes_without_gaps_or_second_e_mails(
    django_capture_on_commit_callbacks, crash_after_first_chunk
):
    cohort, instructor = make_class()
    batch = services.start_certificate_batch(cohort=cohort, requested_by=instructor)  # queued, not yet run

    # The class task takes the numbers and queues its chunks; the worker dies in the second chunk.
    with pytest.raises(RuntimeError, match="worker lost"):
        run_on_workers(batch.pk, django_capture_on_commit_callbacks)

    assert Certificate.objects.filter(status="valid").count() == 4
    assert Certificate.objects.filter(status="pending").count() == 8
    batch.refresh_from_db()
    assert batch.status == "running" and batch.done == 4
    assert len(mail.outbox) == 4

    crash_after_first_chunk()  # the broker hands the class's task to a healthy worker
    run_on_workers(batch.pk, django_capture_on_commit_callbacks)
    batch.refresh_from_db()

    assert (batch.status, batch.done, batch.issued) == ("done", 12, 12)  # both runs of this batch
    assert_one_valid_certificate_each(cohort)
    assert len(mail.outbox) == CLASS_SIZE
    for enrollment in cohort.enrollments.all():
        assert told(enrollment.student) == 1


@pytest.mark.django_db
def test_after_a_crash_a_new_request_once_the_run_has_stalled_finishes_the_class(
    django_capture_on_commit_callbacks, crash_after_first_chunk
):
    cohort, instructor = make_class()
    lost = services.start_certificate_batch(cohort=cohort, requested_by=instructor)
    with pytest.raises(RuntimeError):
        run_on_workers(lost.pk, django_capture_on_commit_callbacks)
    crash_after_first_chunk()  # and its message is gone with it

    # While the lost run still looks alive, asking again returns it rather than starting a second one.
    assert services.start_certificate_batch(cohort=cohort, requested_by=instructor).status == "running"
    assert CertificateBatch.objects.count() == 1
    long_ago = timezone.now() - services.STALLED_AFTER - datetime.timedelta(minutes=1)
    CertificateBatch.objects.update(updated_at=long_ago)

    batch = issue_all(cohort, instructor, django_capture_on_commit_callbacks)

    assert CertificateBatch.objects.count() == 2
    assert (batch.status, batch.issued, batch.total) == ("done", 8, 12)
    assert_one_valid_certificate_each(cohort)
    for enrollment in cohort.enrollments.all():
        assert told(enrollment.student) == 1


@pytest.mark.django_db
def test_students_certified_before_the_run_are_not_e_mailed_again(django_capture_on_commit_callbacks):
    cohort, instructor = make_class()
    early = list(cohort.enrollments.order_by("pk")[:3])
    with django_capture_on_commit_callbacks(execute=True):
        for enrollment in early:
            services.issue_certificate(enrollment=enrollment, issued_by=instructor)
    assert len(mail.outbox) == 3
    mail.outbox.clear()

    batch = issue_all(cohort, instructor, django_capture_on_commit_callbacks)

    assert (batch.issued, batch.total) == (9, 12)
    assert_one_valid_certificate_each(cohort)
    assert len(mail.outbox) == 9
    early_addresses = {enrollment.student.email for enrollment in early}
    assert not early_addresses & {address for message in mail.outbox for address in message.to}
    for enrollment in early:
        assert Notification.objects.filter(recipient=enrollment.student).count() == 1


@pytest.mark.django_db
def test_a_name_no_font_can_draw_fails_the_batch_naming_the_character_and_issues_nothing(
    django_capture_on_commit_callbacks,
):
    cohort, instructor = make_class(5, extra_names=["王\U000f0001"])
    instructor.language = "en"
    instructor.save(update_fields=["language"])

    batch = issue_all(cohort, instructor, django_capture_on_commit_callbacks)

    assert batch.status == "failed" and batch.finished and batch.issued == 0
    assert "U+F0001" in batch.error
    assert not Certificate.objects.exists()  # not even a pending one
    assert not CertificateSequence.objects.filter(last__gt=0).exists()  # no number taken
    assert mail.outbox == [] and not Notification.objects.exists()


# --- On a real worker ------------------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_issues_a_class_and_the_batch_reports_it_done(worker):
    cohort, instructor = make_class(4)

    batch = services.start_certificate_batch(cohort=cohort, requested_by=instructor)

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.finished and len(mail.outbox) >= 4:
            break
        time.sleep(0.2)
    assert (batch.status, batch.done, batch.total, batch.issued, batch.percent) == ("done", 4, 4, 4, 100)
    assert_one_valid_certificate_each(cohort)
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        enrollment.student.email for enrollment in cohort.enrollments.all()
    )


@pytest.mark.django_db
def test_a_class_run_hands_its_chunks_to_separate_tasks_that_may_finish_in_any_order(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "CHUNK", 5)
    cohort, instructor = make_class()
    batch = services.start_certificate_batch(cohort=cohort, requested_by=instructor)

    with django_capture_on_commit_callbacks() as chunk_tasks:
        services.run_certificate_batch(batch.pk)

    assert len(chunk_tasks) == 3  # 12 students: chunks of 5, 5 and 2, for as many workers as there are
    assert Certificate.objects.filter(status="pending").count() == CLASS_SIZE  # every number taken first
    for chunk_task in reversed(chunk_tasks):
        with django_capture_on_commit_callbacks(execute=True):
            chunk_task()
        batch.refresh_from_db()
        assert batch.status == ("done" if batch.done == CLASS_SIZE else "running")

    assert (batch.status, batch.done, batch.issued) == ("done", CLASS_SIZE, CLASS_SIZE)
    assert_one_valid_certificate_each(cohort)


@pytest.mark.django_db
def test_a_run_that_stopped_moving_is_resumed_and_one_still_moving_is_left_alone(
    django_capture_on_commit_callbacks, crash_after_first_chunk
):
    cohort, instructor = make_class()
    stalled = services.start_certificate_batch(cohort=cohort, requested_by=instructor)
    with pytest.raises(RuntimeError):
        run_on_workers(stalled.pk, django_capture_on_commit_callbacks)
    crash_after_first_chunk()  # its worker is gone, and its message with it for two hours
    idle = datetime.timedelta(minutes=2)

    assert services.resume_certificate_batches(idle_for=idle) == []  # it moved moments ago
    CertificateBatch.objects.update(updated_at=timezone.now() - idle - datetime.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resume_certificate_batches(idle_for=idle) == [stalled.pk]  # the task runs eagerly

    stalled.refresh_from_db()
    assert (stalled.status, stalled.done, stalled.issued) == ("done", CLASS_SIZE, CLASS_SIZE)
    assert_one_valid_certificate_each(cohort)
