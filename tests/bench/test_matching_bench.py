"""`python -m bench matching` at a small scale on SQLite: it prints every figure, the naive loop ranks
exactly as the index does, and the planted graduates come out on top."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
FIGURES = [
    "seed_s",
    "features_build_s",
    "index_load_s",
    "candidates_p50_ms",
    "candidates_p95_ms",
    "postings_p50_ms",
    "postings_p95_ms",
    "placement_round_s",
    "naive_candidates_ms",
    "naive_matches_indexed",
    "speedup_vs_naive",
    "peak_rss_mib",
    "query_peak_rss_mib",
    "precision_at_5",
    "graduate_hit_at_5",
]


def _migrated_copy(folder: Path) -> Path | None:
    """A copy of the test run's migrated SQLite database, so the benchmark need not migrate its own
    (most of a small run); None on PostgreSQL, or when the tests ran without migrations."""
    if connection.vendor != "sqlite" or not MigrationRecorder(connection).applied_migrations():
        return None
    # Read through a connection of its own: the test's holds its transaction's write lock, which
    # would keep a backup from it waiting forever. WAL lets this one read the committed database.
    source, copy = sqlite3.connect(connection.settings_dict["NAME"]), sqlite3.connect(folder / "migrated.sqlite3")
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return folder / "migrated.sqlite3"


@pytest.mark.django_db  # only for the test database to copy: the benchmark makes and drops its own
def test_matching_benchmark_runs_small_on_sqlite(tmp_path):
    command = [sys.executable, "-m", "bench", "matching", "--graduates", "2000", "--postings", "200"]
    command += ["--samples", "10", "--naive", "2"]
    if template := _migrated_copy(tmp_path):
        command += ["--sqlite-template", str(template)]
    # SQLite in a scratch folder, whatever database the suite runs on.
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}

    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600, check=False)

    assert done.stdout.strip(), done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["database"] == "sqlite"
    assert [name for name in FIGURES if name not in result] == []
    assert result["naive_matches_indexed"] is True
    assert result["precision_at_5"] >= 0.9
    assert result["graduate_hit_at_5"] >= 0.9
    assert result["candidates"]["mean_results"] == 20
    assert result["rows"]["candidate_features"] == 2000
    assert {t["name"] for t in result["targets"]} >= {
        "candidates_p50_ms",
        "postings_p50_ms",
        "placement_round_s",
        "speedup_vs_naive",
        "peak_rss_mib",
        "precision_at_5",
    }
