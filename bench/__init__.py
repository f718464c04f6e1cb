"""Benchmarks: `python -m bench NAME [options]`. Each prints one JSON object on its last line, with its
raw measurements and a `targets` list, and exits non-zero when a target is missed."""

import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# name -> module; each module has `describe`, `add_arguments(parser)` and `run(options) -> dict`.
BENCHMARKS = {
    "home": "bench.home",
    "catalog": "bench.catalog",
    "enrolment": "bench.enrolment",
    "certificates": "bench.certificates",
    "matching": "bench.matching",
    "outcomes": "bench.outcomes",
    "load": "bench.load",
}


def load(name: str):
    return importlib.import_module(BENCHMARKS[name])


def target(name: str, value: float, limit: float, better: str) -> dict:
    met = value <= limit if better == "lower" else value >= limit
    return {"name": name, "value": round(value, 3), "limit": limit, "better": better, "met": met}


def percentiles_ms(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "n": len(ms),
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(ms[-1], 2),
    }


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def use_scratch_database() -> Path:
    """Point Django at a fresh SQLite file (unless DATABASE_URL names one) and set it up."""
    folder = Path(tempfile.mkdtemp(prefix="baijia-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baijia.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the in-process test client, locmem mail

    call_command("migrate", verbosity=0, interactive=False)
    return folder


def emit(result: dict) -> int:
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0 if all(t["met"] for t in result.get("targets", [])) else 1
