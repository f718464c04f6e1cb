"""Recommendations with their reasons: the postings for a graduate, the candidates for a posting, and
one pair. Pages, the API and placement rounds all read them from here.

The in-memory indexes (jobs.matching.index) propose; the database confirms before anyone sees a
name: consent, placement and the record behind each reason are read again for the rows shown."""

import datetime
import threading
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

import numpy as np

from jobs.geography import distance_km
from jobs.matching import score
from jobs.matching.features import PostingVector, posting_vector, postings_with_requirements
from jobs.matching.index import CandidateIndex, PostingIndex, Vocabulary
from jobs.models import Application, CandidateFeatures, JobCategory, JobPosting
from school.models import LUOYANG_DISTRICTS, Course, CourseSkill, Program, Skill

DISTRICT_NAMES = dict(LUOYANG_DISTRICTS)
# A posting changed this long before the last check may have committed after it.
POSTING_COMMIT_LAG = datetime.timedelta(seconds=60)
ROW_FIELDS = [
    "user_id",
    "shared",
    "placed",
    "districts",
    "categories",
    "expected_monthly_pay",
    "available_from",
    "last_trained_on",
    "skills",
    "courses",
    "programs",
    "version",
]
Row = namedtuple("Row", ROW_FIELDS)


class _Live:
    """This process's indexes, brought up to date before each use."""

    def __init__(self):
        self.vocabulary = Vocabulary()
        self.candidates = CandidateIndex(self.vocabulary)
        self.postings = PostingIndex(self.vocabulary)
        self.posting_window = None
        self.lock = threading.RLock()

    def candidate_index(self) -> CandidateIndex:
        with self.lock:
            index = self.candidates
            changed = CandidateFeatures.objects.filter(version__gt=index.version).order_by("version")
            batch = []
            for values in changed.values_list(*ROW_FIELDS).iterator(chunk_size=5000):
                batch.append(Row(*values))
                if len(batch) == 5000:
                    self._take(batch)
                    batch = []
            self._take(batch)
            return index

    def _take(self, rows) -> None:
        if rows:
            self.candidates.upsert(rows)
            self.candidates.version = max(self.candidates.version, rows[-1].version)

    def posting_index(self) -> PostingIndex:
        with self.lock:
            index = self.postings
            now = timezone.now()
            if index.checked_at is None:
                changed = JobPosting.objects.filter(status=JobPosting.Status.PUBLISHED)
            else:
                recent = JobPosting.objects.filter(updated_at__gte=index.checked_at - POSTING_COMMIT_LAG)
                window = recent.aggregate(count=Count("pk"), last=Max("updated_at"))
                if window == self.posting_window:
                    return index
                self.posting_window, changed = window, recent
            index.upsert(posting_vector(posting) for posting in postings_with_requirements(changed))
            if index.checked_at is None:
                self.posting_window = JobPosting.objects.filter(updated_at__gte=now - POSTING_COMMIT_LAG).aggregate(
                    count=Count("pk"), last=Max("updated_at")
                )
            index.checked_at = now
            return index

    def reset(self) -> None:
        """Forget everything (tests, whose rolled-back rows the indexes would otherwise remember)."""
        with self.lock:
            self.__init__()


live = _Live()


@dataclass
class Reason:
    code: str
    text: str


@dataclass
class MissingSkill:
    skill: Skill
    level: int
    course: Course | None  # a course of the school that teaches it to that level


@dataclass
class Match:
    user_id: int
    posting_id: int
    score: float
    components: dict[str, float]
    reasons: list[Reason] = field(default_factory=list)
    missing: list[MissingSkill] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return int(round(self.score))


def _row_components(components: dict[str, np.ndarray], position: int) -> dict[str, float]:
    return {name: float(values[position]) for name, values in components.items()}


class _Names:
    """The names reasons mention, fetched once for a page of matches."""

    def __init__(self, rows: list[CandidateFeatures], postings: list[PostingVector]):
        skill_ids = {int(s) for row in rows for s in row.skills} | {s for p in postings for s in p.skills}
        course_ids = {
            c
            for row in rows
            for evidence in row.skills.values()
            for kind in ("certified", "completed")
            if kind in evidence
            for c in [evidence[kind][1]]
        }
        course_ids |= {int(c) for row in rows for c in row.courses}
        self.skills = Skill.objects.in_bulk(skill_ids)
        self.courses = Course.objects.select_related("page").in_bulk(course_ids)
        self.programs = Program.objects.in_bulk({p for row in rows for p in row.programs})
        self.categories = JobCategory.objects.in_bulk({p.category_id for p in postings})
        self.teaching = self._teaching({(s, level) for p in postings for s, level in p.skills.items()})

    def _teaching(self, requirements) -> dict[tuple[int, int], Course]:
        """For each (skill, level): the course that teaches the skill to that level with the least
        level to spare (so the shortest step), preferring courses with a live page."""
        if not requirements:
            return {}
        offers = (
            CourseSkill.objects.filter(skill_id__in={s for s, _level in requirements})
            .select_related("course__page")
            .order_by("level", "course__code")
        )
        best = {}
        for offer in offers:
            live_page = getattr(offer.course, "page", None) is not None and offer.course.page.live
            for skill, level in requirements:
                if offer.skill_id == skill and offer.level >= level:
                    current = best.get((skill, level))
                    if current is None or (live_page and not current[1]):
                        best[(skill, level)] = (offer.course, live_page)
        return {key: course for key, (course, _live_page) in best.items()}

    def skill(self, skill_id) -> str:
        skill = self.skills.get(int(skill_id))
        return skill.display_name if skill else ""

    def course(self, course_id) -> str:
        course = self.courses.get(int(course_id))
        return course.display_title if course else ""


EVIDENCE_KINDS = ("certified", "completed", "declared")


def _level(evidence: dict, kind: str) -> int:
    """The level a CandidateFeatures skill entry proves by one kind of evidence (0 for none)."""
    value = evidence.get(kind, 0)
    return value[0] if isinstance(value, list) else value


def explain(row: CandidateFeatures, posting: PostingVector, components: dict[str, float], names: _Names):
    """The reasons for a pair, strongest first, and the skills it lacks (each with a course), in the
    active language."""
    reasons: list[Reason] = []
    missing: list[MissingSkill] = []
    seen_courses = set()
    for skill_id, required in posting.skills.items():
        evidence = row.skills.get(str(skill_id), {})
        levels = {kind: _level(evidence, kind) for kind in EVIDENCE_KINDS}
        credit = {
            kind: float(score.skill_credit(*(levels[k] if k == kind else 0 for k in EVIDENCE_KINDS), required))
            for kind in EVIDENCE_KINDS
        }
        best_kind = max(credit, key=credit.get)
        best_level = max(levels.values())
        if credit[best_kind] > 0:
            if best_kind == "declared":
                reasons.append(Reason("declared", _("Says they know %(skill)s") % {"skill": names.skill(skill_id)}))
            else:
                course_id = evidence[best_kind][1]
                if course_id not in seen_courses:
                    seen_courses.add(course_id)
                    text = (
                        _("Holds the %(course)s certificate")
                        if best_kind == "certified"
                        else _("Completed the %(course)s course")
                    )
                    reasons.append(Reason(best_kind, text % {"course": names.course(course_id)}))
        if best_level < required:
            skill = names.skills.get(skill_id)
            if skill is not None:
                missing.append(MissingSkill(skill, required, names.teaching.get((skill_id, required))))
    program = components["program"]
    if program >= score.PROGRAM_FIT["preferred_course"]:
        took = [c for c in posting.preferred_courses if str(c) in row.courses]
        reasons.append(
            Reason("preferred_course", _("Took the recommended course %(course)s") % {"course": names.course(took[0])})
        )
    elif program >= score.PROGRAM_FIT["program"]:
        trained = [p for p in row.programs if p in posting.programs]
        program_name = names.programs[trained[0]].display_name if trained and trained[0] in names.programs else ""
        reasons.append(Reason("program", _("Trained in %(program)s") % {"program": program_name}))
    elif program >= score.PROGRAM_FIT["wanted"]:
        category = names.categories.get(posting.category_id)
        reasons.append(Reason("wanted", _("Wants %(category)s work") % {"category": category.name if category else ""}))
    if components["distance"] > 0:
        if posting.district in row.districts:
            reasons.append(
                Reason("same_district", _("Also in %(district)s") % {"district": DISTRICT_NAMES[posting.district]})
            )
        else:
            nearest = min(
                (distance_km(code, posting.district), code)
                for code in row.districts
                if distance_km(code, posting.district) is not None
            )
            reasons.append(
                Reason(
                    "near",
                    _("%(district)s is about %(km)s km away")
                    % {"district": DISTRICT_NAMES.get(nearest[1], nearest[1]), "km": int(round(nearest[0]))},
                )
            )
    if row.expected_monthly_pay is not None:
        if components["pay"] >= 1:
            reasons.append(Reason("pay", _("Expected pay is within the range")))
        else:
            reasons.append(
                Reason(
                    "pay_above", _("Expects %(pay)s yuan a month, above the range") % {"pay": row.expected_monthly_pay}
                )
            )
    if components["availability"] >= 1:
        reasons.append(Reason("available", _("Can start before the posting closes")))
    elif row.available_from:
        reasons.append(
            Reason(
                "available_later",
                _("Available from %(date)s") % {"date": date_format(row.available_from, "SHORT_DATE_FORMAT")},
            )
        )
    if components["recency"] >= 1:
        reasons.append(Reason("recent", _("Trained within the last year")))
    return reasons, missing


def _explained(pairs, rows_by_user, postings_by_id) -> list[Match]:
    rows = list(rows_by_user.values())
    names = _Names(rows, list(postings_by_id.values()))
    matches = []
    for user_id, posting_id, total, components in pairs:
        row = rows_by_user.get(user_id)
        if row is None:
            continue
        reasons, missing = explain(row, postings_by_id[posting_id], components, names)
        matches.append(Match(user_id, posting_id, total, components, reasons, missing))
    return matches


def candidates_for_posting(posting: JobPosting, *, limit: int = 20, shared_only: bool = True) -> list[Match]:
    """The best candidates for a posting, best first. For merchants (`shared_only`): only graduates who
    share their profile, not already hired through the school, and who have not applied to it."""
    vector = posting_vector(postings_with_requirements(JobPosting.objects.filter(pk=posting.pk)).get())
    index = live.candidate_index()
    n = index.size
    eligible = ~index.placed[:n]
    if shared_only:
        eligible &= index.shared[:n]
    applied = list(Application.objects.filter(posting=posting).values_list("graduate_id", flat=True))
    if applied:
        eligible &= ~np.isin(index.user_id[:n], applied)
    want = limit
    while True:
        best, components = index.top(vector, limit=want, eligible=eligible)
        ids = [int(index.user_id[i]) for i in best]
        confirmed = CandidateFeatures.objects.filter(user_id__in=ids, placed=False)
        if shared_only:
            confirmed = confirmed.filter(shared=True, user__job_profile__shared_with_merchants=True)
        rows = {row.user_id: row for row in confirmed}
        if len(rows) >= min(limit, len(best)) or len(best) < want:
            break
        want *= 2  # the index was behind the database for some: look further
    pairs = [
        (
            int(index.user_id[i]),
            posting.pk,
            float(score.total(_row_components(components, i))),
            _row_components(components, i),
        )
        for i in best
    ]
    return _explained(pairs, rows, {posting.pk: vector})[:limit]


def graduate_row(user) -> CandidateFeatures | None:
    return CandidateFeatures.objects.filter(user=user).first()


def postings_for_graduates(rows: list[CandidateFeatures], *, limit: int) -> dict[int, list[Match]]:
    """The best open postings for each of these graduates (their matching rows), best first, by user id,
    leaving out those each applied to: one read of applications and one explanation pass for the lot
    (a page listing 25 graduates costs the queries of one)."""
    if not rows:
        return {}
    index = live.posting_index()
    graduates = CandidateIndex.from_rows(rows, index.vocabulary)
    applied = defaultdict(set)
    for user_id, posting_id in Application.objects.filter(graduate_id__in=[row.user_id for row in rows]).values_list(
        "graduate_id", "posting_id"
    ):
        applied[user_id].add(posting_id)
    pairs, vectors = [], {}
    for row in rows:
        graduate = graduates.graduate(graduates.row_of[row.user_id])
        best, components = index.top(graduate, limit=limit, exclude=applied[row.user_id])
        for position in best:
            vector = index.vectors[position]
            vectors[vector.id] = vector
            parts = _row_components(components, position)
            pairs.append((row.user_id, vector.id, float(score.total(parts)), parts))
    by_user = defaultdict(list)
    for match in _explained(pairs, {row.user_id: row for row in rows}, vectors):
        by_user[match.user_id].append(match)
    return dict(by_user)


def postings_for_graduate(user, *, limit: int = 20) -> list[Match]:
    """The best open postings for a graduate, best first, leaving out those they applied to."""
    row = graduate_row(user)
    return postings_for_graduates([row], limit=limit).get(user.pk, []) if row is not None else []


def match_pair(user, posting: JobPosting) -> Match | None:
    """One graduate's fit to one posting, with the reasons (the posting page shows it to the graduate)."""
    row = graduate_row(user)
    if row is None:
        return None
    vector = posting_vector(postings_with_requirements(JobPosting.objects.filter(pk=posting.pk)).get())
    index = PostingIndex.from_vectors([vector])
    graduate = CandidateIndex.from_rows([row], index.vocabulary).graduate(0)
    components = _row_components(index.components(graduate, timezone.localdate()), 0)
    return _explained(
        [(user.pk, posting.pk, float(score.total(components)), components)], {row.user_id: row}, {posting.pk: vector}
    )[0]


def explain_pairs(pairs) -> list[Match]:
    """The score, reasons and missing skills of each (user id, posting id) pair, in the order given (a
    placement round's proposals); pairs whose person has no matching row, or whose posting is gone, are
    left out. The same few queries however many pairs: each posting is scored once for every person."""
    pairs = [(int(user_id), int(posting_id)) for user_id, posting_id in pairs]
    if not pairs:
        return []
    rows = {row.user_id: row for row in CandidateFeatures.objects.filter(user_id__in={u for u, _p in pairs})}
    vectors = {
        posting.pk: posting_vector(posting)
        for posting in postings_with_requirements(JobPosting.objects.filter(pk__in={p for _u, p in pairs}))
    }
    index = CandidateIndex.from_rows(rows.values())
    today = timezone.localdate()
    components_by_posting = {}
    explained = []
    for user_id, posting_id in pairs:
        if user_id not in rows or posting_id not in vectors:
            continue
        if posting_id not in components_by_posting:
            components_by_posting[posting_id] = index.components(vectors[posting_id], today)
        components = _row_components(components_by_posting[posting_id], index.row_of[user_id])
        explained.append((user_id, posting_id, float(score.total(components)), components))
    return _explained(explained, rows, vectors)
