"""A Celery worker killed (SIGKILL of its whole process group) in the middle of a class's certificate
run: a worker started afterwards finishes the class with exactly one certificate per student, without
waiting for Redis to hand the lost message out again (that takes the visibility timeout, two hours)."""

from django.db import connection

import pytest

from accounts.models import Notification
from school.models import Certificate, CertificateBatch
from school.services import certificates as services
from tests.faults.services import CeleryWorker, wait_for
from tests.school.test_certificates_bulk import assert_one_valid_certificate_each, make_class

# A worker, not the database, is what fails here: the SQLite pass only.
pytestmark = [
    pytest.mark.faults,
    pytest.mark.sqlite_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CLASS_SIZE = 2 * services.CHUNK + 10  # three chunks: one done, one cut short, one not started


def test_a_worker_killed_mid_run_is_replaced_and_the_class_ends_with_one_certificate_each(
    configure_celery, private_redis, tmp_path
):
    cohort, instructor = make_class(CLASS_SIZE)
    configure_celery(task_always_eager=False, broker_url=private_redis.url, result_backend=None)
    workers = []

    def start_worker(name):
        worker = CeleryWorker(
            broker_url=private_redis.url, database_name=connection.settings_dict["NAME"], folder=tmp_path, name=name
        )
        workers.append(worker)
        return worker

    try:
        first = start_worker("first")
        batch = services.start_certificate_batch(cohort=cohort, requested_by=instructor)

        def first_chunk_done():
            assert first.process.poll() is None, first.tail()
            return CertificateBatch.objects.filter(pk=batch.pk, done__gte=services.CHUNK).exists()

        wait_for(first_chunk_done, timeout=90, what="the first chunk", interval=0.02)
        first.kill()

        batch.refresh_from_db()
        assert batch.status == "running" and batch.done < CLASS_SIZE  # killed mid-run
        assert Certificate.objects.filter(enrollment__cohort=cohort, status="pending").exists()

        second = start_worker("second")
        wait_for(
            lambda: CertificateBatch.objects.filter(pk=batch.pk, status="done").exists(),
            timeout=90,
            what=f"the second worker to finish the class:\n{second.tail()}",
            interval=0.1,
        )
    finally:
        for worker in workers:
            worker.stop()

    batch.refresh_from_db()
    assert (batch.done, batch.total, batch.issued) == (CLASS_SIZE, CLASS_SIZE, CLASS_SIZE)
    assert_one_valid_certificate_each(cohort)
    # Each student told once, though their chunk may have been rendered twice.
    students = cohort.enrollments.values_list("student", flat=True)
    assert sorted(Notification.objects.filter(recipient__in=students).values_list("recipient", flat=True)) == sorted(
        students
    )
