"""Shared fixtures. Real services (Redis, Chromium) are required when CI=true: a missing one fails the
run. Locally, without CI, tests that need one are skipped with a message saying what to start."""

import contextlib
import os
import socket
from pathlib import Path

from django.conf import settings

import pytest

from tests.factories import PASSWORD, StaffFactory, StudentFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Each test run flushes its own Redis database: `make test` runs the SQLite and PostgreSQL passes side by
# side, each with its own number.
REDIS_TEST_DB = int(os.environ.get("TEST_REDIS_DB", "14"))
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR", Path(__file__).resolve().parent.parent / "test-artifacts"))


def require(available: bool, what: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} (CI=true requires it)", pytrace=False)
    pytest.skip(what)


def port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    _keep_to_their_database(config, items)
    # A transactional test empties the database when it ends; with serialized rollback the next one
    # gets the migrated data back (home page, role groups). Mixing the two kinds breaks that, so
    # every transactional test restores the data.
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker and marker.kwargs.get("transaction")) or {"live_server", "transactional_db"} & set(
            getattr(item, "fixturenames", ())
        )
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False)


def _keep_to_their_database(config, items):
    """Deselected, not skipped: each of these runs in exactly one of `make test`'s two passes.
    `postgresql` tests need a PostgreSQL server (the restart test): the PostgreSQL pass. `sqlite_only`
    tests do not depend on the database (a Redis outage, the browser checks) or always use SQLite (the
    benchmarks' small runs): the SQLite pass. The browser tests run in each language take minutes and
    test pages, not the database: the Chinese runs go in the PostgreSQL pass, the English ones in the
    SQLite pass, which balances the two."""
    on_postgresql = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

    def elsewhere(item) -> bool:
        callspec = getattr(item, "callspec", None)
        if item.get_closest_marker("browser") and callspec and {"zh", "en"} & set(callspec.id.split("-")):
            return ("zh" in callspec.id.split("-")) != on_postgresql
        return bool(item.get_closest_marker("sqlite_only" if on_postgresql else "postgresql"))

    kept = [item for item in items if not elsewhere(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if elsewhere(item)])
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    # With CI=true nothing may be skipped: a skip there hides a missing service or a broken test.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter and reporter.stats.get("skipped"):
        reporter.write_line("CI=true: tests were skipped, which CI does not allow.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path / "private-media"}},
    }


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def student(db):
    return StudentFactory()


@pytest.fixture
def staff_user(db):
    return StaffFactory()


@pytest.fixture
def redis_url():
    require(
        port_answers(REDIS_HOST, REDIS_PORT),
        f"Redis does not answer at {REDIS_HOST}:{REDIS_PORT}: start it with 'redis-server --daemonize yes'",
    )
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_TEST_DB}"


@contextlib.contextmanager
def launched_chromium():
    """The one place that starts Chromium for tests. Playwright's sync API keeps an event loop
    running in this thread while the browser is open, which Django's async-safety check would take
    for async code: hence DJANGO_ALLOW_ASYNC_UNSAFE."""
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install the Debian package 'chromium'")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def chromium_browser(live_server):
    """Chromium for one test, started after the test database is ready and stopped before it is
    cleaned. tests/e2e shares one browser for the whole package instead (tests/e2e/conftest.py)."""
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def screenshots(request):
    folder = ARTIFACTS_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str):
        page.screenshot(path=str(folder / f"{request.node.name}-{name}.png"), full_page=True)

    return save


def _use_celery_settings(app, options: dict) -> None:
    import threading

    app.conf.update(options)
    # Forget the broker pool and result backend built from the previous settings.
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def configure_celery():
    """Change Celery settings for one test, e.g. configure_celery(task_always_eager=False), and put
    them back afterwards."""
    from baijia.celery import app

    keys = ("task_always_eager", "broker_url", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    yield lambda **options: _use_celery_settings(app, options)
    _use_celery_settings(app, saved)


@pytest.fixture
def worker(redis_url, configure_celery):
    """A real Celery worker (solo pool, in a thread) on the Redis broker, for tests marked celery_worker."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from baijia.celery import app

    redis.Redis.from_url(redis_url).flushdb()
    configure_celery(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    app.loader.import_module("celery.contrib.testing.tasks")  # the ping task start_worker checks
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10) as running:
        yield running


@pytest.fixture(autouse=True)
def _empty_cache():
    # The public page cache lives in the (process-wide) cache: each test starts without it.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` runs what the block left for after commit (matching refreshes then), as
    the end of a real request's transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _forget_matching_indexes():
    # Matching's indexes live in the process: each test starts without the rows earlier tests rolled back.
    from jobs.matching.recommend import live

    live.reset()


class Catalogue:
    """The page tree that publishes courses: /courses/<program>/<course>/."""

    def __init__(self):
        from cms.models import CourseIndexPage, HomePage

        self.index = HomePage.objects.get().add_child(instance=CourseIndexPage(title="课程", slug="courses"))
        self.program_pages = {}

    def program_page(self, program):
        from cms.models import ProgramPage

        if program.pk not in self.program_pages:
            self.program_pages[program.pk] = self.index.add_child(
                instance=ProgramPage(title=program.name, slug=program.slug, program=program)
            )
        return self.program_pages[program.pk]

    def publish(self, course, **fields):
        from cms.models import CoursePage

        fields.setdefault("intro", f"{course.title}的简介")
        return self.program_page(course.program).add_child(
            instance=CoursePage(title=course.title, slug=course.code.lower(), course=course, **fields)
        )


@pytest.fixture
def catalogue(db):
    from cms.demo import seed_site

    seed_site()  # the school's details exist, as on a real site
    return Catalogue()


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /en/… leaves English active in this thread, and reverse() would then build /en/
    # addresses in the next test: every test starts in the site's default language.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _pages_keep_the_content_security_policy(request, monkeypatch):
    # Every HTML page a test renders carries its Content-Security-Policy, and a public one no inline
    # script, handler or style (tests/page_policy.py): a page that breaks it fails whichever test shows it.
    from django.test import Client

    from tests.page_policy import check_page

    send = Client.request
    planted = request.node.get_closest_marker("planted_markup") is not None

    def checked_request(self, **environ):
        response = send(self, **environ)
        check_page(environ.get("PATH_INFO", ""), response, inline_code_allowed=planted)
        return response

    monkeypatch.setattr(Client, "request", checked_request)
