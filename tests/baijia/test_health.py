from django.db import OperationalError

import pytest


@pytest.mark.django_db
def test_health_reports_the_database_and_an_eager_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager", "cache": "ok"}


@pytest.mark.django_db
def test_health_reports_a_cache_that_does_not_answer_but_stays_up(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["cache"] == "down"


@pytest.mark.django_db
def test_health_reports_a_broker_that_does_not_answer(client, configure_celery):
    configure_celery(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "down"


@pytest.mark.django_db
def test_health_reports_a_working_broker(client, configure_celery, redis_url):
    configure_celery(task_always_eager=False, broker_url=redis_url)

    assert client.get("/healthz").json()["broker"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_ping_answers_pong_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/ping")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"pong"
