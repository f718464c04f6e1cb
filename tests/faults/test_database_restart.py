"""PostgreSQL restarted under a running site: requests during the outage get a clean 503 (translated,
Retry-After, JSON under /api/, no traceback), and the same server answers again once it is back."""

import http.client
import json
import shutil
from urllib.parse import urlsplit

from django.conf import settings
from django.db import OperationalError
from django.urls import reverse

import pytest

from bench.server import HOST, free_port, server_environment, start_gunicorn, stop, wait_until_up
from tests.conftest import require
from tests.faults.services import PrivatePostgres, postgres_bin

pytestmark = pytest.mark.faults

SIGN_IN = "/accounts/sign-in/"
API = "/api/v1/programs/"


def request(port: int, path: str, language: str = "zh-hans") -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": language})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


@pytest.fixture
def site_on_private_postgres(django_db_setup, tmp_path):
    """gunicorn (production settings, persistent connections) on a private PostgreSQL cluster that holds
    a copy of the test database."""
    database = settings.DATABASES["default"]
    shared = urlsplit(f"//{database['HOST'] or HOST}:{database['PORT'] or 5432}")
    bin_folder = postgres_bin()
    require(
        bool(bin_folder and shutil.which("pg_dump") and shutil.which("psql")),
        "initdb, pg_ctl, pg_dump or psql is missing: install the Debian packages postgresql and postgresql-client",
    )
    cluster = PrivatePostgres(bin_folder)
    server = None
    try:
        cluster.init()
        cluster.start()
        source = ["-h", shared.hostname, "-p", str(shared.port), "-U", database["USER"] or "postgres"]
        cluster.copy_database(source, database["NAME"], "baijia")
        port = free_port()
        env = server_environment(tmp_path, cluster.url("baijia"), port, redis_url="")
        env["DJANGO_SETTINGS_MODULE"] = "tests.faults.server_settings"
        server = start_gunicorn(env, tmp_path, port, workers=1)
        wait_until_up(server, port, tmp_path)
        yield cluster, server, port
    finally:
        if server is not None:
            stop(server)
        cluster.remove()


@pytest.mark.postgresql
def test_a_postgresql_restart_gives_a_clean_503_then_the_same_server_recovers(site_on_private_postgres):
    cluster, server, port = site_on_private_postgres
    assert request(port, SIGN_IN)[0] == 200
    assert request(port, API)[0] == 200  # the worker now holds a database connection

    cluster.stop()
    page = request(port, SIGN_IN)
    api = request(port, API, language="en")

    assert page[0] == 503 and page[1]["Retry-After"] == "30"
    assert "数据库正在重启" in page[2] and "Traceback" not in page[2]
    assert api[0] == 503 and api[1]["Retry-After"] == "30" and api[1]["Content-Type"] == "application/json"
    assert json.loads(api[2]) == {
        "detail": "The site is briefly unavailable while its database restarts. Please try again in a moment.",
        "code": "service_unavailable",
    }

    cluster.start()
    assert request(port, SIGN_IN)[0] == 200
    assert request(port, API)[0] == 200
    assert server.poll() is None  # the same server, never restarted


@pytest.fixture
def stop_database(monkeypatch):
    """Call it to have every query fail as when PostgreSQL is down."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    return lambda: monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)


@pytest.mark.django_db
def test_a_page_whose_database_does_not_answer_is_a_translated_503(client, student, stop_database):
    client.force_login(student)
    client.raise_request_exception = False
    stop_database()
    response = client.get(reverse("school:my_courses"))

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "数据库正在重启" in response.content.decode()


@pytest.mark.django_db
def test_the_api_whose_database_does_not_answer_is_a_503_in_json(client, stop_database):
    client.raise_request_exception = False
    stop_database()
    response = client.get(reverse("api:program-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response.json() == {
        "detail": "网站的数据库正在重启，暂时无法访问，请稍后再试。",
        "code": "service_unavailable",
    }


def test_any_other_error_is_still_django_s_plain_500(rf):
    from baijia.errors import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))

    assert response.status_code == 500
