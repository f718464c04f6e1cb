import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
REAL_KEY = "k7Jw2vQ9xLp4Rz8Tb6Nc1Hd5Fg3Ms0Ya-Ue_Wi7Oq2Kr9Ls4Pt6Vn8Xb1Zc3Jd5Hf"


def manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deployment_checklist_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=REAL_KEY,
        ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_default_language_is_chinese_and_time_is_shanghai(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_production_sends_cookies_only_over_https_and_asks_browsers_for_hsts():
    shown = manage(
        "shell",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in ["
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER',"
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'DEBUG']}))",
        DJANGO_ENV="production",
        SECRET_KEY=REAL_KEY,
        ALLOWED_HOSTS="example.org",
    )
    assert shown.returncode == 0, shown.stderr
    settings = json.loads(shown.stdout.strip().splitlines()[-1])

    assert settings["SESSION_COOKIE_SECURE"] and settings["CSRF_COOKIE_SECURE"]
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60 and settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert settings["SECURE_SSL_REDIRECT"]
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] and not settings["DEBUG"]
