"""The deployment files in deploy/ agree with the code: gunicorn's configuration names only settings
gunicorn has, the environment example lists every variable the settings read, nginx accepts the
largest upload and tells Django the request came over HTTPS, and exactly one process runs beat."""

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

from gunicorn.config import KNOWN_SETTINGS

from jobs.forms_graduate import MAX_RESUME_BYTES
from jobs.forms_merchant import LICENCE_MAX_BYTES

PROJECT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT / "deploy"
# os.environ.get("X"…), env_bool("X"…), env_list("X"…), os.environ["X"]
READ_FROM_ENVIRONMENT = re.compile(r'(?:os\.environ\.get|env_bool|env_list|os\.environ\[)\(?\s*"([A-Z][A-Z0-9_]*)"')


def gunicorn_config(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {k: v for k, v in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items() if not k.startswith("_")}


def test_the_gunicorn_configuration_names_only_gunicorn_settings(monkeypatch):
    config = gunicorn_config(monkeypatch)
    known = {setting.name for setting in KNOWN_SETTINGS}

    assert sorted(name for name in config if name not in known and name not in {"multiprocessing", "os"}) == []
    assert config["workers"] == os.cpu_count() + 1
    assert config["preload_app"] is True
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    assert config["timeout"] < int(re.search(r"proxy_read_timeout (\d+)s", nginx()).group(1))


def test_the_environment_sizes_gunicorn_for_each_machine(monkeypatch):
    config = gunicorn_config(monkeypatch, WEB_CONCURRENCY="9", GUNICORN_BIND="10.0.0.11:8000")

    assert (config["workers"], config["bind"]) == (9, "10.0.0.11:8000")


def test_the_environment_example_lists_every_variable_the_settings_read():
    sources = [*sorted((PROJECT / "baijia" / "settings").glob("*.py")), PROJECT / "baijia" / "__init__.py"]
    sources.append(DEPLOY / "gunicorn.conf.py")
    read = {name for source in sources for name in READ_FROM_ENVIRONMENT.findall(source.read_text())}
    read |= {"DATABASE_URL"}  # read by dj_database_url
    example = (DEPLOY / "env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    assert {"SECRET_KEY", "AWS_STORAGE_BUCKET_NAME", "CELERY_BROKER_URL", "WEB_CONCURRENCY"} <= read
    # DJANGO_SETTINGS_MODULE follows from DJANGO_ENV; the test settings' own are not for production.
    assert sorted(read - listed - {"DJANGO_SETTINGS_MODULE", "BAIJIA_BENCH_STATIC_ROOT"}) == []


def nginx() -> str:
    return (DEPLOY / "nginx.conf").read_text()


def test_nginx_takes_the_largest_upload_the_site_accepts():
    limit = re.search(r"client_max_body_size (\d+)m;", nginx())
    largest = max(
        settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
        getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * 1024 * 1024),
        settings.CERTIFICATE_UPLOAD_MAX_BYTES,
        MAX_RESUME_BYTES,
        LICENCE_MAX_BYTES,
    )

    assert limit and largest < int(limit.group(1)) * 1024 * 1024 <= 2 * largest


def test_nginx_sends_the_header_production_trusts_for_https_to_several_web_machines():
    production = (PROJECT / "baijia" / "settings" / "production.py").read_text()
    trusted = re.search(r'SECURE_PROXY_SSL_HEADER = \("HTTP_([A-Z_]+)", "https"\)', production)
    header = "-".join(word.capitalize() for word in trusted.group(1).split("_"))

    text = nginx()
    assert f"proxy_set_header {header} $scheme;" in text
    upstream = re.search(r"upstream baijia_web \{(.*?)\}", text, flags=re.DOTALL).group(1)
    assert len(re.findall(r"^\s*server \S+:\d+", upstream, flags=re.MULTILINE)) >= 2
    assert "proxy_pass http://baijia_web;" in text


def test_workers_never_run_beat_and_beat_runs_from_one_unit():
    units = {unit.name: unit.read_text() for unit in (DEPLOY / "systemd").glob("*.service")}
    commands = {name: re.search(r"^ExecStart=(.*)$", text, flags=re.MULTILINE).group(1) for name, text in units.items()}

    assert set(units) == {"baijia-web.service", "baijia-worker.service", "baijia-beat.service"}
    assert "-c deploy/gunicorn.conf.py baijia.wsgi" in commands["baijia-web.service"]
    assert [name for name, command in commands.items() if " beat" in command or " -B" in command] == [
        "baijia-beat.service"
    ]
    assert all("EnvironmentFile=/etc/baijia/env" in text for text in units.values())


def test_make_prod_check_runs_the_deployment_checks_with_production_settings():
    make = shutil.which("make")
    done = subprocess.run([make, "-n", "prod-check"], cwd=PROJECT, capture_output=True, text=True, check=True)

    assert "DJANGO_ENV=production" in done.stdout
    assert "manage.py check --deploy --fail-level WARNING" in done.stdout
