"""The pages every visitor sees first, in-process on a seeded database: server time built from the
database (page cache emptied before each request) and served from the page cache, and SQL queries."""

import io

from bench import percentiles_ms, target, timed, use_scratch_database

describe = "home, course index and sign-in: p95 server time (uncached and cached) and queries per request"


def add_arguments(parser):
    parser.add_argument("--requests", type=int, default=100, help="requests per page and mode (default 100)")
    parser.add_argument("--scale", type=int, default=5, help="seed_demo --scale (default 5)")


def run(options) -> dict:
    use_scratch_database()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("seed_demo", scale=options.scale, stdout=io.StringIO())
    client = Client()

    def uncached(path):
        cache.clear()  # also forgets Wagtail's site root paths: the worst case after a publish
        assert client.get(path).status_code == 200

    pages = {"home": "/", "courses": "/courses/", "sign_in": "/accounts/sign-in/"}
    measurements, targets = {}, []
    for name, path in pages.items():
        uncached(path)  # templates compiled, per-process caches warm
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        query_count = len(queries)  # now: the captured list is a view of the connection's log
        built = percentiles_ms(timed(lambda path=path: uncached(path), options.requests))
        served = percentiles_ms(timed(lambda path=path: client.get(path), options.requests))
        measurements[name] = {"uncached": built, "cached": served, "queries": query_count}
        targets.append(target(f"{name} uncached p95_ms", built["p95_ms"], 150, "lower"))
        targets.append(target(f"{name} queries", query_count, 25, "lower"))
    return {"benchmark": "home", "scale": options.scale, "pages": measurements, "targets": targets}
