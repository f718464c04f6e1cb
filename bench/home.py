"""Home page and sign-in page: server time and queries per request, in-process, on a seeded database."""

import io

from bench import percentiles_ms, target, timed, use_scratch_database

describe = "home and sign-in pages: p95 server time and queries per request"


def add_arguments(parser):
    parser.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument("--scale", type=int, default=5, help="seed_demo --scale (default 5)")


def run(options) -> dict:
    use_scratch_database()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("seed_demo", scale=options.scale, stdout=io.StringIO())
    client = Client()
    pages = {"home": "/", "sign_in": "/accounts/sign-in/"}
    measurements, targets = {}, []
    for name, path in pages.items():
        client.get(path)  # warm caches and templates
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        timings = percentiles_ms(timed(lambda path=path: client.get(path), options.requests))
        measurements[name] = {**timings, "queries": len(queries)}
        targets.append(target(f"{name}_p95_ms", timings["p95_ms"], 50, "lower"))
        targets.append(target(f"{name}_queries", len(queries), 10, "lower"))
    return {"benchmark": "home", "scale": options.scale, "pages": measurements, "targets": targets}
