from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from baijia.celery import app as celery_app


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "down"
    return "ok"


def _broker_state() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return "down"
    return "ok"


def _cache_state() -> str:
    # Redis behind the cache: the page cache, rate limits and throttles shared by every web machine.
    # Django's Redis cache raises when it cannot connect; a write and a read prove it answers.
    try:
        cache.set("healthz", "ok", 10)
        return "ok" if cache.get("healthz") == "ok" else "down"
    except Exception:
        return "down"


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 while the database answers, 503 when it does not. The
    broker and the cache are reported for monitoring: Redis is shared by every machine, so its outage
    must not take every web machine out of the balancer at once."""
    database = _database_state()
    return JsonResponse(
        {"database": database, "broker": _broker_state(), "cache": _cache_state()},
        status=200 if database == "ok" else 503,
    )


def ping(request):
    """The cheapest page the stack can serve (the view reads no database and no cache): the baseline that
    `python -m bench catalog` compares real pages with."""
    return HttpResponse("pong", content_type="text/plain")
