"""`python -m bench matching` at a small scale on SQLite: it prints every figure, the naive loop ranks
exactly as the index does, and the planted graduates come out on top."""

import pytest

# The benchmark runs on SQLite whatever DATABASE_URL says: the PostgreSQL pass would only repeat it.
pytestmark = pytest.mark.sqlite_only

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


def test_matching_benchmark_runs_small_on_sqlite(run_bench):
    result = run_bench("matching", "--graduates", "2000", "--postings", "200", "--samples", "10", "--naive", "2")

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
