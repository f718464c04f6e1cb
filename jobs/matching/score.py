"""How well a graduate fits a posting: six components, each between 0 and 1, weighted into a score
from 0 to 100. Every weight and constant of matching lives here; docs/decisions/0005-matching.md says
why each has its value.

Each function takes numpy arrays (or plain numbers) that broadcast, so the one formula scores a single
pair for its explanation, one posting against every graduate, and one graduate against every posting."""

import numpy as np

# Sum to 1. Skills dominate: what the school proves a graduate can do is why merchants come to it.
WEIGHTS = {
    "skills": 0.40,
    "program": 0.15,
    "distance": 0.15,
    "pay": 0.15,
    "availability": 0.10,
    "recency": 0.05,
}

# How far each kind of evidence of a skill is trusted: a valid certificate fully, a completed course
# (no certificate, or one revoked) a little less, the graduate's own word half.
EVIDENCE = {"certified": 1.0, "completed": 0.85, "declared": 0.5}

# Program fit: took a course the merchant prefers; completed a program that trains for this kind of
# work; or only says they want this kind of work.
PROGRAM_FIT = {"preferred_course": 1.0, "program": 0.75, "wanted": 0.4}

# Closeness falls linearly from 1 in the same district to 0 at this distance between district seats.
FAR_KM = 50.0

# China's statutory average working hours per month (21.75 days × 8 h): compares hourly with monthly pay.
HOURS_PER_MONTH = 174
# Expected pay above the top of the range: the fit falls to 0 at this fraction above it.
PAY_TOLERANCE = 0.5
# A graduate who gave no expected pay fits every range half-way: neither a reason for nor against.
PAY_UNKNOWN = 0.5

# Available after the posting closes: the fit falls to 0 over this many days.
AVAILABILITY_GRACE_DAYS = 60

# Training within a year counts fully, then fades to nothing at three years.
RECENT_DAYS = 365
STALE_DAYS = 3 * 365

# Below this a pair is not worth proposing in a placement round.
MIN_PROPOSAL_SCORE = 40.0


def skill_credit(certified, completed, declared, required):
    """Credit for one required skill: the best evidence of it, scaled down when the level proven is
    below the level required (levels are 1–5; 0 means no evidence of that kind)."""
    required = np.maximum(required, 1)
    return np.maximum(
        np.maximum(
            EVIDENCE["certified"] * np.minimum(1.0, np.divide(certified, required)),
            EVIDENCE["completed"] * np.minimum(1.0, np.divide(completed, required)),
        ),
        EVIDENCE["declared"] * np.minimum(1.0, np.divide(declared, required)),
    )


def program_fit(took_preferred_course, completed_program, wants_category):
    return np.where(
        took_preferred_course,
        PROGRAM_FIT["preferred_course"],
        np.where(completed_program, PROGRAM_FIT["program"], np.where(wants_category, PROGRAM_FIT["wanted"], 0.0)),
    )


def closeness(km):
    """1 in the same district, 0 at FAR_KM or more; an unknown distance (NaN) counts as far."""
    return np.nan_to_num(np.clip(1.0 - np.divide(km, FAR_KM), 0.0, 1.0), nan=0.0)


def monthly(amount, per_hour):
    """Pay per month; hourly pay is converted at HOURS_PER_MONTH."""
    return np.where(per_hour, np.multiply(amount, HOURS_PER_MONTH), amount)


def pay_fit(expected, pay_max):
    """1 when the graduate expects no more than the top of the range, falling to 0 at PAY_TOLERANCE
    above it; PAY_UNKNOWN when they gave no figure (NaN). Both per month."""
    over = np.divide(np.subtract(expected, pay_max), np.maximum(np.multiply(pay_max, PAY_TOLERANCE), 1.0))
    fit = np.clip(1.0 - np.maximum(over, 0.0), 0.0, 1.0)
    return np.where(np.isnan(expected), PAY_UNKNOWN, fit)


def availability(available_from, closing_date):
    """Days are ordinals (date.toordinal()); a graduate available by the closing date fits fully."""
    late = np.maximum(np.subtract(available_from, closing_date), 0)
    return np.clip(1.0 - late / AVAILABILITY_GRACE_DAYS, 0.0, 1.0)


def recency(last_trained, today):
    """Days are ordinals; 0 means never completed a course."""
    age = np.subtract(today, last_trained)
    fading = np.clip(1.0 - (age - RECENT_DAYS) / (STALE_DAYS - RECENT_DAYS), 0.0, 1.0)
    return np.where(np.asarray(last_trained) <= 0, 0.0, np.where(age <= RECENT_DAYS, 1.0, fading))


def total(components: dict) -> np.ndarray:
    """The score, 0–100, from the six components."""
    return 100.0 * sum(WEIGHTS[name] * np.asarray(components[name], dtype=float) for name in WEIGHTS)
