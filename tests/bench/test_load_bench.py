"""`python -m bench load` at a tiny scale on SQLite: gunicorn with the production configuration, a real
Celery worker on Redis, virtual users who sign in through the form, enrol and apply; no error, and the
data checked afterwards holds."""

import pytest

# The benchmark runs on SQLite whatever DATABASE_URL says: the PostgreSQL pass would only repeat it.
pytestmark = pytest.mark.sqlite_only


@pytest.mark.usefixtures("redis_url")  # the cache and the worker's broker
def test_the_load_benchmark_signs_in_enrols_and_applies_without_errors(run_bench):
    result = run_bench(
        "load",
        *("--seconds", "4", "--users", "3", "--students", "12", "--scale", "1"),
        # Short visits, half of them by people still signed in from last week (a remembered session), who
        # read pages first; the others sign in through the form when they first enrol or apply.
        *("--think", "0.2", "--visit", "4", "--returning", "0.5", "--mix", "enrol=2,apply=2,course=1,jobs=1"),
    )

    assert result["database"] == "sqlite"
    assert result["errors"] == 0, result["error_samples"]
    assert {"sign_in_page", "sign_in", "enrol_page", "enrol", "posting", "apply", "course", "jobs"} <= set(
        result["pages"]
    )
    assert result["outcomes"].get("enrolled or waitlisted", 0) + result["outcomes"].get("enrolment refused", 0) > 0
    assert result["outcomes"].get("applied", 0) > 0
    # The writes the users saw are in the database, and nothing broke an invariant.
    after = result["database_after"]
    assert after["applications"] > 0 and after["enrolments"] > 0
    assert result["integrity_violations"] == 0
    assert result["tasks_left_in_queue"] == 0  # the worker took every task the requests sent
    assert result["server_errors_logged"] == result["worker_errors_logged"] == 0
    # gunicorn's own time for each page, from its access log
    assert {"enrol", "apply"} <= set(result["served"])
    assert {t["name"] for t in result["targets"]} == {"errors", "p95_ms", "integrity_violations"}
