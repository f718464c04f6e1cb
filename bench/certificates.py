"""Certificates for a whole class, as instructors issue them: `start_certificate_batch`, whose Celery
task takes the numbers and hands the rendering out in chunks to a real worker (`--workers` prefork
processes, Redis broker, started and stopped by the run) — `ms_per_certificate` is the wall clock from
the request to the batch being done, over the class. The same class size is also issued in this
process alone (`in_process_ms_per_certificate`). All of it on a scratch database (SQLite, or the PostgreSQL database
DATABASE_URL names, created and dropped by the run) with a scratch media folder: `--count` completed
students of one class, a few with rare characters in their names (CJK Extensions A and B), issued
through the real issuing code (fonts checked, numbers taken, PDFs rendered with their QR codes, stored
with their SHA-256, students notified). Then one student's certificate on demand, and the same
certificates rendered the naive way (one WeasyPrint document per certificate, fonts found by
fontconfig in the full Noto CJK collection) and by Chromium's print-to-PDF of the same page, when
/usr/bin/chromium is there."""

import datetime
import os
import statistics
import time
from decimal import Decimal
from pathlib import Path

from bench import target
from bench.server import ScratchDatabase, in_process_scratch

describe = "a class's certificates through the real issuing code: ms per certificate, one on demand, PDF sizes"

CHROMIUM = "/usr/bin/chromium"
MS_PER_CERTIFICATE_LIMIT = 15
SINGLE_CERTIFICATE_MS_LIMIT = 300
MAX_PDF_KIB_LIMIT = 300
# Common names, and names with characters only HanaMin draws (Extension B 𠮷, Extension A 䶮) or that
# few fonts have (龘): every twentieth student.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["小丽", "建国", "秀英", "志强", "海燕", "文博", "静怡", "子涵", "国庆", "春梅"]
RARE_NAMES = ["𠮷野家", "王䶮", "龘龘", "李𠮷䶮", "陈龘"]
RARE_CHARACTERS = "𠮷䶮龘"
SINGLE_SAMPLES = 5


WORKER_BROKER = "redis://127.0.0.1:6379/10"  # flushed before and after the run


def add_arguments(parser):
    parser.add_argument("--count", type=int, default=200, help="students in the class (default 200)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="Celery worker processes that render the class's chunks (default: one per CPU)",
    )
    parser.add_argument(
        "--naive", type=int, default=40, help="certificates rendered one WeasyPrint document each (default 40)"
    )
    parser.add_argument(
        "--chromium", type=int, default=20, help="certificates printed by Chromium, if present (default 20)"
    )


def run(options) -> dict:
    if options.count < 1 or options.naive < 1 or options.chromium < 0:
        raise SystemExit("--count and --naive must be at least 1, --chromium at least 0")
    return in_process_scratch("certificates", lambda folder, database: _measure(options, folder, database))


def _measure(options, folder: Path, database: ScratchDatabase) -> dict:
    # The scratch database and media folder, never the developer's db.sqlite3 or media/.
    os.environ["DATABASE_URL"] = database.url
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private-media")  # where issued PDFs are stored
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baijia.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per WeasyPrint step
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    from school.models import Certificate

    pdf_storage = Certificate._meta.get_field("pdf").storage
    if not Path(settings.MEDIA_ROOT).is_relative_to(folder) or not Path(pdf_storage.location).is_relative_to(folder):
        raise RuntimeError(f"bench certificates would write outside {folder}: {pdf_storage.location}")
    call_command("migrate", verbosity=0, interactive=False)

    from school.certificates import fonts, pdf
    from school.services.certificates import issue_certificate, issue_certificates

    staff, cohort, extra = _class(options.count)
    template = pdf.CertificateTemplate.for_course(cohort.course)

    # A worker process is long-lived: load the fonts (and their coverage tables) once, outside the timing.
    start = time.perf_counter()
    pdf.render_sample(template)
    reverse("certificates:verify_code", args=["0" * 16])  # the URLconf is imported on first use
    warm_up_ms = 1000 * (time.perf_counter() - start)

    start, cpu = time.perf_counter(), time.process_time()
    result = issue_certificates(cohort=cohort, issued_by=staff)
    in_process_seconds, class_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    if result.issued != options.count:
        raise RuntimeError(f"{result.issued} certificates issued for {options.count} students")
    celery = _through_celery(options, folder, database, cohort.course, staff)
    class_seconds = celery["seconds"]

    single = []
    for enrollment in extra:
        start = time.perf_counter()
        issue_certificate(enrollment=enrollment, issued_by=staff)
        single.append(time.perf_counter() - start)

    issued = list(Certificate.objects.filter(enrollment__cohort=cohort).order_by("number"))
    sizes = sorted(certificate.pdf.size / 1024 for certificate in issued)
    numbers = [int(certificate.number.rsplit("-", 1)[1]) for certificate in issued]
    contents = [pdf.CertificateContent.of(certificate) for certificate in issued]
    rare = [content for content in contents if set(content.holder_name) & set(RARE_CHARACTERS)]

    naive_sample = _sample(contents, rare, options.naive)
    naive, naive_sizes, naive_cpu = _naive(template, naive_sample)
    chromium = _chromium(template, _sample(contents, rare, options.chromium)) if options.chromium else None

    ms_per_certificate = 1000 * class_seconds / options.count
    in_process_ms = 1000 * in_process_seconds / options.count
    single_ms = 1000 * statistics.median(single)
    naive_ms = 1000 * statistics.mean(naive)
    result_json = {
        "benchmark": "certificates",
        "database": database.engine,
        "count": options.count,
        "load_average_1min": round(os.getloadavg()[0], 2),  # others share the machine: how busy it was
        "rare_character_names": len(rare),
        "harfbuzz_subsetter": fonts.subsetter_available(),
        "warm_up_ms": round(warm_up_ms, 1),
        "class_seconds": round(class_seconds, 3),
        "workers": options.workers,
        "ms_per_certificate": round(ms_per_certificate, 2),
        "celery_chunks": celery["chunks"],
        "celery_numbers_gapless": celery["gapless"],
        "in_process_ms_per_certificate": round(in_process_ms, 2),
        # This process's CPU time: less noisy than the wall clock when others share the machine.
        "cpu_ms_per_certificate": round(1000 * class_cpu_seconds / options.count, 2),
        "single_certificate_ms": round(single_ms, 1),
        "single_certificate_samples_ms": [round(1000 * s, 1) for s in single],
        "naive_sample": len(naive_sample),
        "naive_ms_per_certificate": round(naive_ms, 1),
        "naive_cpu_ms_per_certificate": round(1000 * naive_cpu / len(naive_sample), 1),
        "naive_over_class_ratio": round(naive_ms / ms_per_certificate, 1),
        "naive_over_in_process_ratio": round(naive_ms / in_process_ms, 1),
        "naive_over_class_cpu_ratio": round(naive_cpu / len(naive_sample) / (class_cpu_seconds / options.count), 1),
        "naive_median_pdf_kib": round(statistics.median(naive_sizes), 1),
        "median_pdf_kib": round(statistics.median(sizes), 1),
        "max_pdf_kib": round(sizes[-1], 1),
        "numbers_gapless": numbers == list(range(1, len(numbers) + 1)),
        "chromium": CHROMIUM if chromium else None,
    }
    if chromium:
        chromium_ms = 1000 * statistics.mean(chromium["seconds"])
        result_json |= {
            "chromium_sample": len(chromium["seconds"]),
            "chromium_ms_per_certificate": round(chromium_ms, 1),
            "chromium_over_class_ratio": round(chromium_ms / ms_per_certificate, 1),
            "chromium_over_naive_ratio": round(chromium_ms / naive_ms, 2),
            "chromium_median_pdf_kib": round(statistics.median(chromium["sizes"]), 1),
        }
    result_json["targets"] = [
        target("ms_per_certificate", ms_per_certificate, MS_PER_CERTIFICATE_LIMIT, "lower"),
        target("single_certificate_ms", single_ms, SINGLE_CERTIFICATE_MS_LIMIT, "lower"),
        target("max_pdf_kib", sizes[-1], MAX_PDF_KIB_LIMIT, "lower"),
        target("numbering_gaps", 0 if result_json["numbers_gapless"] and celery["gapless"] else 1, 0, "lower"),
    ]
    return result_json


def _through_celery(options, folder: Path, database: ScratchDatabase, course, staff) -> dict:
    """Issue a class of `--count` through start_certificate_batch and a real prefork worker: once to
    warm the worker's processes (imports, fonts), then measured from the request to "done"."""
    import subprocess
    import sys

    import redis

    from baijia.celery import app
    from school.models import Certificate, CertificateBatch
    from school.services import certificates as services

    client = redis.Redis.from_url(WORKER_BROKER)
    client.flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "baijia.settings.dev",
        "DEBUG": "false",
        "CELERY_BROKER_URL": WORKER_BROKER,
        "DATABASE_URL": database.url,
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private-media"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    log = (folder / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "baijia", "worker", "-P", "prefork", "-c", str(options.workers)]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app.conf.update(task_always_eager=False, broker_url=WORKER_BROKER)
    # Even eager tasks take a producer, so the pools already exist for the default broker: start afresh.
    app._pool = None
    app.amqp._producer_pool = None
    try:
        runs = []
        for tag in ("warm", "measured"):
            cohort = _another_class(course, options.count, tag)
            start = time.perf_counter()
            batch = services.start_certificate_batch(cohort=cohort, requested_by=staff)
            while batch.status not in (CertificateBatch.Status.DONE, CertificateBatch.Status.FAILED):
                if worker.poll() is not None or time.perf_counter() - start > 600:
                    raise RuntimeError(f"the worker stopped or took too long: {(folder / 'worker.log').read_text()}")
                time.sleep(0.01)
                batch.refresh_from_db()
            runs.append((time.perf_counter() - start, batch, cohort))
        seconds, batch, cohort = runs[-1]
        if batch.status != CertificateBatch.Status.DONE or batch.issued != options.count:
            raise RuntimeError(f"batch {batch.status}, {batch.issued} issued: {batch.error}")
        numbers = sorted(
            int(number.rsplit("-", 1)[1])
            for number in Certificate.objects.filter(enrollment__cohort__course=course).values_list("number", flat=True)
        )
        return {
            "seconds": seconds,
            "chunks": -(-options.count // services.CHUNK),
            "gapless": numbers == list(range(1, len(numbers) + 1)),
        }
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        client.flushdb()


def _names(count: int) -> list[str]:
    """Common names, with a rare-character name for every twentieth student."""
    return [
        RARE_NAMES[(n // 20) % len(RARE_NAMES)]
        if n % 20 == 7
        else SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]
        for n in range(count)
    ]


def _students(names: list[str], phone_prefix: str) -> list:
    """Students with profiles, written in bulk (no e-mail addresses: they are told in their inbox, nothing
    is mailed; no password: nobody signs in)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from school.models import StudentProfile

    User = get_user_model()
    group, _created = Group.objects.get_or_create(name=Role.STUDENT)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(phone=f"{phone_prefix}{n:08d}", display_name=name, password=unusable) for n, name in enumerate(names)]
    )
    User.groups.through.objects.bulk_create([User.groups.through(user_id=user.pk, group=group) for user in users])
    StudentProfile.objects.bulk_create(
        [StudentProfile(user=user, real_name=user.display_name, district="luolong") for user in users]
    )
    return users


def _finished_class(course, code: str, capacity: int):
    from django.utils import timezone

    from school.models import Cohort

    today = timezone.localdate()
    return Cohort.objects.create(
        course=course,
        code=code,
        start_date=today - datetime.timedelta(days=90),
        end_date=today - datetime.timedelta(days=5),
        weekdays=[1, 3, 5],
        class_starts=datetime.time(9),
        class_ends=datetime.time(12),
        capacity=capacity,
        enrolment_opens=today - datetime.timedelta(days=120),
        enrolment_closes=today - datetime.timedelta(days=91),
        status=Cohort.Status.FINISHED,
    )


def _completed(students, cohort_of) -> list:
    """Each student completed (and passed) the class `cohort_of(n)` gives for the n-th."""
    from school.models import Enrollment

    return Enrollment.objects.bulk_create(
        [
            Enrollment(
                student=user,
                cohort=cohort_of(n),
                status=Enrollment.Status.COMPLETED,
                final_score=Decimal(60 + n % 40) + Decimal("0.5"),
            )
            for n, user in enumerate(students)
        ]
    )


def _another_class(course, count: int, tag: str):
    """A finished class of `count` more completed students of the same course."""
    from django.db import transaction

    with transaction.atomic():
        cohort = _finished_class(course, f"{course.code}-{tag}", count)
        _completed(_students(_names(count), phone_prefix={"warm": "135", "measured": "134"}[tag]), lambda n: cohort)
    return cohort


def _class(count: int):
    """A finished class of `count` completed students, and a few more completed students of another
    class of the same course, for the certificates issued one at a time."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from accounts.roles import Role
    from school.models import CertificateTemplate, Course, Program

    User = get_user_model()
    with transaction.atomic():
        staff = User.objects.create(phone="13800000000", display_name="教务处", is_staff=True)
        staff.groups.add(Group.objects.get_or_create(name=Role.STAFF)[0])
        template = CertificateTemplate.objects.create(name="压测结业证书", signatory="校长 王志强")
        program = Program.objects.create(name="家政服务", name_en="Housekeeping", slug="bench-jz", code="JZ")
        course = Course.objects.create(
            code="JZ-B1", title="家政服务员（中级）", program=program, hours=120, certificate_template=template
        )
        cohorts = [_finished_class(course, f"JZ-B1-{n:03d}", count + SINGLE_SAMPLES) for n in range(2)]
        students = _students(_names(count + SINGLE_SAMPLES), phone_prefix="136")
        enrollments = _completed(students, lambda n: cohorts[0] if n < count else cohorts[1])
    return staff, cohorts[0], enrollments[count:]


def _sample(contents: list, rare: list, size: int) -> list:
    """`size` certificates spread over the class, the rare-character names among them."""
    step = max(len(contents) // size, 1)
    picked = (rare + [c for c in contents[::step] if c not in rare])[:size]
    return picked


def _naive(template, contents) -> tuple[list[float], list[float], float]:
    """One WeasyPrint document per certificate, the fonts found by fontconfig (the full Noto collection
    subset once per document), PDF/A with the QR image: what a straightforward implementation does."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from school.certificates import pdf

    seconds, sizes = [], []
    cpu = time.process_time()
    for content in contents:
        start = time.perf_counter()
        html = pdf.document_html(template, [content], run_font_url="")
        data = HTML(string=html, url_fetcher=pdf.CertificateFetcher(None), base_url="baijia:").write_pdf(
            pdf_variant=pdf.PDF_VARIANT, font_config=FontConfiguration()
        )
        seconds.append(time.perf_counter() - start)
        sizes.append(len(data) / 1024)
    return seconds, sizes, time.process_time() - cpu


def _chromium(template, contents) -> dict | None:
    """Chromium's print-to-PDF of the same page (the browser started once, outside the timing)."""
    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    from school.certificates import pdf

    seconds, sizes = [], []
    # Playwright's sync API runs an event loop in this thread; Django's ORM is not used inside it.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            page = browser.new_page()
            page.set_content(pdf.document_html(template, contents[:1], run_font_url=""))
            page.pdf(prefer_css_page_size=True, print_background=True)  # warm: fonts loaded, renderer up
            for content in contents:
                start = time.perf_counter()
                page.set_content(pdf.document_html(template, [content], run_font_url=""))
                data = page.pdf(prefer_css_page_size=True, print_background=True)
                seconds.append(time.perf_counter() - start)
                sizes.append(len(data) / 1024)
        finally:
            browser.close()
    return {"seconds": seconds, "sizes": sizes}
