"""A mixed load, as on a busy morning: `--users` virtual users for `--seconds` against the production stack
on 127.0.0.1 — gunicorn with deploy/gunicorn.conf.py, a scratch database, Redis as the cache and as the
broker of a real Celery worker that takes the tasks the requests send (notifications, matching, outcome
marks). Visitors browse the catalogue, open course pages, search, read the job board and postings;
students sign in through the web form (CSRF and all), enrol in classes and apply to jobs. Reports
throughput, p50/p95/p99 per page, errors with samples, and then checks the data: no class took more
students than it has seats, seat counts match, waiting lists run 1, 2, 3 …, nobody is enrolled twice or
applied twice to one posting.

A virtual user is a person, not a request loop: between two actions it reads the page (`--think`
seconds on average, uniformly 0.5× to 1.5×). A visit lasts about `--visit` actions; then another person
takes the place: `--returning` of them come back still signed in (the session cookie lasts two weeks),
the others with a new cookie jar sign in when they first enrol or apply. A sign-in is the dearest
request by far (the production password hasher, PBKDF2 with a million iterations, about 0.5 s of CPU
here), so how often people sign in decides much of the CPU the load needs.

This module is also its helper processes, so the benchmark process never loads Django: `python -m
bench.load --setup` (students, and the site's addresses), `--check` (the invariants) and `--client` (the
virtual users: threads, http.client, cookies by hand). Each prints one JSON line."""

import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import percentiles_ms, target
from bench.server import (
    BASE_DIR,
    GUNICORN_CONFIG,
    HOST,
    ScratchSite,
    cpu_seconds,
    flush_redis,
    get,
    helper_parser,
    machine_cpu_times,
    manage,
    named_cpu_seconds,
    run_helper,
)

describe = "a mixed load of 100 users (browse, search, jobs, sign in, enrol, apply): p95 per page, errors, integrity"

# Redis: the cache (as REDIS_URL in production) and the Celery broker, each flushed before and after.
REDIS_URL = "redis://127.0.0.1:6379/9"
BROKER_URL = "redis://127.0.0.1:6379/8"
P95_LIMIT_MS = 300
PASSWORD = "load-bench-2026"  # noqa: S105 - the scratch students' password, on a scratch database
PHONE_PREFIX = "137"
SEARCH_TERMS = ["直播", "zhibo", "zb", "电商", "家政", "营销", "旅游", "设计", "computer", "PS"]
CATALOGUE_FILTERS = ["", "?schedule=evening", "?schedule=weekend&sort=start", "?delivery=online", "?subsidised=on"]
CATALOGUE_FILTERS += ["?sort=fee", "?fee_max=2000&sort=-fee"]
JOB_FILTERS = ["", "?employment_type=full_time", "?min_pay=3000&sort=-pay", "?district=luolong", "?page=2"]
# An action's weight: how often a virtual user picks it. Enrolling and applying sign the user in first
# when the visit is not signed in yet; "sign_in" is someone signing in again on purpose.
MIX = {
    "catalogue": 44,
    "course": 40,
    "search": 28,
    "jobs": 28,
    "posting": 20,
    "sign_in": 1,
    "enrol": 20,
    "apply": 16,
}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def add_arguments(parser):
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_LOAD_SECONDS", 60)),
        help="load time (default 60, or BENCH_LOAD_SECONDS)",
    )
    parser.add_argument("--users", type=int, default=100, help="concurrent virtual users (default 100)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's actions")
    parser.add_argument("--visit", type=int, default=40, help="actions in a visit before another person comes")
    parser.add_argument(
        "--returning", type=float, default=0.8, help="share of visits that come back signed in (default 0.8)"
    )
    parser.add_argument("--students", type=int, default=2000, help="students with passwords (default 2000)")
    parser.add_argument("--scale", type=int, default=2, help="seed_demo --scale for the catalogue and jobs")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument("--celery", type=int, default=1, help="Celery worker processes (default 1)")
    parser.add_argument(
        "--mix",
        default=",".join(f"{name}={weight}" for name, weight in MIX.items()),
        help="the actions' weights, e.g. enrol=1,apply=1 (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite-template", metavar="FILE", help="on SQLite, start from this migrated database")


def _mix(text: str) -> dict:
    weights = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in MIX or not weight.strip().isdigit():
            raise SystemExit(f"--mix takes name=weight pairs of {', '.join(MIX)}, not {part!r}")
        weights[name.strip()] = int(weight)
    if not any(weights.values()):
        raise SystemExit("--mix needs one weight above 0")
    return weights


def run(options) -> dict:
    mix = _mix(options.mix)
    if options.seconds <= 0 or min(options.users, options.students, options.scale, options.visit) < 1:
        raise SystemExit("--seconds must be positive; --users, --students, --scale and --visit at least 1")
    with ScratchSite("load", redis_url=REDIS_URL, sqlite_template=options.sqlite_template) as site:
        env, port, folder = site.env, site.port, site.folder
        # Tasks go to the worker through Redis, as in production (server_environment leaves them eager).
        env["CELERY_BROKER_URL"] = BROKER_URL
        # Each request's page and time inside gunicorn (µs) in its access log: the time spent serving it,
        # apart from the time it queued for a free worker.
        env["GUNICORN_CMD_ARGS"] = "--access-logformat 'BENCH %({x-bench-page}i)s %(D)s'"
        flush_redis(BROKER_URL)
        phases, clock = {}, time.perf_counter()

        def phase(name: str) -> None:
            nonlocal clock
            phases[name] = round(time.perf_counter() - clock, 1)
            clock = time.perf_counter()

        manage(env, "collectstatic", "--noinput")
        phase("collectstatic")
        seeded = manage(env, "seed_demo", "--scale", str(options.scale))
        phase("seed_demo")
        world = folder / "world.json"
        made = run_helper("bench.load", env, "--setup", "--world", str(world), "--students", str(options.students))
        phase("students")
        worker = _start_worker(env, folder, options.celery)
        try:
            server = site.start(workers=options.workers, config=GUNICORN_CONFIG)
            _warm(port, json.loads(world.read_text()))
            phase("start_and_warm")
            server_cpu, database_cpu, (busy, total) = (
                cpu_seconds(server.pid),
                named_cpu_seconds("postgres"),
                machine_cpu_times(),
            )
            worker_cpu = cpu_seconds(worker.pid)
            measured = run_helper(
                "bench.load",
                env,
                "--client",
                "--port",
                str(port),
                "--world",
                str(world),
                "--seconds",
                str(options.seconds),
                "--users",
                str(options.users),
                "--think",
                str(options.think),
                "--visit",
                str(options.visit),
                "--returning",
                str(options.returning),
                "--mix",
                json.dumps(mix),
                "--seed",
                str(options.seed),
                timeout=options.seconds + 180,
            )
            server_cpu = cpu_seconds(server.pid) - server_cpu
            database_cpu = named_cpu_seconds("postgres") - database_cpu
            busy_after, total_after = machine_cpu_times()
            phase("load")
            backlog = _drain(BROKER_URL, worker)
            worker_cpu = cpu_seconds(worker.pid) - worker_cpu
            workers = len(_children(server.pid))
        finally:
            _stop_worker(worker)
        site.stop()
        checked = run_helper("bench.load", env, "--check")
        phase("drain_stop_check")
        server_log = (folder / "gunicorn.log").read_text(errors="replace")
        served = _served(server_log)
        worker_log = (folder / "worker.log").read_text(errors="replace")
        engine = site.database.engine
        flush_redis(BROKER_URL)

    violations = sum(
        checked[name]
        for name in (
            "overbooked",
            "seat_count_mismatches",
            "waitlist_gaps",
            "students_enrolled_twice",
            "duplicate_applications",
        )
    )
    requests = max(measured["requests"], 1)
    targets = [
        target("errors", measured["errors"], 0, "lower"),
        target("p95_ms", measured["p95_ms"], P95_LIMIT_MS, "lower"),
        target("integrity_violations", violations, 0, "lower"),
    ]
    return {
        "benchmark": "load",
        "database": engine,
        "server": f"gunicorn, deploy/gunicorn.conf.py ({workers} sync workers), production settings, DEBUG off",
        "workers": workers,
        "celery": f"1 worker, {options.celery} prefork process(es), Redis broker",
        "client": f"1 process, {options.users} virtual users (threads), think {options.think} s on average, "
        f"about {options.visit} actions a visit, {options.returning:.0%} of visits already signed in",
        "users": options.users,
        "think_s": options.think,
        "mix": mix,
        "cpus": os.cpu_count(),
        "seconds": options.seconds,
        "seeded": next((line for line in seeded.splitlines() if line.startswith("Catalogue:")), ""),
        "setup": made,
        "phases_s": phases,
        **measured,
        # Inside gunicorn, per page: p50/p95 and the share of all serving time; the rest of a latency is
        # the wait for a free worker.
        "served": served,
        "server_errors_logged": server_log.count("Traceback"),
        "worker_errors_logged": worker_log.count("Traceback"),
        "tasks_left_in_queue": backlog,
        "server_cpu_ms_per_request": round(1000 * server_cpu / requests, 2),
        "database_cpu_ms_per_request": round(1000 * database_cpu / requests, 2) if engine == "postgresql" else None,
        "worker_cpu_ms_per_request": round(1000 * worker_cpu / requests, 2),
        "machine_busy_percent": round(100 * (busy_after - busy) / (total_after - total), 1)
        if total_after > total
        else None,
        "database_after": checked,
        "integrity_violations": violations,
        "targets": targets,
    }


def _served(log: str) -> dict:
    times = defaultdict(list)
    for label, micros in re.findall(r"^BENCH (\w+) (\d+)$", log, flags=re.MULTILINE):
        times[label].append(int(micros) / 1e6)
    total = sum(sum(values) for values in times.values()) or 1
    return {
        label: {
            "p50_ms": percentiles_ms(values)["p50_ms"],
            "p95_ms": percentiles_ms(values)["p95_ms"],
            "share_percent": round(100 * sum(values) / total, 1),
        }
        for label, values in sorted(times.items())
    }


def _start_worker(env: dict, folder: Path, processes: int) -> subprocess.Popen:
    log = (folder / "worker.log").open("wb")
    command = [sys.executable, "-m", "celery", "-A", "baijia", "worker", "-P", "prefork", "-c", str(processes)]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"]
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=log, start_new_session=True)


def _drain(broker_url: str, worker: subprocess.Popen, timeout: float = 60) -> int:
    """Wait for the worker to empty the queue the load filled; the tasks still waiting after `timeout`."""
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        deadline = time.monotonic() + timeout
        while (left := client.llen("celery")) and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        return left
    finally:
        client.close()


def _stop_worker(worker: subprocess.Popen) -> None:
    import signal

    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)  # warm shutdown: running tasks finish
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(entry.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _warm(port: int, world: dict) -> None:
    """Every kind of public page a few times, so each worker has loaded its templates and the page cache
    is as warm as on a site that has been up for a while."""
    paths = ["/", "/courses/", "/jobs/", *world["courses"], *world["postings"]]
    for path in paths * 2:
        status, body = get(port, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status} while warming up: {body[:300]}")


# --- Helper processes -----------------------------------------------------------------------------------


def _setup(world: Path, students: int) -> dict:
    """Students (with profiles, so they can enrol) who sign in with a password, and the addresses the
    virtual users visit: course pages, classes open for enrolment, postings open for applications."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from accounts.roles import Role
    from cms.models import CoursePage
    from jobs.models import JobPosting
    from school.models import Cohort, StudentProfile

    User = get_user_model()
    # One hash for all: every sign-in still verifies it at the production hasher's full cost.
    password = make_password(PASSWORD)
    with transaction.atomic():
        group = Group.objects.get(name=Role.STUDENT)
        users = User.objects.bulk_create(
            [
                User(phone=f"{PHONE_PREFIX}{n:08d}", display_name=f"压测学员{n:04d}", password=password)
                for n in range(students)
            ]
        )
        User.groups.through.objects.bulk_create([User.groups.through(user_id=user.pk, group=group) for user in users])
        StudentProfile.objects.bulk_create(
            [StudentProfile(user=user, real_name=user.display_name, district="luolong") for user in users]
        )
    today = timezone.localdate()
    cohorts = Cohort.objects.filter(
        status=Cohort.Status.OPEN, enrolment_opens__lte=today, enrolment_closes__gte=today
    ).values_list("code", flat=True)
    postings = JobPosting.objects.filter(status=JobPosting.Status.PUBLISHED, closing_date__gte=today).values_list(
        "pk", flat=True
    )
    courses = [page.url for page in CoursePage.objects.live().public().specific()]
    found = {
        "phones": [user.phone for user in users],
        "sessions": _remembered_sessions(users),
        "courses": sorted(url for url in courses if url),
        "cohorts": sorted(cohorts),
        "postings": [f"/jobs/{pk}/" for pk in sorted(postings)],
    }
    if not all(found.values()):
        raise RuntimeError(
            f"the seeded site lacks some of what the load needs: { {k: len(v) for k, v in found.items()} }"
        )
    world.write_text(json.dumps(found, ensure_ascii=False))
    return {name: len(values) for name, values in found.items()}


def _remembered_sessions(users) -> list[str]:
    """A signed-in session for each student, as the browser of someone who signed in last week keeps it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_module(settings.SESSION_ENGINE).SessionStore
    # The backend a sign-in records: the first that can load a user back from a session (django-axes's,
    # first in the list, only counts failures).
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user"))
    keys = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        keys.append(session.session_key)
    return keys


def _check() -> dict:
    """The enrolment benchmark's invariants over every class, and no posting applied to twice by anyone."""
    from django.db.models import Count

    from bench.enrolment import _check as enrolment_invariants

    checked = enrolment_invariants()  # sets Django up
    from jobs.models import Application

    checked["applications"] = Application.objects.count()
    checked["duplicate_applications"] = (
        Application.objects.values("posting_id", "graduate_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by()
        .count()
    )
    return checked


class Visitor:
    """One person's browser: cookies, a connection, and the pages it has seen."""

    def __init__(self, port: int, record: dict):
        self.port, self.record = port, record
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.signed_in = False

    def request(self, label: str, method: str, path: str, form: dict | None = None):
        """One request, timed under `label`; (status, body, location), or None when it failed."""
        headers = {"Accept": "text/html", "Accept-Language": "zh-CN", "X-Bench-Page": label}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        begin = time.perf_counter()
        try:
            # http.client reconnects by itself after gunicorn's sync workers close the connection.
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self._note(label, time.perf_counter() - begin, type(error).__name__, f"{method} {path}: {error}")
            return None
        self._note(label, time.perf_counter() - begin, str(status))
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        text = content.decode("utf-8", errors="replace")
        return status, text, response.getheader("Location", "")

    def _note(self, label: str, seconds: float, status: str, sample: str = "") -> None:
        record = self.record
        record["latencies"][label].append(seconds)
        record["statuses"][f"{label} {status}"] += 1
        if sample:
            self.error(label, sample)

    def error(self, label: str, sample: str) -> None:
        self.record["errors"][label] += 1
        if len(self.record["samples"]) < 3:
            self.record["samples"].append(f"{label}: {sample[:300]}")

    def expect(self, label: str, method: str, path: str, statuses: tuple, form: dict | None = None):
        answer = self.request(label, method, path, form)
        if answer is None:
            return None
        status, text, _location = answer
        if status not in statuses:
            said = " ".join(text.split())[:200]
            self.error(label, f"{method} {path} answered {status}: {said}")
            return None
        return answer

    def close(self):
        self.connection.close()


def _csrf(text: str) -> str | None:
    match = CSRF_FIELD.search(text)
    return match.group(1) if match else None


def _act(visitor: Visitor, action: str, world: dict, pick: random.Random) -> None:
    if action == "catalogue":
        visitor.expect("catalogue", "GET", "/courses/" + pick.choice(CATALOGUE_FILTERS), (200,))
    elif action == "course":
        visitor.expect("course", "GET", pick.choice(world["courses"]), (200,))
    elif action == "search":
        visitor.expect("search", "GET", "/courses/?" + urlencode({"q": pick.choice(SEARCH_TERMS)}), (200,))
    elif action == "jobs":
        visitor.expect("jobs", "GET", "/jobs/" + pick.choice(JOB_FILTERS), (200,))
    elif action == "posting":
        visitor.expect("posting", "GET", pick.choice(world["postings"]), (200,))
    elif action == "sign_in":
        _sign_in(visitor, world, pick, again=True)
    elif action == "enrol":
        _enrol(visitor, world, pick)
    elif action == "apply":
        _apply(visitor, world, pick)


def _sign_in(visitor: Visitor, world: dict, pick: random.Random, *, again: bool = False) -> bool:
    """The sign-in form as a browser fills it: its page (the CSRF cookie and field), then the POST. `again`:
    a person who signs in on purpose (after signing out, or another person at the same computer)."""
    if visitor.signed_in and not again:
        return True
    if again:
        visitor.cookies.pop("sessionid", None)
    page = visitor.expect("sign_in_page", "GET", "/accounts/sign-in/", (200,))
    token = page and _csrf(page[1])
    if not token:
        if page:
            visitor.error("sign_in_page", "no CSRF field on the sign-in page")
        return False
    phone = pick.choice(world["phones"])
    form = {"csrfmiddlewaretoken": token, "username": phone, "password": PASSWORD}
    # A refused password shows the form again (200): an error here.
    if visitor.expect("sign_in", "POST", "/accounts/sign-in/", (302,), form) is None:
        return False
    visitor.signed_in = True
    return True


def _enrol(visitor: Visitor, world: dict, pick: random.Random) -> None:
    """The class's enrolment page, then its form. A refusal (already enrolled, clash) is the page again
    with a message (200), a business answer; enrolled or waitlisted redirects to /me/."""
    if not _sign_in(visitor, world, pick):
        return
    path = f"/classes/{pick.choice(world['cohorts'])}/enrol/"
    page = visitor.expect("enrol_page", "GET", path, (200,))
    token = page and _csrf(page[1])
    if not token:
        return
    answer = visitor.expect("enrol", "POST", path, (200, 302), {"csrfmiddlewaretoken": token})
    if answer is None:
        return
    status, _text, location = answer
    visitor.record["outcomes"]["enrolled or waitlisted" if status == 302 else "enrolment refused"] += 1
    if status == 302:
        visitor.expect("my_courses", "GET", urlsplit(location).path, (200,))


def _apply(visitor: Visitor, world: dict, pick: random.Random) -> None:
    """The posting's page (its apply form), then the application. A second application to the same
    posting is refused with a message on the posting's page."""
    if not _sign_in(visitor, world, pick):
        return
    posting = pick.choice(world["postings"])
    page = visitor.expect("posting", "GET", posting, (200,))
    token = page and _csrf(page[1])
    if not token:
        return
    form = {"csrfmiddlewaretoken": token, "message": "您好，我对这个岗位很感兴趣。"}
    answer = visitor.expect("apply", "POST", f"{posting}apply/", (302,), form)
    if answer is None:
        return
    target_path = urlsplit(answer[2]).path
    applied = target_path.endswith("/my/applications/")
    visitor.record["outcomes"]["applied" if applied else "application refused"] += 1
    if applied:
        visitor.expect("my_applications", "GET", target_path, (200,))


def _clients(
    port: int,
    world_file: Path,
    seconds: float,
    users: int,
    think: float,
    visit: int,
    returning: float,
    mix: dict,
    seed: int,
) -> dict:
    world = json.loads(world_file.read_text())
    actions, weights = list(mix), list(mix.values())
    started: list[float] = []
    barrier = threading.Barrier(users, action=lambda: started.append(time.perf_counter()))
    records = [
        {
            "latencies": defaultdict(list),
            "statuses": Counter(),
            "errors": Counter(),
            "outcomes": Counter(),
            "samples": [],
            "actions": 0,
            "visits": 0,
        }
        for _ in range(users)
    ]

    def person(number: int, record: dict) -> None:
        pick = random.Random(seed * 1000 + number)
        barrier.wait()
        deadline = started[0] + seconds
        # Spread the first actions over one think time, as people do not all click at the same instant.
        time.sleep(pick.uniform(0, think))
        while time.perf_counter() < deadline:
            visitor, left = Visitor(port, record), max(1, round(pick.uniform(0.5, 1.5) * visit))
            if pick.random() < returning:
                visitor.cookies["sessionid"] = pick.choice(world["sessions"])
                visitor.signed_in = True
            record["visits"] += 1
            while left and time.perf_counter() < deadline:
                _act(visitor, pick.choices(actions, weights)[0], world, pick)
                record["actions"] += 1
                left -= 1
                time.sleep(pick.uniform(0.5, 1.5) * think)
            visitor.close()

    cpu = time.process_time()
    threads = [threading.Thread(target=person, args=pair) for pair in enumerate(records)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started[0]

    by_page: dict[str, list[float]] = defaultdict(list)
    for record in records:
        for label, latencies in record["latencies"].items():
            by_page[label] += latencies
    errors = sum((record["errors"] for record in records), Counter())
    everything = [latency for latencies in by_page.values() for latency in latencies]
    overall = percentiles_ms(everything) if everything else {"n": 0, "p50_ms": 0, "p95_ms": 0, "p99_ms": 0, "max_ms": 0}
    pages = {
        label: {**percentiles_ms(latencies), "errors": errors.get(label, 0)}
        for label, latencies in sorted(by_page.items())
    }
    return {
        "requests": len(everything),
        "rps": round(len(everything) / elapsed, 1),
        "actions": sum(record["actions"] for record in records),
        "visits": sum(record["visits"] for record in records),
        "p50_ms": overall["p50_ms"],
        "p95_ms": overall["p95_ms"],
        "p99_ms": overall["p99_ms"],
        "max_ms": overall["max_ms"],
        "pages": pages,
        "errors": sum(errors.values()),
        "errors_by_page": dict(errors),
        "error_samples": [sample for record in records for sample in record["samples"]][:5],
        "outcomes": dict(sum((record["outcomes"] for record in records), Counter())),
        "statuses": dict(sum((record["statuses"] for record in records), Counter())),
        "client_cpu_s": round(time.process_time() - cpu, 2),
    }


def _helper_main(argv: list[str]) -> int:
    parser = helper_parser("bench.load")
    parser.add_argument("--world", type=Path)
    parser.add_argument("--students", type=int)
    parser.add_argument("--port", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--users", type=int)
    parser.add_argument("--think", type=float)
    parser.add_argument("--visit", type=int)
    parser.add_argument("--returning", type=float)
    parser.add_argument("--mix", type=json.loads)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    if options.setup:
        result = _setup(options.world, options.students)
    elif options.check:
        result = _check()
    else:
        result = _clients(
            options.port,
            options.world,
            options.seconds,
            options.users,
            options.think,
            options.visit,
            options.returning,
            options.mix,
            options.seed,
        )
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_helper_main(sys.argv[1:]))
