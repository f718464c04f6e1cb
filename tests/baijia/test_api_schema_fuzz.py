"""Schemathesis against /api/v1/schema/: every operation, called as each role with data generated from
the schema, answers without a server error, with a status code the schema lists and a body that
matches the schema. Path parameters are either generated or one of a small world's real objects, so
the handlers run past their lookups. Derandomised (the same cases every run) and bounded."""

import os

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from tests.factories import (
    ApplicationFactory,
    AssessmentItemFactory,
    ClassSessionFactory,
    CohortFactory,
    CompletedEnrollmentFactory,
    EnrollmentFactory,
    GraduateProfileFactory,
    JobPostingFactory,
    MerchantFactory,
    StaffFactory,
    StudentFactory,
    StudentProfileFactory,
    UserFactory,
)
from tests.jobs.pipeline_helpers import valid_certificate

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and role: enough to reach each handler's branches, cheap enough for the suite
# (FUZZ_EXAMPLES=200 for a deeper run by hand).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))


@pytest.fixture
def wsgi_app():
    # Requests run in the test's thread and transaction, as with Django's test client, which also
    # stops request_started/finished from closing the connection (that would end the transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class World:
    """One of each thing the API serves, owned by the people who may see it."""

    def __init__(self):
        self.student = StudentProfileFactory(district="jianxi").user
        self.instructor = UserFactory(role=Role.INSTRUCTOR)
        self.staff = StaffFactory()
        owner = UserFactory(role=Role.MERCHANT)
        self.merchant = owner
        merchant = MerchantFactory(owner=owner)

        cohort = CohortFactory()
        cohort.instructors.add(self.instructor)
        AssessmentItemFactory(course=cohort.course)
        session = ClassSessionFactory(cohort=cohort)
        enrolment = EnrollmentFactory(student=self.student, cohort=cohort)
        finished = CompletedEnrollmentFactory(student=StudentFactory())
        finished.cohort.instructors.add(self.instructor)
        certificate = valid_certificate(finished)
        graduate = GraduateProfileFactory(user=finished.student).user
        GraduateProfileFactory(user=self.student)
        posting = JobPostingFactory(merchant=merchant)
        application = ApplicationFactory(posting=posting, graduate=self.student)

        # Real values for path parameters, by the path they belong to.
        self.path_parameters = {
            "/api/v1/certificates/{code}/": {"code": certificate.code},
            "/api/v1/certificates/{code}/revoke/": {"code": certificate.code},
            "/api/v1/cohorts/{code}/": {"code": cohort.code},
            "/api/v1/courses/{code}/": {"code": cohort.course.code},
            "/api/v1/programs/{slug}/": {"slug": cohort.course.program.slug},
            "/api/v1/enrolments/{id}/": {"id": enrolment.pk},
            "/api/v1/enrolments/{id}/withdraw/": {"id": enrolment.pk},
            "/api/v1/jobs/merchant/applications/{id}/": {"id": application.pk},
            "/api/v1/jobs/merchant/applications/{id}/hire/": {"id": application.pk},
            "/api/v1/jobs/merchant/applications/{id}/move/": {"id": application.pk},
            "/api/v1/jobs/merchant/candidates/{id}/": {"id": graduate.pk},
            "/api/v1/jobs/merchant/candidates/{id}/invite/": {"id": graduate.pk},
            "/api/v1/jobs/merchant/postings/{id}/": {"id": posting.pk},
            "/api/v1/jobs/merchant/postings/{id}/close/": {"id": posting.pk},
            "/api/v1/jobs/merchant/postings/{id}/recommended-candidates/": {"id": posting.pk},
            "/api/v1/jobs/my/applications/{id}/": {"id": application.pk},
            "/api/v1/jobs/my/applications/{id}/withdraw/": {"id": application.pk},
            "/api/v1/jobs/postings/{id}/": {"id": posting.pk},
            "/api/v1/jobs/postings/{id}/match/": {"id": posting.pk},
            "/api/v1/teaching/cohorts/{code}/": {"code": cohort.code},
            "/api/v1/teaching/cohorts/{code}/roster/": {"code": cohort.code},
            "/api/v1/teaching/cohorts/{code}/scores/": {"code": cohort.code},
            "/api/v1/teaching/cohorts/{code}/sessions/": {"code": cohort.code},
            "/api/v1/teaching/cohorts/{code}/sessions/{session_id}/attendance/": {
                "code": cohort.code,
                "session_id": session.pk,
            },
        }

    def user(self, role: str):
        return {
            Role.STUDENT: self.student,
            Role.INSTRUCTOR: self.instructor,
            Role.MERCHANT: self.merchant,
            Role.STAFF: self.staff,
        }[role]


# What each role must get a 2xx answer from, so a run where every call was refused (a broken token,
# say: 401 and 403 are documented everywhere) cannot pass.
ANSWERED = {
    Role.STUDENT: "GET /api/v1/enrolments/{id}/",
    Role.INSTRUCTOR: "GET /api/v1/teaching/cohorts/{code}/roster/",
    Role.MERCHANT: "GET /api/v1/jobs/merchant/applications/{id}/",
    Role.STAFF: "GET /api/v1/certificates/",
}


def cases(operation, world: World):
    generated = operation.as_strategy()
    real = world.path_parameters.get(operation.path)
    return st.one_of(operation.as_strategy(path_parameters=real), generated) if real else generated


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.MERCHANT, Role.STAFF])
def test_every_api_operation_answers_as_its_schema_says(role, wsgi_app):
    world = World()
    headers = {"Authorization": f"Token {Token.objects.create(user=world.user(role)).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    failures, answered = [], set()

    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"

        @given(case=cases(operation, world))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            if case.call_and_validate(headers=headers, checks=CHECKS).status_code < 300:
                answered.add(f"{case.operation.method.upper()} {case.operation.path}")

        try:
            call()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failures are reported together
            failures.append(f"{name}: {error}")

    assert not failures, f"{len(failures)} operations failed as {role}:\n\n" + "\n\n".join(failures)
    assert {"GET /api/v1/me/", ANSWERED[role]} <= answered, sorted(answered)
