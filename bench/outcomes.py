"""`python -m bench outcomes`: the outcome measures (jobs.outcomes.measures) over 100,000 enrolments.

Seeds, in bulk, a school of the usual shape on a scratch database (SQLite, or the PostgreSQL database
DATABASE_URL names, created and dropped): the demo's programs with ten courses each, about 2,000 classes
over the past three years with their instructors, students of whom one in five takes a second class,
enrolments in every status (mostly completed), valid and revoked certificates, jobs found through the
school (some paid by the hour, some with social insurance, some ended) with their 30/90/180-day follow-ups
(some answered), and the merchants who hired. Bulk writes send no signals, so the outcome rows are then
built with jobs.outcomes.rows.rebuild_outcomes (timed: rebuild_s). Then times, after a warm-up, the
median of --runs:

- dashboard_ms: everything the staff dashboard computes for its default filter (the last 12 months):
  headline, outcome_table by month, program, course and instructor, and hires_per_merchant;
- public_page_ms: the public page's figures, outcome_table by program and by course for the same months;
  where jobs.outcomes.public exists, also public_outcomes() with its cache cold, and where a cms.OutcomesPage
  can be made, a GET of it through the Django test client with the page cache cold.

`--explain PATH` writes EXPLAIN (ANALYZE, BUFFERS) of every dashboard query to PATH (PostgreSQL)."""

import bisect
import datetime
import hashlib
import os
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path

from bench import percentiles_ms, target
from bench.server import ScratchDatabase, in_process_scratch

describe = "outcome measures at 100k enrolments: the staff dashboard's queries and the public page's figures"

DASHBOARD_LIMIT_MS = 1000
PUBLIC_PAGE_LIMIT_MS = 200
ENROLMENTS_PER_CLASS = 50  # 100,000 enrolments → 2,000 classes
COURSES_PER_PROGRAM = 10
INSTRUCTORS = 80
MERCHANTS = 300
YEARS = 3
CHUNK = 10_000  # enrolments written per transaction
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "丽建国秀英志强海燕文博静怡子涵春梅晓明婷婷雨桐浩然欣怡俊杰佳琪宇航思远梦瑶"
# How a finished class's enrolments ended (waiting-list and cancelled ones never took a seat).
FINISHED_STATUSES = {"completed": 78, "failed": 6, "withdrawn": 8, "waitlisted": 3, "cancelled": 1, "rejected": 1}
REPEAT_SHARE = 0.2  # enrolments by a student who already took another class


def add_arguments(parser):
    parser.add_argument("--enrolments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each measurement (after a warm-up)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--explain", type=Path, help="write EXPLAIN ANALYZE of the dashboard's queries here")
    parser.add_argument(
        "--sqlite-template",
        help="an already migrated SQLite database to copy instead of migrating (the smoke test's)",
    )


def run(options) -> dict:
    if options.enrolments < 500 or options.runs < 1:
        raise SystemExit("--enrolments must be at least 500 and --runs at least 1")
    return in_process_scratch("outcomes", lambda folder, database: _measure(options, folder, database))


def _django(database_url: str, folder: Path) -> None:
    # The scratch database and media folders, never the developer's db.sqlite3 or media/.
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private-media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baijia.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _measure(options, folder: Path, database: ScratchDatabase) -> dict:
    database.copy_from(options.sqlite_template)
    _django(database.url, folder)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client, for the public page
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - start

    start = time.perf_counter()
    rows = _seed(random.Random(options.seed), options.enrolments)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would soon do after a bulk load
    seed_s = time.perf_counter() - start
    # Seeding wrote in bulk, which sends no signals: build the outcome rows as `rebuild_outcomes` does
    # (on tables with their statistics: without them PostgreSQL scans whole tables in each subquery).
    from jobs.outcomes.rows import rebuild_outcomes

    start = time.perf_counter()
    rows["outcome_rows"] = rebuild_outcomes()
    rebuild_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_enrollmentoutcome")

    result = {
        "benchmark": "outcomes",
        "database": connection.vendor,
        "enrolments": options.enrolments,
        "runs": options.runs,
        "migrate_s": round(migrate_s, 2),
        "seed_s": round(seed_s, 2),
        "rebuild_s": round(rebuild_s, 2),
        "rows": rows,
    }
    result.update(_time_dashboard(options.runs))
    result.update(_time_public(options.runs))
    if options.explain:
        result["explain"] = _explain(options.explain)
    result["targets"] = [
        target("dashboard_ms", result["dashboard_ms"], DASHBOARD_LIMIT_MS, "lower"),
        target("public_page_ms", result["public_page_ms"], PUBLIC_PAGE_LIMIT_MS, "lower"),
    ]
    return result


# --- Seeding ---------------------------------------------------------------------------------------


def _today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def _seed(rng: random.Random, enrolments: int) -> dict:
    from django.db import transaction

    today = _today()
    with transaction.atomic():
        school = _seed_school(rng, today, classes=max(10, enrolments // ENROLMENTS_PER_CLASS))
    students = round(enrolments * (1 - REPEAT_SHARE))
    taken: dict[int, set] = {}  # student number → classes taken (one place per class)
    made = 0
    while made < enrolments:
        size = min(CHUNK, enrolments - made)
        with transaction.atomic():
            _seed_enrolments(rng, school, today, made, size, students, taken)
        made += size
    with transaction.atomic():
        _count_seats()
    return _row_counts()


class _School:
    """What the enrolments are written against."""

    cohorts: list
    by_start: list  # the classes by first day
    starts: list  # their first days
    ended: list  # the classes that have finished, with their course
    running: list
    template: object
    staff: object
    merchants: list
    students: dict  # student number → User id

    def starting_between(self, after: datetime.date, until: datetime.date) -> list:
        return self.by_start[bisect.bisect_right(self.starts, after) : bisect.bisect_right(self.starts, until)]


def _seed_school(rng: random.Random, today: datetime.date, *, classes: int) -> _School:
    """Programs (the demo's), ten courses each, `classes` classes ending over the past three years (a
    few still running), each with one or two of the instructors, and the merchants."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from jobs.demo import credit_code
    from jobs.models import Merchant
    from school.demo import PROGRAM_CODES, PROGRAMS
    from school.models import CertificateTemplate, Cohort, Course, Program

    User = get_user_model()
    school = _School()
    school.students = {}
    programs = Program.objects.bulk_create(
        [
            Program(slug=spec.slug, code=PROGRAM_CODES[spec.slug], name=spec.name, name_en=spec.name_en, sort_order=n)
            for n, spec in enumerate(PROGRAMS, start=1)
        ]
    )
    school.template = CertificateTemplate.objects.create(name="压测结业证书", signatory="校长 王志强")
    courses = Course.objects.bulk_create(
        [
            Course(
                code=f"{program.code}-{101 + n}",
                title=f"{program.name}课程{n + 1}",
                title_en=f"{program.name_en} {n + 1}",
                program=program,
                hours=rng.choice([48, 64, 96, 120]),
                fee=Decimal(rng.choice([0, 980, 1800, 2600])),
                certificate_template=school.template,
            )
            for program in programs
            for n in range(COURSES_PER_PROGRAM)
        ]
    )
    instructors = User.objects.bulk_create(
        [
            User(
                phone=f"136{n:08d}",
                display_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                password=UNUSABLE_PASSWORD_PREFIX,
            )
            for n in range(INSTRUCTORS)
        ]
    )
    group, _created = Group.objects.get_or_create(name=Role.INSTRUCTOR)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group=group) for u in instructors])
    school.staff = User.objects.create(phone="13800000000", display_name="教务处", is_staff=True)
    school.staff.groups.add(Group.objects.get_or_create(name=Role.STAFF)[0])

    cohorts = []
    for n in range(classes):
        course = rng.choice(courses)
        # Most classes have finished; one in thirty is still running.
        end = today + datetime.timedelta(days=rng.randint(1, 60) if n % 30 == 0 else -rng.randint(1, 365 * YEARS))
        start = end - datetime.timedelta(days=course.hours // 3 * 2 + 7)
        cohorts.append(
            Cohort(
                course=course,
                code=f"{course.code}-{n + 1:05d}",
                start_date=start,
                end_date=end,
                weekdays=[1, 3, 5],
                class_starts=datetime.time(9),
                class_ends=datetime.time(12),
                capacity=32000,  # seats do not matter here, and classes are big at this scale
                enrolment_opens=start - datetime.timedelta(days=30),
                enrolment_closes=start - datetime.timedelta(days=1),
                status=Cohort.Status.FINISHED if end < today else Cohort.Status.RUNNING,
                location="洛龙区开元大道 188 号百佳大厦",
            )
        )
    school.cohorts = Cohort.objects.bulk_create(cohorts, batch_size=2000)
    for cohort in school.cohorts:
        cohort.course = next(c for c in courses if c.pk == cohort.course_id)
    school.by_start = sorted(school.cohorts, key=lambda cohort: cohort.start_date)
    school.starts = [cohort.start_date for cohort in school.by_start]
    school.ended = [cohort for cohort in school.cohorts if cohort.end_date < today]
    school.running = [cohort for cohort in school.cohorts if cohort.end_date >= today]
    through = Cohort.instructors.through
    through.objects.bulk_create(
        [
            through(cohort_id=cohort.pk, user_id=instructor.pk)
            for cohort in school.cohorts
            for instructor in rng.sample(instructors, rng.choice([1, 1, 1, 2]))
        ],
        batch_size=5000,
    )
    merchants = []
    for n in range(MERCHANTS):
        merchants.append(
            Merchant(
                name=f"洛阳{rng.choice(SURNAMES)}氏服务有限公司{n + 1}",
                credit_code=credit_code(200_000 + n, "luolong"),
                industry=rng.choice(["housekeeping", "retail", "tourism", "it", "ecommerce", "design"]),
                district="luolong",
                address=f"开元大道 {n + 1} 号",
                contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                contact_phone=f"139{n:08d}",
                licence="merchant-licences/bench.pdf",
                status=Merchant.Status.APPROVED,
            )
        )
    school.merchants = Merchant.objects.bulk_create(merchants)
    return school


def _seed_enrolments(rng, school: _School, today, first: int, count: int, students: int, taken: dict) -> None:
    """`count` enrolments: the first `students` each by a new student, the rest by a student who took an
    earlier class; with certificates, jobs and follow-ups as they would be by `today`."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from jobs.models import FollowUp, PayPeriod, Placement
    from school.models import Certificate, Enrollment
    from school.models.certificates import CODE_ALPHABET, CODE_LENGTH

    User = get_user_model()
    new = [n for n in range(first, first + count) if n < students]
    users = User.objects.bulk_create(
        [
            User(
                phone=f"13{n:09d}",
                display_name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                password=UNUSABLE_PASSWORD_PREFIX,
            )
            for n in new
        ],
        batch_size=2000,
    )
    group, _created = Group.objects.get_or_create(name=Role.STUDENT)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group=group) for user in users], batch_size=5000
    )
    school.students.update({n: user.pk for n, user in zip(new, users, strict=True)})

    specs = []  # (student id, cohort, status)
    for n in range(first, first + count):
        if n < students:
            student, cohort = n, rng.choice(school.cohorts)
        else:
            student = rng.randrange(min(students, n))
            earlier = max(taken.get(student, ()), key=lambda c: c.end_date, default=None)
            # Often a class starting within 90 days of the last one's end (so that one is not an exit).
            soon = (
                school.starting_between(earlier.end_date, earlier.end_date + datetime.timedelta(days=90))
                if earlier
                else []
            )
            cohort = rng.choice(soon) if soon and rng.random() < 0.6 else rng.choice(school.cohorts)
        if cohort in taken.get(student, ()):
            cohort = rng.choice(school.cohorts)
            if cohort in taken.get(student, ()):
                continue
        taken.setdefault(student, set()).add(cohort)
        if cohort.end_date >= today:
            status = rng.choices(["enrolled", "withdrawn", "waitlisted"], weights=[90, 5, 5])[0]
        else:
            status = rng.choices(list(FINISHED_STATUSES), weights=list(FINISHED_STATUSES.values()))[0]
        specs.append((school.students[student], cohort, status))

    enrolments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                student_id=student,
                cohort=cohort,
                status=status,
                waitlisted_at=datetime.datetime.combine(cohort.enrolment_opens, datetime.time(9), datetime.UTC)
                if status == "waitlisted"
                else None,
                final_score=Decimal(rng.randint(60, 99)) if status == "completed" else None,
            )
            for student, cohort, status in specs
        ],
        batch_size=2000,
    )

    certificates, placements = [], []
    for enrollment, (student, cohort, status) in zip(enrolments, specs, strict=True):
        if status == "completed" and rng.random() < 0.88:
            revoked = rng.random() < 0.04
            number = f"BJ-{cohort.course.code}-{enrollment.pk:08d}"
            issued_on = min(cohort.end_date + datetime.timedelta(days=rng.randint(2, 20)), today)
            certificates.append(
                Certificate(
                    enrollment=enrollment,
                    number=number,
                    code="".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH)),
                    status=Certificate.Status.REVOKED if revoked else Certificate.Status.VALID,
                    template=school.template,
                    holder_name="学员",
                    course_title=cohort.course.title,
                    hours=cohort.course.hours,
                    start_date=cohort.start_date,
                    end_date=cohort.end_date,
                    final_score=enrollment.final_score,
                    issued_on=issued_on,
                    sha256=hashlib.sha256(number.encode()).hexdigest(),
                    issued_by=school.staff,
                    revoked_at=datetime.datetime.now(datetime.UTC) if revoked else None,
                )
            )
        # Six in ten who complete find a job through the school, a few who did not complete too.
        if rng.random() < (0.6 if status == "completed" else 0.05 if status in ("failed", "withdrawn") else 0):
            start = cohort.end_date + datetime.timedelta(days=int(rng.triangular(-20, 300, 25)))
            if start > today:
                continue
            hourly = rng.random() < 0.2
            ended = start + datetime.timedelta(days=rng.randint(20, 500)) if rng.random() < 0.3 else None
            placements.append(
                Placement(
                    graduate_id=student,
                    merchant=rng.choice(school.merchants),
                    position=cohort.course.title[:20] + "岗位",
                    start_date=start,
                    pay=Decimal(rng.randint(18, 35)) if hourly else Decimal(rng.randrange(3000, 8001, 100)),
                    pay_period=PayPeriod.HOUR if hourly else PayPeriod.MONTH,
                    social_insurance=rng.random() < 0.45,
                    ended_on=ended if ended is None or ended <= today else None,
                )
            )
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    placements = Placement.objects.bulk_create(placements, batch_size=2000)
    follow_ups = []
    for placement in placements:
        for day in (30, 90, 180):
            due = placement.start_date + datetime.timedelta(days=day)
            answered = due <= today and rng.random() < 0.7
            still = answered and (placement.ended_on is None or placement.ended_on > due)
            follow_ups.append(
                FollowUp(
                    placement=placement,
                    day=day,
                    due_on=due,
                    asked_at=datetime.datetime.combine(due, datetime.time(10), datetime.UTC) if due <= today else None,
                    still_employed=still if answered else None,
                    answered_at=datetime.datetime.combine(due, datetime.time(15), datetime.UTC) if answered else None,
                )
            )
    FollowUp.objects.bulk_create(follow_ups, batch_size=5000)


def _count_seats() -> None:
    """Running classes' seats_taken, as enrolment keeps it."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from school.models import Cohort, Enrollment

    held = (
        Enrollment.objects.filter(cohort=OuterRef("pk"), status__in=Enrollment.SEAT_HOLDING)
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Cohort.objects.update(seats_taken=Coalesce(Subquery(held), 0))


def _row_counts() -> dict:
    from django.db.models import Count

    from jobs.models import FollowUp, Merchant, Placement
    from school.models import Certificate, Cohort, Course, Enrollment, Program

    return {
        "programs": Program.objects.count(),
        "courses": Course.objects.count(),
        "classes": Cohort.objects.count(),
        "enrolments": Enrollment.objects.count(),
        "by_status": dict(Enrollment.objects.values_list("status").annotate(n=Count("pk")).order_by("status")),
        "students": Enrollment.objects.values("student").distinct().count(),
        "certificates": Certificate.objects.count(),
        "valid_certificates": Certificate.objects.filter(status=Certificate.Status.VALID).count(),
        "placements": Placement.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "answered_follow_ups": FollowUp.objects.filter(still_employed__isnull=False).count(),
        "merchants": Merchant.objects.count(),
    }


# --- Timing ----------------------------------------------------------------------------------------


def _dashboard_filters():
    """The dashboard's default: from the first day of the month eleven months back to today (as
    jobs.admin_outcomes.last_twelve_months)."""
    from jobs.outcomes.measures import Filters

    today = _today()
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return Filters(start=datetime.date(year, month + 1, 1), end=today)


def _public_filters():
    """The public page's period: the twelve whole months before this one (as jobs.outcomes.public)."""
    from jobs.outcomes.measures import Filters

    end = _today().replace(day=1) - datetime.timedelta(days=1)
    year, month = divmod(end.year * 12 + end.month - 1 - 11, 12)
    return Filters(start=datetime.date(year, month + 1, 1), end=end)


def _dashboard_parts() -> dict:
    """What the staff dashboard computes, by part (each consumed in full, as a page would)."""
    from jobs.outcomes.measures import headline, hires_per_merchant, outcome_table

    filters = _dashboard_filters()
    parts = {"headline": lambda: headline(filters)}
    for group in ("month", "program", "course", "instructor"):
        parts[f"by_{group}"] = lambda group=group: list(outcome_table(filters, group))
    parts["hires_per_merchant"] = lambda: list(hires_per_merchant(filters))
    return parts


def _dashboard_call():
    """The dashboard's own function when jobs/admin_outcomes.py has one (see README), else None."""
    try:
        from jobs import admin_outcomes
    except ImportError:
        return None
    for name in ("dashboard_data", "dashboard_figures"):  # `dashboard` itself is a view (it takes a request)
        if callable(getattr(admin_outcomes, name, None)):
            return name, getattr(admin_outcomes, name)
    return None


def _run_parts(parts: dict, runs: int) -> tuple[list[float], dict]:
    for part in parts.values():  # warm-up: connections, caches, the planner's statistics
        part()
    totals, each = [], {name: [] for name in parts}
    for _run in range(runs):
        total = 0.0
        for name, part in parts.items():
            start = time.perf_counter()
            part()
            spent = time.perf_counter() - start
            each[name].append(spent)
            total += spent
        totals.append(total)
    return totals, {name: round(statistics.median(samples) * 1000, 1) for name, samples in each.items()}


def _time_dashboard(runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parts = _dashboard_parts()
    totals, each = _run_parts(parts, runs)
    with CaptureQueriesContext(connection) as queries:
        for part in parts.values():
            part()
    result = {
        "dashboard_ms": round(statistics.median(totals) * 1000, 1),
        "dashboard": {**percentiles_ms(totals), "parts_p50_ms": each, "queries": len(queries)},
        "dashboard_timed": "jobs.outcomes.measures: headline, outcome_table by month/program/course/instructor, "
        "hires_per_merchant",
    }
    own = _dashboard_call()
    if own is not None:
        name, call = own
        samples, _each = _run_parts({name: call}, runs)
        result["dashboard_function_ms"] = round(statistics.median(samples) * 1000, 1)
        result["dashboard_timed"] += f"; also jobs.admin_outcomes.{name}() as dashboard_function_ms"
    return result


def _time_public(runs: int) -> dict:
    from django.core.cache import cache

    from jobs.outcomes.measures import outcome_table

    filters = _public_filters()
    parts = {group: lambda group=group: list(outcome_table(filters, group)) for group in ("program", "course")}
    totals, each = _run_parts(parts, runs)
    result = {
        "public_page_ms": round(statistics.median(totals) * 1000, 1),
        "public_page": {**percentiles_ms(totals), "parts_p50_ms": each},
    }
    try:
        from jobs.outcomes.public import public_outcomes
    except ImportError:
        public_outcomes = None
    if public_outcomes is not None:

        def cold():
            cache.clear()
            return public_outcomes()

        samples, _each = _run_parts({"public_outcomes": cold}, runs)
        result["public_outcomes_ms"] = round(statistics.median(samples) * 1000, 1)
    page = _outcomes_page()
    if page is not None:
        result.update(_time_page(page, runs))
    return result


def _outcomes_page():
    """A live cms.OutcomesPage under the site's home page, made for the benchmark, or None when the
    model does not exist (yet)."""
    from django.apps import apps

    try:
        model = apps.get_model("cms", "OutcomesPage")
    except LookupError:
        return None
    from wagtail.models import Page, Site

    existing = model.objects.live().first()
    if existing is not None:
        return existing
    site = Site.objects.filter(is_default_site=True).first()
    parent = site.root_page.specific if site else Page.get_first_root_node()
    page = model(title="就业成果", slug="outcomes-bench")
    try:
        parent.add_child(instance=page)
        page.save_revision().publish()
    except Exception as problem:  # noqa: BLE001 — the page is another engineer's: report, do not fail the bench
        return f"could not make a cms.OutcomesPage: {problem!r}"[:300]
    return page


def _time_page(page, runs: int) -> dict:
    if isinstance(page, str):
        return {"public_page_http": {"skipped": page}}
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    url = page.get_url()
    statuses = set()

    def get():
        cache.clear()  # the public page cache and the figures' cache, cold each time
        response = client.get(url)
        statuses.add(response.status_code)
        return response

    samples, _each = _run_parts({"get": get}, runs)
    return {
        "public_page_http_ms": round(statistics.median(samples) * 1000, 1),
        "public_page_http": {**percentiles_ms(samples), "url": url, "statuses": sorted(statuses)},
    }


def _explain(path: Path) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of each dashboard query, written to `path`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        return "EXPLAIN ANALYZE is written on PostgreSQL only"
    plans = []
    for name, part in _dashboard_parts().items():
        with CaptureQueriesContext(connection) as queries:
            part()
        for query in queries.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append(f"-- {name}\n{query['sql']}\n\n{plan}\n")
    path.write_text("\n".join(plans))
    return str(path)
