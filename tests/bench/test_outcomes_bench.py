"""`python -m bench outcomes` at a small scale on SQLite: it seeds every kind of row and prints every
figure with its two targets."""

import pytest

# The benchmark runs on SQLite whatever DATABASE_URL says: the PostgreSQL pass would only repeat it.
pytestmark = pytest.mark.sqlite_only

FIGURES = ["seed_s", "rebuild_s", "dashboard_ms", "dashboard", "public_page_ms", "public_page", "rows", "targets"]
DASHBOARD_PARTS = {"headline", "by_month", "by_program", "by_course", "by_instructor", "hires_per_merchant"}


def test_outcomes_benchmark_runs_small_on_sqlite(run_bench):
    result = run_bench("outcomes", "--enrolments", "2000", "--runs", "2")

    assert result["database"] == "sqlite"
    assert [name for name in FIGURES if name not in result] == []
    rows = result["rows"]
    assert rows["enrolments"] == 2000
    assert rows["classes"] == 40
    assert set(rows["by_status"]) >= {"completed", "failed", "withdrawn", "waitlisted", "enrolled"}
    assert rows["by_status"]["completed"] > 1000  # mostly completed
    assert 0 < rows["valid_certificates"] < rows["certificates"]  # some revoked
    assert rows["placements"] > 0
    assert 0 < rows["answered_follow_ups"] < rows["follow_ups"] == 3 * rows["placements"]
    # The outcome rows built after the bulk seeding: one per seated enrolment.
    seated = ("enrolled", "completed", "failed", "withdrawn")
    assert rows["outcome_rows"] == sum(rows["by_status"].get(status, 0) for status in seated)
    assert set(result["dashboard"]["parts_p50_ms"]) == DASHBOARD_PARTS
    assert result["dashboard_ms"] > 0 and result["public_page_ms"] > 0
    assert {t["name"] for t in result["targets"]} == {"dashboard_ms", "public_page_ms"}
