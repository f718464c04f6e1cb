"""Every address of the site × eight people: who may open it and who is refused.

A small world is built once: two students, two instructors each with their own class, two merchants each
with their own posting and applications, and staff. Each URL pattern of the project has an entry in
MATRIX below giving the request to make and who is allowed; everyone else must be refused — sent to
sign in when anonymous (pages), 401/403 (API), or 403/404 for someone signed in. Object addresses use the
first student's, instructor's or merchant's objects, so the "other" student, instructor and merchant prove
that no object is reachable by guessing its id. A new URL that is not in MATRIX fails the test, naming it.

Every request runs in a savepoint that is rolled back, so a POST that succeeds changes nothing the next
request sees. Wagtail's admin (every pattern under /admin/) is covered by one rule: it refuses everyone
but staff."""

import base64
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import pytest

from accounts.roles import Role
from jobs import services as job_services
from jobs.models import JobAlert, MerchantInvitation, PlacementRound
from school.models import CertificateBatch
from tests.factories import (
    ApplicationFactory,
    ClassSessionFactory,
    CohortFactory,
    CompletedEnrollmentFactory,
    EnrollmentFactory,
    GraduateProfileFactory,
    StaffFactory,
    StudentFactory,
    StudentProfileFactory,
    UserFactory,
    days_from_today,
)
from tests.jobs.pipeline_helpers import merchant_with_recruiter, open_posting, valid_certificate

ACTORS = ("anonymous", "student", "student2", "instructor", "instructor2", "merchant", "merchant2", "staff")
EVERYONE = frozenset(ACTORS)
SIGNED_IN = EVERYONE - {"anonymous"}
STUDENTS = frozenset({"student", "student2"})
INSTRUCTORS = frozenset({"instructor", "instructor2"})
MERCHANTS = frozenset({"merchant", "merchant2"})
STAFF = frozenset({"staff"})


class Rollback(Exception):
    pass


class World:
    """The people and their objects. `student`, `instructor` and `merchant` own what is probed; the
    second of each owns objects of the same kinds, so they are real users of their role."""

    def __init__(self):
        self.staff = StaffFactory()
        self.instructor = UserFactory(role=Role.INSTRUCTOR)
        self.instructor2 = UserFactory(role=Role.INSTRUCTOR)
        self.student = StudentFactory()
        self.student2 = StudentFactory()
        self.student_profile = StudentProfileFactory(user=self.student)
        StudentProfileFactory(user=self.student2)

        # Each instructor's open class, with a session and an enrolled student.
        self.cohort = CohortFactory()
        self.cohort.instructors.add(self.instructor)
        self.cohort2 = CohortFactory()
        self.cohort2.instructors.add(self.instructor2)
        self.session = ClassSessionFactory(cohort=self.cohort)
        self.session2 = ClassSessionFactory(cohort=self.cohort2)
        self.enrolment = EnrollmentFactory(student=self.student, cohort=self.cohort)
        self.enrolment2 = EnrollmentFactory(student=self.student2, cohort=self.cohort2)

        # A finished class of the instructor: the student's certificate and an issuing run.
        self.completed = CompletedEnrollmentFactory(student=self.student)
        self.completed.cohort.instructors.add(self.instructor)
        self.certificate = valid_certificate(self.completed)
        self.certificate.pdf.save("certificate.pdf", _pdf())
        self.batch = CertificateBatch.objects.create(cohort=self.completed.cohort, requested_by=self.instructor)
        completed2 = CompletedEnrollmentFactory(student=self.student2)
        completed2.cohort.instructors.add(self.instructor2)
        self.certificate2 = valid_certificate(completed2)

        # Job profiles: the first student keeps hers private (only the merchant she applied to may
        # see it); the second shares hers with every partner merchant.
        self.job_profile = GraduateProfileFactory(user=self.student, shared_with_merchants=False)
        self.job_profile.resume.save("resume.pdf", _pdf())
        self.job_profile2 = GraduateProfileFactory(user=self.student2, shared_with_merchants=True)

        self.merchant_org, self.merchant = merchant_with_recruiter()
        self.merchant_org2, self.merchant2 = merchant_with_recruiter()
        self.posting = open_posting(self.merchant_org)
        self.hired_posting = open_posting(self.merchant_org)
        self.posting2 = open_posting(self.merchant_org2)
        self.fresh_posting = open_posting(self.merchant_org2)  # nobody has applied yet
        self.application = job_services.apply(posting=self.posting, graduate=self.student)
        self.application2 = job_services.apply(posting=self.posting2, graduate=self.student2)
        hired = ApplicationFactory(posting=self.hired_posting, graduate=self.student, status="offer")
        placement = job_services.hire(
            application=hired, actor=self.merchant, start_date=days_from_today(-40), pay="5000", position="育婴师"
        )
        self.follow_up = placement.follow_ups.order_by("day").first()
        self.invitation = MerchantInvitation.objects.create(
            merchant=self.merchant_org, contact="13912345678", invited_by=self.merchant
        )
        self.alert = JobAlert.objects.create(email="alert@example.com", query="育婴")
        self.placement_round = PlacementRound.objects.create(name="六月", created_by=self.staff)

    def user(self, actor):
        return getattr(self, actor)


def _pdf(name=None):
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n", name=name)


@dataclass(frozen=True)
class Probe:
    method: str
    args: object  # world -> list of URL arguments
    allowed: frozenset
    data: dict = field(default_factory=dict)
    note: str = ""
    # Where someone who may not do this is sent (with a message) when the design answers with a
    # redirect rather than 403/404; formatted with w=the world.
    refused_to: str = ""
    # A file download: answering with an HTML page instead (Wagtail's password form) is a refusal.
    file: bool = False


def get(args, allowed, **kw):
    return Probe("get", args, frozenset(allowed), **kw)


def post(args, allowed, data=None, **kw):
    return Probe("post", args, frozenset(allowed), data=data or {}, **kw)


def none(w):
    return []


cohort = lambda w: [w.cohort.code]  # noqa: E731
session = lambda w: [w.cohort.code, w.session.pk]  # noqa: E731
posting = lambda w: [w.posting.pk]  # noqa: E731
application = lambda w: [w.application.pk]  # noqa: E731
TEACHERS = {"instructor", "staff"}

# URL name -> the probes made at it. Allowed sets are the design; everyone else must be refused.
MATRIX = {
    # --- Service and public files
    "healthz": [get(none, EVERYONE)],
    "ping": [get(none, EVERYONE)],
    "sitemap": [get(none, EVERYONE)],
    "jwks": [get(none, EVERYONE)],
    "robots": [get(none, EVERYONE)],
    # --- API: accounts and the catalogue
    "api:schema": [get(none, EVERYONE)],
    "api:docs": [get(none, EVERYONE)],
    "api:token": [post(none, EVERYONE)],
    "api:me": [get(none, SIGNED_IN)],
    "api:me-data": [get(none, SIGNED_IN)],
    "api:program-list": [get(none, EVERYONE)],
    "api:program-detail": [get(lambda w: [w.cohort.course.program.slug], EVERYONE)],
    "api:course-list": [get(none, EVERYONE)],
    "api:course-detail": [get(lambda w: [w.cohort.course.code], EVERYONE)],
    "api:cohort-list": [get(none, EVERYONE)],
    "api:cohort-detail": [get(cohort, EVERYONE)],
    # --- API: enrolment and teaching
    "api:enrolment-list": [get(none, SIGNED_IN)],
    "api:enrolment-detail": [get(lambda w: [w.enrolment.pk], {"student"})],
    "api:enrolment-withdraw": [post(lambda w: [w.enrolment.pk], {"student"})],
    "api:teaching-cohort-list": [get(none, INSTRUCTORS | STAFF)],
    "api:teaching-cohort-detail": [get(cohort, TEACHERS)],
    "api:teaching-cohort-attendance": [
        get(session, TEACHERS),
        get(lambda w: [w.cohort.code, w.session2.pk], set(), note="another class's session under my class"),
    ],
    "api:teaching-cohort-roster": [get(cohort, TEACHERS)],
    "api:teaching-cohort-scores": [get(cohort, TEACHERS)],
    "api:teaching-cohort-sessions": [get(cohort, TEACHERS)],
    # --- API: certificates
    "api:certificate-list": [get(none, SIGNED_IN)],
    "api:certificate-issue": [post(none, TEACHERS, data={"cohort": "<finished_cohort>"})],
    "api:certificate-revoke": [post(lambda w: [w.certificate.code], STAFF)],
    "api:certificate-batch": [get(lambda w: [w.batch.pk], TEACHERS)],
    "api:certificate-verify-detail": [get(lambda w: [w.certificate.code], EVERYONE)],
    # --- API: jobs
    "api:my-job-profile": [get(none, STUDENTS)],
    "api:my-job-recommendations": [get(none, STUDENTS)],
    "api:job-posting-match": [get(posting, STUDENTS)],
    "api:merchant-posting-recommended-candidates": [get(posting, {"merchant"})],
    "api:job-posting-list": [get(none, EVERYONE)],
    "api:job-posting-detail": [get(posting, EVERYONE)],
    "api:my-job-application-list": [get(none, STUDENTS)],
    "api:my-job-application-detail": [get(application, {"student"})],
    "api:my-job-application-withdraw": [post(application, {"student"})],
    "api:merchant-application-list": [get(none, MERCHANTS)],
    "api:merchant-application-detail": [get(application, {"merchant"})],
    "api:merchant-application-hire": [post(application, {"merchant"})],
    "api:merchant-application-move": [post(application, {"merchant"})],
    "api:candidate-list": [get(none, MERCHANTS)],
    "api:candidate-detail": [
        get(lambda w: [w.job_profile2.pk], MERCHANTS),
        get(lambda w: [w.job_profile.pk], set(), note="a profile not shared is no candidate"),
    ],
    "api:candidate-invite": [post(lambda w: [w.job_profile2.pk], MERCHANTS)],
    "api:merchant-posting-list": [get(none, MERCHANTS)],
    "api:merchant-posting-detail": [get(posting, {"merchant"})],
    "api:merchant-posting-close": [post(posting, {"merchant"})],
    "api:placement-round-list": [get(none, STAFF)],
    "api:placement-round-detail": [get(lambda w: [w.placement_round.pk], STAFF)],
    "api:placement-round-adjust": [post(lambda w: [w.placement_round.pk], STAFF)],
    "api:placement-round-propose": [post(lambda w: [w.placement_round.pk], STAFF)],
    "api:placement-round-send": [post(lambda w: [w.placement_round.pk], STAFF)],
    "api:placement-round-unpin": [post(lambda w: [w.placement_round.pk], STAFF)],
    "api:outcomes": [get(none, STAFF)],
    "api:outcomes-merchants": [get(none, STAFF)],
    # --- Accounts
    "accounts:sign_up": [get(none, EVERYONE)],
    # One's own personal data, and the request to delete it: always the signed-in person's own.
    "accounts:my_data": [get(none, SIGNED_IN)],
    "accounts:my_data_download": [get(none, SIGNED_IN)],
    "accounts:deletion_request": [get(none, SIGNED_IN)],
    "accounts:sign_in": [get(none, EVERYONE)],
    "accounts:sign_out": [post(none, EVERYONE)],
    "accounts:password_change": [get(none, SIGNED_IN)],
    "accounts:password_change_done": [get(none, SIGNED_IN)],
    "accounts:password_reset": [get(none, EVERYONE)],
    "accounts:password_reset_done": [get(none, EVERYONE)],
    "accounts:password_reset_confirm": [
        get(
            lambda w: [
                base64.urlsafe_b64encode(str(w.student.pk).encode()).decode().rstrip("="),
                default_token_generator.make_token(w.student),
            ],
            EVERYONE,
        )
    ],
    "accounts:password_reset_complete": [get(none, EVERYONE)],
    # --- Certificates
    "certificates:verify": [get(none, EVERYONE)],
    "certificates:verify_code": [get(lambda w: [w.certificate.code], EVERYONE)],
    "certificates:pdf": [get(lambda w: [w.certificate.code], {"student", "instructor", "staff"})],
    "certificates:credential": [get(lambda w: [w.certificate.code], {"student", "instructor", "staff"})],
    # --- Students
    "school:my_courses": [get(none, SIGNED_IN)],
    "school:profile": [get(none, SIGNED_IN)],
    "school:inbox": [get(none, SIGNED_IN)],
    "school:withdraw": [post(lambda w: [w.enrolment.pk], {"student"})],
    "school:enrol": [get(cohort, SIGNED_IN)],
    "school:calendar": [get(lambda w: [w.student_profile.calendar_token], EVERYONE, note="the token is the key")],
    # --- Instructors
    "school:instructor_dashboard": [get(none, INSTRUCTORS | STAFF)],
    "school:attendance_sessions": [get(cohort, TEACHERS)],
    "school:attendance_generate": [post(cohort, TEACHERS)],
    "school:attendance_roster": [
        get(session, TEACHERS),
        get(lambda w: [w.cohort.code, w.session2.pk], set(), note="another class's session under my class"),
    ],
    "school:attendance_cancel": [post(session, TEACHERS)],
    "school:attendance_mark": [
        post(lambda w: [w.cohort.code, w.session.pk, w.enrolment.pk], TEACHERS),
        post(lambda w: [w.cohort.code, w.session.pk, w.enrolment2.pk], set(), note="a student of another class"),
    ],
    "school:attendance_at_risk": [get(cohort, TEACHERS)],
    "school:assessment_scores": [get(cohort, TEACHERS)],
    "school:assessment_score_import": [get(cohort, TEACHERS)],
    "school:assessment_score_template": [get(cohort, TEACHERS)],
    "school:assessment_finalise": [get(cohort, TEACHERS)],
    "school:certificate_list": [get(cohort, TEACHERS)],
    "school:certificate_issue": [
        post(lambda w: [w.completed.cohort.code], TEACHERS, data={"enrollment": "<completed>"}),
        post(cohort, set(), data={"enrollment": "<completed>"}, note="another class's student under my class"),
    ],
    "school:certificate_issue_all": [post(cohort, TEACHERS)],
    "school:certificate_batch": [
        get(lambda w: [w.completed.cohort.code, w.batch.pk], TEACHERS),
        get(lambda w: [w.cohort.code, w.batch.pk], set(), note="a batch of another class under my class"),
    ],
    "school:certificate_zip": [get(lambda w: [w.completed.cohort.code], TEACHERS)],
    # --- Job board and graduates
    "jobs:board": [get(none, EVERYONE)],
    "jobs:posting_detail": [get(posting, EVERYONE)],
    "jobs:apply": [post(lambda w: [w.fresh_posting.pk], STUDENTS, refused_to="/jobs/{w.fresh_posting.pk}/")],
    "jobs:alert_create": [post(none, EVERYONE)],
    "jobs:alert_new": [get(none, EVERYONE)],
    "jobs:alert_confirm": [get(lambda w: [w.alert.token], EVERYONE, note="the token is the key")],
    "jobs:alert_unsubscribe": [get(lambda w: [w.alert.token], EVERYONE, note="the token is the key")],
    "jobs:profile": [get(none, STUDENTS, refused_to="/jobs/")],
    "jobs:consent": [post(none, STUDENTS, refused_to="/jobs/")],
    "jobs:resume": [get(lambda w: [w.job_profile.pk], {"student", "merchant", "staff"})],
    "jobs:my_applications": [get(none, STUDENTS, refused_to="/jobs/")],
    "jobs:withdraw_application": [post(application, {"student"}, refused_to="/jobs/")],
    # --- Merchants
    "jobs:merchant_apply": [get(none, SIGNED_IN)],
    "jobs:merchant_home": [get(none, SIGNED_IN)],
    "jobs:merchant_dashboard": [get(lambda w: [w.merchant_org.pk], {"merchant"})],
    "jobs:merchant_profile": [get(lambda w: [w.merchant_org.pk], {"merchant"})],
    "jobs:merchant_members": [get(lambda w: [w.merchant_org.pk], {"merchant"})],
    "jobs:merchant_posting_new": [get(lambda w: [w.merchant_org.pk], {"merchant"})],
    "jobs:merchant_posting_edit": [get(posting, {"merchant"})],
    "jobs:merchant_posting_close": [post(posting, {"merchant"})],
    "jobs:invitation": [get(lambda w: [w.invitation.token], SIGNED_IN, note="the token is the key")],
    "jobs:posting_applications": [get(lambda w: [w.posting.pk], {"merchant"})],
    "jobs:application_move": [
        post(lambda w: [w.posting.pk, w.application.pk], {"merchant"}, data={"to_status": "interview"}),
        post(
            lambda w: [w.posting.pk, w.application2.pk],
            set(),
            data={"to_status": "interview"},
            note="another merchant's application under my posting",
        ),
    ],
    "jobs:application_hire": [post(lambda w: [w.posting.pk, w.application.pk], {"merchant"})],
    "jobs:candidates": [get(none, MERCHANTS)],
    "jobs:candidate_invite": [
        post(lambda w: [w.job_profile2.pk], MERCHANTS),
        post(lambda w: [w.job_profile.pk], set(), note="a profile not shared is no candidate"),
    ],
    "jobs:follow_up": [get(lambda w: [w.follow_up.pk], {"student", "merchant", "staff"})],
    "jobs:posting_recommended": [get(posting, {"merchant"})],
    "jobs:posting_recommended_invite": [post(lambda w: [w.posting.pk, w.job_profile2.pk], {"merchant"})],
    # --- Wagtail's public pages
    "wagtail_serve": [get(lambda w: [""], EVERYONE)],
    "wagtailcore_login": [get(none, EVERYONE)],
    "wagtailcore_authenticate_with_password": [get(lambda w: [w.restriction.pk, w.restriction.page_id], EVERYONE)],
    # --- Wagtail's documents: public ones for all; a password-protected collection's behind its form
    "wagtaildocs_serve": [
        get(lambda w: [w.document.pk, "brochure.pdf"], EVERYONE, file=True),
        get(
            lambda w: [w.private_document.pk, "private.pdf"],
            set(),
            file=True,
            note="a collection behind a password: its form, not the file",
        ),
    ],
    "wagtaildocs_authenticate_with_password": [get(lambda w: [w.collection_restriction.pk], EVERYONE)],
}


# --- Walking the URL patterns ----------------------------------------------------------------------------


def url_patterns():
    """(route, name, callback) for every pattern, with namespaced names and the full route."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns, "", None))


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


# Answers a JSON 404 to everyone for an /api/ address no route matches: nothing behind it to protect
# (tests/baijia/test_api.py).
CATCH_ALL = {"api_not_found"}


# --- Judging a response --------------------------------------------------------------------------------


def sends_to_sign_in(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path.rstrip("/").endswith(
        ("/accounts/sign-in", "/admin/login")
    )


def verdict(response, *, refused_to: str = "", file: bool = False) -> str:
    status = response.status_code
    if sends_to_sign_in(response) or status in (401, 403, 404):
        return "refused"
    if file and status == 200 and response["Content-Type"].startswith("text/html"):
        return "refused"
    if refused_to and status == 302 and urlsplit(response["Location"]).path == refused_to:
        return "refused"
    # 400: the request got past every check of who is asking, to the check of what was sent.
    return "allowed" if status <= 400 else f"unexpected {status}"


def refusal_is_right(actor: str, response, *, api: bool, refused_to: str) -> bool:
    """Anonymous: sent to sign in (pages) or 401/403 (API). Signed in: 403/404, or the page's own
    redirect with a message (refused_to)."""
    if refused_to and response.status_code == 302 and urlsplit(response["Location"]).path == refused_to:
        return True
    if response.status_code == 200:  # a file behind a form
        return True
    if actor == "anonymous":
        return response.status_code in (401, 403) if api else sends_to_sign_in(response)
    return not sends_to_sign_in(response)


def actors_for(probe: Probe) -> tuple[str, ...]:
    """A public address has no owner to guess at: anonymous and someone signed in show it is public
    (and keep the test quick). Every other address is tried by all eight."""
    if probe.allowed == EVERYONE:
        return ("anonymous", "student")
    return ACTORS


@pytest.fixture
def world(db, catalogue):
    from wagtail.documents.models import Document
    from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

    world = World()
    world.restriction = PageViewRestriction.objects.create(
        page=catalogue.index, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    private = Collection.get_first_root_node().add_child(name="内部资料")
    world.collection_restriction = CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.PASSWORD, password="secret"
    )
    world.document = Document.objects.create(title="招生简章", file=_pdf("brochure.pdf"))
    world.private_document = Document.objects.create(title="内部", file=_pdf("private.pdf"), collection=private)
    return world


def _clients(world):
    clients = {"anonymous": Client()}
    for actor in ACTORS[1:]:
        client = Client()
        client.force_login(world.user(actor))
        clients[actor] = client
    return clients


def _request(client, method, url, data):
    """One request whose writes are rolled back; a fresh client with the same cookies, so signing out
    or a new session key does not outlive it."""
    fresh = Client()
    fresh.cookies = client.cookies.__class__(client.cookies)
    try:
        with transaction.atomic():
            response = getattr(fresh, method)(url, data) if method == "post" else fresh.get(url)
            raise Rollback
    except Rollback:
        pass
    return response


def test_every_url_is_in_the_matrix():
    routes = [(route, name) for route, name in url_patterns() if not is_admin(route) and name not in CATCH_ALL]
    missing = sorted({f"{name or '(unnamed)'}  ({route})" for route, name in routes if name not in MATRIX})
    assert not missing, "Classify these URLs in MATRIX (tests/security/test_permission_matrix.py):\n" + "\n".join(
        missing
    )
    stale = sorted(set(MATRIX) - {name for _route, name in routes})
    assert not stale, f"MATRIX names URLs that no longer exist: {stale}"


def test_each_person_is_allowed_or_refused_as_designed(world):
    clients = _clients(world)
    placeholders = {"<finished_cohort>": world.completed.cohort.pk, "<completed>": world.completed.pk}
    wrong = []
    for name, probes in MATRIX.items():
        for probe in probes:
            args = probe.args(world)
            url = reverse(name, args=args)
            api = url.startswith("/api/")
            data = {key: placeholders.get(value, value) for key, value in probe.data.items()}
            refused_to = probe.refused_to.format(w=world)
            for actor in actors_for(probe):
                response = _request(clients[actor], probe.method, url, data)
                seen = verdict(response, refused_to=refused_to, file=probe.file)
                expected = "allowed" if actor in probe.allowed else "refused"
                where = f"{probe.method.upper()} {url} as {actor}" + (f" ({probe.note})" if probe.note else "")
                answer = f"{response.status_code} {response.get('Location', '')}".strip()
                if seen != expected:
                    wrong.append(f"{where}: expected {expected}, got {answer}")
                elif seen == "refused" and not refusal_is_right(actor, response, api=api, refused_to=refused_to):
                    wrong.append(f"{where}: refused the wrong way: {answer}")
    assert not wrong, "\n".join(wrong)


# --- Wagtail's admin: one rule ------------------------------------------------------------------------

# The admin's own doors, open to anyone: signing in, resetting a password, and the static bits the
# sign-in page needs. Every other admin address refuses everyone but staff.
ADMIN_PUBLIC = {
    "/admin/login/",
    "/admin/logout/",
    "/admin/password_reset/",
    "/admin/password_reset/done/",
    "/admin/password_reset/complete/",
    "/admin/password_reset/confirm/x/x/",
    "/admin/jsi18n/",
    "/admin/sprite/",
    "/admin/test404/",
    "/admin/failwhale/",
}
SIGNED_IN_NOT_STAFF = ("student", "instructor", "merchant", "student2", "instructor2", "merchant2")


def concrete(route: str) -> str:
    """An address for a pattern: 1 for numbers, x for words, the regex markers dropped."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x", path)
    return "/" + path.replace("^", "").replace("$", "").replace(".*", "x").replace("\\.", ".")


def test_the_admin_refuses_everyone_but_staff(world):
    """Every admin pattern, anonymous and a signed-in person of each other role in turn (one per pattern,
    enough to show the admin's own check stands in front of all of them)."""
    clients = _clients(world)
    paths = sorted({concrete(route) for route, _name in url_patterns() if route.startswith("admin/")} - ADMIN_PUBLIC)
    wrong = []
    for index, path in enumerate(paths):
        for actor in ("anonymous", SIGNED_IN_NOT_STAFF[index % len(SIGNED_IN_NOT_STAFF)]):
            response = _request(clients[actor], "get", path, {})
            if verdict(response) != "refused":
                wrong.append(f"GET {path} as {actor}: {response.status_code} {response.get('Location', '')}")
    assert len(paths) > 300
    assert not wrong, "\n".join(wrong)
