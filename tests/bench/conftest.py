"""Running a benchmark small, on SQLite, from a test: one JSON result back."""

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


@pytest.fixture
def run_bench(tmp_path, db):
    """`run_bench("matching", "--graduates", "2000")` → the benchmark's JSON, run on SQLite in a scratch
    folder whatever database the suite runs on (the test database is only read, to be copied)."""

    def run(name: str, *arguments: str) -> dict:
        command = [sys.executable, "-m", "bench", name, *arguments]
        if template := _migrated_copy(tmp_path):
            command += ["--sqlite-template", str(template)]
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.stdout.strip(), done.stderr[-4000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    return run
