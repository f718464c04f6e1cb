"""Placement rounds' optimiser: given graduates, postings with a number of openings, and each pair's
score, find the assignment with the greatest total score such that no posting gets more graduates than
it has openings, each graduate gets at most one posting, and each graduate's preferences hold.

It is an assignment problem (the Hungarian method, via SciPy's linear_sum_assignment): each posting is
repeated once per opening ("slots"), and each graduate also has a column of their own that means "no
posting this round", worth 0, so a pair that is not allowed is never better than leaving them out."""

import datetime

import numpy as np
from scipy.optimize import linear_sum_assignment

from jobs.matching import score
from jobs.matching.features import PostingVector
from jobs.matching.index import CLOSENESS, DISTRICT_INDEX, CandidateIndex

# A disallowed pair costs more than leaving the graduate out (which costs 0).
FORBIDDEN = 1.0


def score_matrix(index: CandidateIndex, postings: list[PostingVector], today: datetime.date) -> np.ndarray:
    """[graduate row, posting] → score, for the index's candidates (in row order)."""
    scores = np.zeros((index.size, len(postings)))
    for column, posting in enumerate(postings):
        scores[:, column] = score.total(index.components(posting, today))
    return scores


def preferences_allow(index: CandidateIndex, postings: list[PostingVector]) -> np.ndarray:
    """[graduate row, posting] → the graduate's own wishes allow it: a kind of work they asked for (when
    they named any), a place within reach of where they want to work (when they named any), and pay not
    below what they expect."""
    n = index.size
    allowed = np.ones((n, len(postings)), dtype=bool)
    columns = index.vocabulary.columns["category"]
    named_categories = index.categories[:n].any(axis=1)
    named_districts = index.district_mask[:n] != 0
    for column, posting in enumerate(postings):
        category = columns.get(posting.category_id)
        wanted = index.categories[:n, category] if category is not None else np.zeros(n, dtype=bool)
        reachable = CLOSENESS[index.district_mask[:n], DISTRICT_INDEX.get(posting.district, -1)] > 0
        paid_enough = np.isnan(index.expected_pay[:n]) | (index.expected_pay[:n] <= posting.pay_max)
        allowed[:, column] = (wanted | ~named_categories) & (reachable | ~named_districts) & paid_enough
    return allowed


def optimal_assignment(
    scores: np.ndarray,
    capacity,
    allowed: np.ndarray | None = None,
    fixed: dict[int, int | None] | None = None,
) -> dict[int, int | None]:
    """graduate → posting (or None): the assignment with the greatest total score. `capacity[p]` is
    posting p's openings; `allowed` (default: everything) rules pairs out; `fixed` pins graduates
    (staff's adjustments) to a posting or to none, and the rest is optimised around them."""
    graduates, postings = scores.shape
    allowed = np.ones_like(scores, dtype=bool) if allowed is None else allowed
    fixed = dict(fixed or {})
    capacity = np.array(capacity, dtype=int)
    for posting in fixed.values():
        if posting is not None:
            capacity[posting] -= 1
    if (capacity < 0).any():
        raise ValueError("more graduates are pinned to a posting than it has openings")
    free = [g for g in range(graduates) if g not in fixed]
    # No posting needs more slots than there are graduates to fill them.
    slot_posting = np.repeat(np.arange(postings), np.minimum(capacity, len(free)))
    result: dict[int, int | None] = {g: fixed[g] for g in fixed}
    if not free:
        return result
    benefit = scores[np.ix_(free, slot_posting)]
    cost = np.where(allowed[np.ix_(free, slot_posting)], -benefit, FORBIDDEN)
    cost = np.hstack([cost, np.zeros((len(free), len(free)))])  # each graduate's "none this round"
    rows, columns = linear_sum_assignment(cost)
    for row, column in zip(rows, columns, strict=True):
        graduate = free[row]
        taken = column < slot_posting.size and cost[row, column] < 0
        result[graduate] = int(slot_posting[column]) if taken else None
    return result
