"""Fifty students press "enrol" at the same moment for a ten-seat class."""

import threading

from django.db import connection

import pytest

from school.models import Cohort, Enrollment
from school.services.enrolment import enrol
from tests.factories import CohortFactory, StudentFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_fifty_simultaneous_enrolments_fill_ten_seats_and_a_gapless_waiting_list():
    cohort = CohortFactory(capacity=10)
    students = [StudentFactory() for _ in range(50)]
    start = threading.Barrier(len(students))
    errors = []

    def press_enrol(student):
        try:
            start.wait()
            enrol(student=student, cohort=cohort)
        except Exception as error:  # noqa: BLE001 - any failure is a test failure, reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press_enrol, args=(student,)) for student in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    cohort.refresh_from_db()
    statuses = list(Enrollment.objects.filter(cohort=cohort).values_list("status", flat=True))
    assert statuses.count("enrolled") == 10
    assert statuses.count("waitlisted") == 40
    assert cohort.seats_taken == 10 and cohort.status == Cohort.Status.FULL
    positions = sorted(Enrollment.objects.filter(cohort=cohort).waitlist().values_list("position", flat=True))
    assert positions == list(range(1, 41))
