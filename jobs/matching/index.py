"""Matching's working set, in each process's memory as numpy arrays: every candidate (one row per
CandidateFeatures) and every posting. Scoring a posting against 100,000 graduates is then a dozen array
operations instead of 100,000 Python calls.

Fresh without a full reload: before each use the candidate index reads the CandidateFeatures rows whose
version is above the last one it saw (versions grow in commit order, so nothing is missed), and the
posting index re-reads the postings changed in the last minutes. What an index says is confirmed in
the database before anyone sees it (consent, deletions): see jobs.matching.recommend."""

import datetime
import threading
from dataclasses import dataclass

from django.utils import timezone

import numpy as np

from jobs.geography import SEATS, distance_km
from jobs.matching import score
from jobs.matching.features import PostingVector

# Bit i of a candidate's district mask is DISTRICTS[i]; "other" (outside Luoyang) has no seat.
DISTRICTS = [*SEATS, "other"]
DISTRICT_INDEX = {code: i for i, code in enumerate(DISTRICTS)}


def _closeness_by_mask() -> np.ndarray:
    """[mask, district] → closeness of the nearest district in the mask: the best a candidate willing to
    work in several districts can do for a job in one."""
    single = np.array(
        [[score.closeness(np.nan if (km := distance_km(a, b)) is None else km) for b in DISTRICTS] for a in DISTRICTS]
    )
    table = np.zeros((1 << len(DISTRICTS), len(DISTRICTS)))
    masks = np.arange(1 << len(DISTRICTS))
    for bit in range(len(DISTRICTS)):
        has = (masks >> bit) & 1 == 1
        table[has] = np.maximum(table[has], single[bit])
    return table


CLOSENESS = _closeness_by_mask()


def district_mask(codes) -> int:
    return sum(1 << DISTRICT_INDEX[code] for code in set(codes) if code in DISTRICT_INDEX)


class Vocabulary:
    """Column numbers for skill, course, program and category ids, shared by both indexes."""

    def __init__(self):
        self.columns = {"skill": {}, "course": {}, "program": {}, "category": {}}

    def column(self, kind: str, key: int) -> int:
        columns = self.columns[kind]
        if key not in columns:
            columns[key] = len(columns)
        return columns[key]

    def existing(self, kind: str, keys) -> list[int]:
        columns = self.columns[kind]
        return [columns[key] for key in keys if key in columns]

    def size(self, kind: str) -> int:
        return len(self.columns[kind])


def _grown(array: np.ndarray, rows: int, columns: int | None = None) -> np.ndarray:
    """`array` with at least `rows` rows (and `columns` columns), zero-filled; itself when big enough.
    Rows grow by doubling, so adding candidates one by one stays cheap."""
    want_rows = array.shape[0] if rows <= array.shape[0] else max(rows, 2 * array.shape[0], 64)
    if array.ndim == 1:
        if want_rows == array.shape[0]:
            return array
        grown = np.zeros(want_rows, dtype=array.dtype)
        grown[: array.shape[0]] = array
        return grown
    want_columns = max(array.shape[1], columns or 0)
    if (want_rows, want_columns) == array.shape:
        return array
    grown = np.zeros((want_rows, want_columns), dtype=array.dtype, order="F")
    grown[: array.shape[0], : array.shape[1]] = array
    return grown


@dataclass
class Graduate:
    """One candidate's side of the formula, as dense vectors over the vocabulary."""

    user_id: int
    certified: np.ndarray
    completed: np.ndarray
    declared: np.ndarray
    courses: np.ndarray
    programs: np.ndarray
    categories: np.ndarray
    district_mask: int
    expected_pay: float
    available_from: int
    last_trained: int


class CandidateIndex:
    """Every candidate, a row each."""

    VECTORS = {
        "user_id": np.int64,
        "shared": bool,
        "placed": bool,
        "district_mask": np.int32,
        "expected_pay": np.float64,
        "available_from": np.int32,
        "last_trained": np.int32,
    }
    MATRICES = {
        "certified": ("skill", np.uint8),
        "completed": ("skill", np.uint8),
        "declared": ("skill", np.uint8),
        "courses": ("course", bool),
        "programs": ("program", bool),
        "categories": ("category", bool),
    }

    def __init__(self, vocabulary: Vocabulary | None = None):
        self.vocabulary = vocabulary or Vocabulary()
        self.size = 0
        self.row_of: dict[int, int] = {}
        self.version = -1
        self.lock = threading.Lock()
        for name, dtype in self.VECTORS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        for name, (_kind, dtype) in self.MATRICES.items():
            setattr(self, name, np.zeros((0, 0), dtype=dtype, order="F"))

    @classmethod
    def from_rows(cls, rows, vocabulary: Vocabulary | None = None) -> "CandidateIndex":
        index = cls(vocabulary)
        index.upsert(rows)
        return index

    def _fit(self) -> None:
        for name in self.VECTORS:
            setattr(self, name, _grown(getattr(self, name), self.size))
        for name, (kind, _dtype) in self.MATRICES.items():
            setattr(self, name, _grown(getattr(self, name), self.size, self.vocabulary.size(kind)))

    def upsert(self, rows) -> None:
        """Add or replace candidates from CandidateFeatures rows (or objects with the same attributes).
        The rows are gathered into flat lists and written with a few array assignments: a process's first
        load of 100,000 candidates is a Python pass over the rows, not a million numpy item writes."""
        rows = list(rows)
        if not rows:
            return
        column = self.vocabulary.column
        positions = []
        cells = {name: ([], [], []) for name in self.MATRICES}  # name → (rows, columns, values)
        for row in rows:
            position = self.row_of.get(row.user_id)
            if position is None:
                position = self.row_of[row.user_id] = self.size
                self.size += 1
            positions.append(position)
            for skill, evidence in row.skills.items():
                skill_column = column("skill", int(skill))
                for kind in ("certified", "completed", "declared"):
                    if kind in evidence:
                        level = evidence[kind]
                        _add(cells[kind], position, skill_column, level[0] if isinstance(level, list) else level)
            for course in row.courses:
                _add(cells["courses"], position, column("course", int(course)), True)
            for program in row.programs:
                _add(cells["programs"], position, column("program", program), True)
            for category in row.categories:
                _add(cells["categories"], position, column("category", category), True)
        self._fit()
        at = np.array(positions, dtype=np.int64)
        self.user_id[at] = [row.user_id for row in rows]
        self.shared[at] = [row.shared for row in rows]
        self.placed[at] = [row.placed for row in rows]
        self.district_mask[at] = [district_mask(row.districts) for row in rows]
        self.expected_pay[at] = [
            np.nan if row.expected_monthly_pay is None else row.expected_monthly_pay for row in rows
        ]
        self.available_from[at] = [row.available_from.toordinal() if row.available_from else 0 for row in rows]
        self.last_trained[at] = [row.last_trained_on.toordinal() if row.last_trained_on else 0 for row in rows]
        for name, (cell_rows, cell_columns, values) in cells.items():
            matrix = getattr(self, name)
            matrix[at, :] = 0  # a replaced candidate keeps nothing of their old row
            matrix[cell_rows, cell_columns] = values

    def graduate(self, i: int) -> Graduate:
        self._fit()
        return Graduate(
            user_id=int(self.user_id[i]),
            certified=self.certified[i],
            completed=self.completed[i],
            declared=self.declared[i],
            courses=self.courses[i],
            programs=self.programs[i],
            categories=self.categories[i],
            district_mask=int(self.district_mask[i]),
            expected_pay=float(self.expected_pay[i]),
            available_from=int(self.available_from[i]),
            last_trained=int(self.last_trained[i]),
        )

    def components(self, posting: PostingVector, today: datetime.date) -> dict[str, np.ndarray]:
        """Each component of every candidate's fit to `posting`."""
        self._fit()
        n, vocabulary = self.size, self.vocabulary
        if posting.skills:
            credit = np.zeros(n)
            for skill, level in posting.skills.items():
                if (column := vocabulary.columns["skill"].get(skill)) is not None:
                    credit += score.skill_credit(
                        self.certified[:n, column], self.completed[:n, column], self.declared[:n, column], level
                    )
            skills = credit / len(posting.skills)
        else:
            skills = np.ones(n)
        course_columns = vocabulary.existing("course", posting.preferred_courses)
        program_columns = vocabulary.existing("program", posting.programs)
        category_column = vocabulary.columns["category"].get(posting.category_id)
        return {
            "skills": skills,
            "program": score.program_fit(
                self.courses[:n, course_columns].any(axis=1),
                self.programs[:n, program_columns].any(axis=1),
                self.categories[:n, category_column] if category_column is not None else np.zeros(n, bool),
            ),
            "distance": CLOSENESS[self.district_mask[:n], DISTRICT_INDEX.get(posting.district, -1)],
            "pay": score.pay_fit(self.expected_pay[:n], posting.pay_max),
            "availability": score.availability(self.available_from[:n], posting.closing_date.toordinal()),
            "recency": score.recency(self.last_trained[:n], today.toordinal()),
        }

    def top(self, posting: PostingVector, *, limit: int, eligible: np.ndarray | None = None, today=None):
        """[(user id, score)] of the best `limit` candidates (ties by user id), and the components."""
        today = today or timezone.localdate()
        components = self.components(posting, today)
        scores = score.total(components)
        return _best(scores, self.user_id[: self.size], limit, eligible), components


def _add(cells: tuple[list, list, list], row: int, column: int, value) -> None:
    cells[0].append(row)
    cells[1].append(column)
    cells[2].append(value)


def _best(scores: np.ndarray, ids: np.ndarray, limit: int, eligible: np.ndarray | None):
    """Positions of the `limit` highest scores among the eligible, best first, ties by id."""
    if eligible is not None:
        scores = np.where(eligible, scores, -np.inf)
    count = int(np.isfinite(scores).sum())
    limit = min(limit, count)
    if limit <= 0:
        return []
    # The limit-th best score, then everything at least that good: ties at the cut are kept and
    # ordered by id, so the result never depends on argpartition's order.
    cut = np.partition(scores, scores.size - limit)[scores.size - limit]
    chosen = np.flatnonzero(scores >= cut)
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return [int(position) for position in chosen[order][:limit]]


class PostingIndex:
    """Every posting a graduate could be recommended, a row each."""

    def __init__(self, vocabulary: Vocabulary | None = None):
        self.vocabulary = vocabulary or Vocabulary()
        self.vectors: list[PostingVector] = []
        self.row_of: dict[int, int] = {}
        self.checked_at = None
        self.lock = threading.Lock()
        self._arrays = None

    @classmethod
    def from_vectors(cls, vectors, vocabulary: Vocabulary | None = None) -> "PostingIndex":
        index = cls(vocabulary)
        index.upsert(vectors)
        return index

    def upsert(self, vectors) -> None:
        for vector in vectors:
            if vector.id in self.row_of:
                self.vectors[self.row_of[vector.id]] = vector
            else:
                self.row_of[vector.id] = len(self.vectors)
                self.vectors.append(vector)
            for skill in vector.skills:
                self.vocabulary.column("skill", skill)
            for course in vector.preferred_courses:
                self.vocabulary.column("course", course)
            for program in vector.programs:
                self.vocabulary.column("program", program)
            self.vocabulary.column("category", vector.category_id)
        self._arrays = None

    def arrays(self) -> dict:
        """The postings as arrays, rebuilt after a change (a few thousand rows: milliseconds)."""
        if self._arrays is None:
            columns = self.vocabulary.columns
            vectors = self.vectors
            requirement = [
                (row, columns["skill"][s], level) for row, v in enumerate(vectors) for s, level in v.skills.items()
            ]
            preferred = [(row, columns["course"][c]) for row, v in enumerate(vectors) for c in v.preferred_courses]
            programs = [(row, columns["program"][p]) for row, v in enumerate(vectors) for p in v.programs]
            self._arrays = {
                "id": np.array([v.id for v in vectors], dtype=np.int64),
                "open": np.array([v.is_open for v in vectors], dtype=bool),
                "closing": np.array([v.closing_date.toordinal() for v in vectors], dtype=np.int32),
                "category": np.array([columns["category"][v.category_id] for v in vectors], dtype=np.int32),
                "district": np.array([DISTRICT_INDEX.get(v.district, -1) for v in vectors], dtype=np.int32),
                "pay_max": np.array([v.pay_max for v in vectors], dtype=np.float64),
                "requirement": np.array(requirement, dtype=np.int32).reshape(-1, 3),
                "requirements": np.bincount(
                    np.array([r[0] for r in requirement], dtype=np.int64), minlength=len(vectors)
                ),
                "preferred": np.array(preferred, dtype=np.int32).reshape(-1, 2),
                "programs": np.array(programs, dtype=np.int32).reshape(-1, 2),
            }
        return self._arrays

    def components(self, graduate: Graduate, today: datetime.date) -> dict[str, np.ndarray]:
        """Each component of the graduate's fit to every posting."""
        a = self.arrays()
        m = len(self.vectors)
        rows, skill_columns, levels = a["requirement"].T
        credit = score.skill_credit(
            _at(graduate.certified, skill_columns),
            _at(graduate.completed, skill_columns),
            _at(graduate.declared, skill_columns),
            levels,
        )
        credit_sum = np.bincount(rows, weights=credit, minlength=m)
        skills = np.where(a["requirements"] > 0, credit_sum / np.maximum(a["requirements"], 1), 1.0)
        preferred_rows, course_columns = a["preferred"].T
        took = np.bincount(preferred_rows, weights=_at(graduate.courses, course_columns), minlength=m) > 0
        program_rows, program_columns = a["programs"].T
        trained = np.bincount(program_rows, weights=_at(graduate.programs, program_columns), minlength=m) > 0
        return {
            "skills": skills,
            "program": score.program_fit(took, trained, _at(graduate.categories, a["category"]).astype(bool)),
            "distance": CLOSENESS[graduate.district_mask, a["district"]],
            "pay": score.pay_fit(np.full(m, graduate.expected_pay), a["pay_max"]),
            "availability": score.availability(graduate.available_from, a["closing"]),
            "recency": np.full(m, score.recency(graduate.last_trained, today.toordinal()), dtype=float),
        }

    def top(self, graduate: Graduate, *, limit: int, exclude=(), today=None):
        """[(position, score)] of the best `limit` open postings for the graduate, and the components."""
        today = today or timezone.localdate()
        a = self.arrays()
        components = self.components(graduate, today)
        scores = score.total(components)
        eligible = a["open"] & (a["closing"] >= today.toordinal())
        if exclude:
            eligible &= ~np.isin(a["id"], list(exclude))
        return _best(scores, a["id"], limit, eligible), components


def _at(vector: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """vector[columns], with 0 for columns the vector is too short to have (new in the vocabulary)."""
    padded = np.zeros(max(int(columns.max(initial=-1)) + 1, vector.size), dtype=vector.dtype)
    padded[: vector.size] = vector
    return padded[columns]
