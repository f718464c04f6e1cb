"""The public catalogue under load: the seeded site served by gunicorn (2 workers, production settings),
loaded from a second process on 127.0.0.1. Each page's throughput is compared with a trivial view's
(/ping) served by the same processes, so the targets hold on a fast machine and on a slow one.

Run as `python -m bench.catalog --client …` this module is also that second process: a small load
generator (threads, http.client), which prints its measurements as one JSON line."""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter

from bench import percentiles_ms, target
from bench.server import (
    BASE_DIR,
    HOST,
    ScratchSite,
    get,
    manage,
)

describe = "catalogue pages through gunicorn under load: throughput as a ratio to a trivial view"

WORKERS = 2
# Both workers share the page cache (and its invalidation) through Redis, as in production.
REDIS_URL = "redis://127.0.0.1:6379/13"
BASELINE = "/ping"
FILTERED = "/courses/?schedule=evening&sort=start"
# The job board, plain and filtered, against the same baseline (issue #6).
JOBS = "/jobs/"
JOBS_FILTERED = "/jobs/?employment_type=full_time&min_pay=3000&sort=-pay"
POSTING_LINK = re.compile(r'href="(/jobs/\d+/)"')
EXTRAS = ["/en/courses/"]  # measured, without a target
COURSE_LINK = re.compile(r'href="(/courses/[^/"?#]+/[^/"?#]+/)"')
RATIO_LIMIT = 0.5


def add_arguments(parser):
    parser.add_argument("--seconds", type=float, default=10, help="load time per path (default 10)")
    parser.add_argument("--scale", type=int, default=5, help="seed_demo --scale (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads, one connection each (default 8)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="slices each path's time into this many rounds, taken in turn with every other path, so a "
        "machine that slows down mid-run slows the baseline and the pages alike (default 5)",
    )


def run(options) -> dict:
    if options.seconds <= 0 or options.rounds < 1 or options.concurrency < 1 or options.scale < 1:
        raise SystemExit("--seconds must be positive; --rounds, --concurrency and --scale at least 1")
    with ScratchSite("catalog", redis_url=REDIS_URL) as site:
        port = site.port
        manage(site.env, "collectstatic", "--noinput")
        seeded = manage(site.env, "seed_demo", "--scale", str(options.scale))
        site.start(workers=WORKERS)

        course_page = _first_course_link(get(port, "/courses/")[1])
        if not COURSE_LINK.search(get(port, FILTERED)[1]):
            raise RuntimeError(f"{FILTERED} lists no course: pick a filter that returns results")
        if not POSTING_LINK.search(get(port, JOBS_FILTERED)[1]):
            raise RuntimeError(f"{JOBS_FILTERED} lists no posting: pick a filter that returns results")
        pages = ["/", "/courses/", FILTERED, course_page, JOBS, JOBS_FILTERED]
        for path in [BASELINE, *pages, *EXTRAS]:
            for _ in range(2 * WORKERS):  # warm each worker's templates and the shared page cache
                status, _body = get(port, path)
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status} while warming up")

        measured = _load(
            port=port,
            paths=[BASELINE, *pages, *EXTRAS],
            seconds=options.seconds,
            rounds=options.rounds,
            concurrency=options.concurrency,
        )
        engine = site.database.engine

    baseline = measured.pop(BASELINE)
    for result in measured.values():
        result["ratio"] = round(result["rps"] / baseline["rps"], 3)
    targets = [target(f"ratio {path}", measured[path]["ratio"], RATIO_LIMIT, "higher") for path in pages]
    errors = baseline["errors"] + sum(result["errors"] for result in measured.values())
    targets.append(target("errors", errors, 0, "lower"))
    return {
        "benchmark": "catalog",
        "database": engine,
        "scale": options.scale,
        # The summary line; the console e-mail backend may print messages around it.
        "seeded": next((line for line in seeded.splitlines() if line.startswith("Catalogue:")), ""),
        "seconds": options.seconds,
        "rounds": options.rounds,
        "server": f"gunicorn, {WORKERS} sync workers, production settings, DEBUG off, page cache in Redis",
        "workers": WORKERS,
        "client": f"1 process, {options.concurrency} threads, one http.client connection each",
        "concurrency": options.concurrency,
        "cpus": os.cpu_count(),
        "course_page": course_page,
        "baseline": {"path": BASELINE, **baseline},
        "pages": measured,
        "targets": targets,
    }


def _first_course_link(html: str) -> str:
    match = COURSE_LINK.search(html)
    if match is None:
        raise RuntimeError("/courses/ links to no course page")
    return match.group(1)


def _load(*, port: int, paths: list[str], seconds: float, rounds: int, concurrency: int) -> dict:
    """Load the paths from a separate Python process, so the client never shares the server's GIL."""
    command = [sys.executable, "-m", "bench.catalog", "--client", "--port", str(port), "--paths", *paths]
    command += ["--seconds", str(seconds), "--rounds", str(rounds), "--concurrency", str(concurrency)]
    done = subprocess.run(
        command,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=seconds * len(paths) + 120,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"load client failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The load generator (the second process) ---------------------------------------------------------


def _slice(port: int, path: str, seconds: float, concurrency: int) -> list[dict]:
    """`concurrency` threads, one connection each, requesting `path` for `seconds`; one record per thread."""
    started: list[float] = []
    barrier = threading.Barrier(concurrency, action=lambda: started.append(time.perf_counter()))
    records = [{"latencies": [], "statuses": Counter(), "cache": Counter(), "bytes": 0} for _ in range(concurrency)]

    def hammer(record: dict) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        barrier.wait()
        deadline = started[0] + seconds
        record["end"] = started[0]
        while (begin := time.perf_counter()) < deadline:
            try:
                # http.client reconnects by itself when the server closes the connection (gunicorn's sync
                # workers answer every request with Connection: close).
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                status, cache = str(response.status), response.getheader("X-Page-Cache", "none")
                record["bytes"] += len(body)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status, cache = type(error).__name__, "none"
            record["end"] = time.perf_counter()
            record["latencies"].append(record["end"] - begin)
            record["statuses"][status] += 1
            record["cache"][cache] += 1
        connection.close()
        record["elapsed"] = record["end"] - started[0]

    threads = [threading.Thread(target=hammer, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records


def _client(port: int, paths: list[str], seconds: float, rounds: int, concurrency: int) -> dict:
    """Each path for `seconds` in all, in `rounds` slices taken in turn with the other paths."""
    totals = {
        path: {"latencies": [], "statuses": Counter(), "cache": Counter(), "bytes": 0, "elapsed": 0.0, "cpu": 0.0}
        for path in paths
    }
    rps_by_round = {path: [] for path in paths}
    for _ in range(rounds):
        for path in paths:
            cpu = time.process_time()
            records = _slice(port, path, seconds / rounds, concurrency)
            total = totals[path]
            total["cpu"] += time.process_time() - cpu
            elapsed = max(record["elapsed"] for record in records)
            total["elapsed"] += elapsed
            for record in records:
                total["latencies"] += record["latencies"]
                total["statuses"] += record["statuses"]
                total["cache"] += record["cache"]
                total["bytes"] += record["bytes"]
            ok = sum(record["statuses"].get("200", 0) for record in records)
            rps_by_round[path].append(round(ok / elapsed, 1))

    results = {}
    for path, total in totals.items():
        ok = total["statuses"].get("200", 0)
        timings = percentiles_ms(total["latencies"])
        results[path] = {
            "rps": round(ok / total["elapsed"], 1),
            "p50_ms": timings["p50_ms"],
            "p95_ms": timings["p95_ms"],
            "p99_ms": timings["p99_ms"],
            "max_ms": timings["max_ms"],
            "requests": len(total["latencies"]),
            "errors": len(total["latencies"]) - ok,
            "statuses": dict(total["statuses"]),
            "page_cache": dict(total["cache"]),
            "bytes_per_response": round(total["bytes"] / max(ok, 1)),
            "rps_by_round": rps_by_round[path],
            "client_cpu_s": round(total["cpu"], 2),
        }
    return results


def _client_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catalog --client")
    parser.add_argument("--client", action="store_true", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--paths", nargs="+", required=True)
    parser.add_argument("--seconds", type=float, required=True, help="per path, over all rounds")
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    options = parser.parse_args(argv)
    result = _client(options.port, options.paths, options.seconds, options.rounds, options.concurrency)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_client_main(sys.argv[1:]))
