"""Matching: each part of the score, its reasons and missing skills, revoked certificates, consent,
freshness, and properties of the formula."""

import datetime
from types import SimpleNamespace

from django.utils import translation

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs import services
from jobs.matching import score
from jobs.matching.features import PostingVector
from jobs.matching.index import CandidateIndex, PostingIndex
from jobs.matching.recommend import candidates_for_posting, match_pair, postings_for_graduate
from jobs.models import CandidateFeatures, DeclaredSkill, PostingSkill
from school.models import CourseSkill
from school.services.certificates import issue_certificates, revoke_certificate
from tests.factories import CompletedEnrollmentFactory, CourseFactory, SkillFactory, StaffFactory
from tests.jobs.pipeline_helpers import graduate, merchant_with_recruiter, open_posting, valid_certificate

TODAY = datetime.date(2026, 11, 25)


# --- The formula, one component at a time ----------------------------------------------------------


def test_weights_add_up_to_one_and_a_perfect_pair_scores_100():
    assert sum(score.WEIGHTS.values()) == pytest.approx(1.0)
    perfect = dict.fromkeys(score.WEIGHTS, 1.0)
    assert score.total(perfect) == pytest.approx(100.0)
    assert score.total(dict.fromkeys(score.WEIGHTS, 0.0)) == 0.0


@pytest.mark.parametrize(
    ("certified", "completed", "declared", "required", "credit"),
    [
        (3, 0, 0, 3, 1.0),  # a valid certificate at the level asked
        (5, 0, 0, 3, 1.0),  # above it counts no more
        (0, 3, 0, 3, 0.85),  # a completed course without a certificate
        (0, 0, 3, 3, 0.5),  # only the graduate's word
        (0, 3, 5, 3, 0.85),  # the best evidence wins
        (2, 0, 0, 4, 0.5),  # half the level asked
        (0, 0, 0, 2, 0.0),  # nothing
    ],
)
def test_skill_credit_weighs_proof_above_self_declaration(certified, completed, declared, required, credit):
    assert float(score.skill_credit(certified, completed, declared, required)) == pytest.approx(credit)


def test_program_fit_prefers_the_merchants_course_then_the_program_then_the_wish():
    assert score.program_fit(True, True, True) == 1.0
    assert score.program_fit(False, True, True) == score.PROGRAM_FIT["program"]
    assert score.program_fit(False, False, True) == score.PROGRAM_FIT["wanted"]
    assert score.program_fit(False, False, False) == 0.0


def test_closeness_falls_with_distance_and_unknown_is_far():
    assert score.closeness(0) == 1.0
    assert score.closeness(25) == pytest.approx(0.5)
    assert score.closeness(score.FAR_KM + 10) == 0.0
    assert score.closeness(np.nan) == 0.0


def test_pay_fit():
    assert score.pay_fit(5000.0, 6000.0) == 1.0  # within (or below) the top of the range
    assert score.pay_fit(7500.0, 6000.0) == pytest.approx(0.5)  # a quarter above: half
    assert score.pay_fit(9000.0, 6000.0) == 0.0
    assert score.pay_fit(np.nan, 6000.0) == score.PAY_UNKNOWN
    # 30 yuan an hour is 5,220 a month at the statutory 174 hours.
    assert score.monthly(30, True) == 5220 and score.monthly(5000, False) == 5000


def test_availability_and_recency():
    closing = TODAY.toordinal()
    assert score.availability(closing - 10, closing) == 1.0
    assert score.availability(closing + 30, closing) == pytest.approx(0.5)
    assert score.availability(closing + 90, closing) == 0.0
    today = TODAY.toordinal()
    assert score.recency(today - 100, today) == 1.0
    assert score.recency(today - 730, today) == pytest.approx(0.5)
    assert score.recency(0, today) == 0.0


# --- Properties ------------------------------------------------------------------------------------

SKILLS = range(1, 9)
DISTRICTS = ["jianxi", "xigong", "luolong", "yanshi", "luanchuan", "other"]


def candidate_rows():
    evidence = st.fixed_dictionaries(
        {},
        optional={
            "certified": st.tuples(st.integers(1, 5), st.just(1)).map(list),
            "completed": st.tuples(st.integers(1, 5), st.just(1)).map(list),
            "declared": st.integers(1, 5),
        },
    )
    return st.builds(
        SimpleNamespace,
        user_id=st.just(1),
        shared=st.booleans(),
        placed=st.just(False),
        districts=st.lists(st.sampled_from(DISTRICTS), max_size=3),
        categories=st.lists(st.integers(1, 3), max_size=2),
        expected_monthly_pay=st.one_of(st.none(), st.integers(2000, 12000)),
        available_from=st.one_of(st.none(), st.dates(TODAY - datetime.timedelta(60), TODAY + datetime.timedelta(120))),
        last_trained_on=st.one_of(st.none(), st.dates(TODAY - datetime.timedelta(1500), TODAY)),
        skills=st.dictionaries(st.sampled_from(SKILLS).map(str), evidence, max_size=6),
        courses=st.dictionaries(st.integers(1, 4).map(str), st.booleans(), max_size=3),
        programs=st.lists(st.integers(1, 3), max_size=2, unique=True),
    )


def posting_vectors():
    return st.builds(
        PostingVector,
        id=st.just(1),
        merchant_id=st.just(1),
        category_id=st.integers(1, 3),
        district=st.sampled_from(DISTRICTS),
        pay_max=st.floats(2000, 12000),
        closing_date=st.dates(TODAY, TODAY + datetime.timedelta(60)),
        skills=st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=5),
        preferred_courses=st.sets(st.integers(1, 4), max_size=2),
        programs=st.sets(st.integers(1, 3), max_size=2),
    )


def total_for(row, posting) -> float:
    index = CandidateIndex.from_rows([row])
    return float(score.total(index.components(posting, TODAY))[0])


def certified_in(row, skill: int, level: int):
    """The row, also holding a valid certificate proving `skill` at `level`."""
    skills = {key: dict(value) for key, value in row.skills.items()}
    skills.setdefault(str(skill), {})["certified"] = [level, 1]
    return SimpleNamespace(**{**vars(row), "skills": skills})


@settings(max_examples=200, deadline=None)
@given(candidate_rows(), posting_vectors(), st.sampled_from(SKILLS), st.integers(1, 5), st.integers(0, 2))
def test_requiring_a_skill_the_graduate_has_never_lowers_the_score(row, posting, skill, level, spare):
    row = certified_in(row, skill, min(5, level + spare))
    before = total_for(row, posting)
    asks_more = PostingVector(**{**vars(posting), "skills": {**posting.skills, skill: level}})
    assert total_for(row, asks_more) >= before - 1e-9


@settings(max_examples=200, deadline=None)
@given(candidate_rows(), posting_vectors(), st.sampled_from(SKILLS), st.integers(1, 5))
def test_no_longer_requiring_a_skill_the_graduate_has_never_raises_the_score(row, posting, skill, level):
    row = certified_in(row, skill, level)
    requiring = PostingVector(**{**vars(posting), "skills": {**posting.skills, skill: level}})
    without = PostingVector(**{**vars(posting), "skills": {k: v for k, v in posting.skills.items() if k != skill}})
    assert total_for(row, without) <= total_for(row, requiring) + 1e-9


@settings(max_examples=200, deadline=None)
@given(candidate_rows(), posting_vectors(), st.sampled_from(SKILLS), st.integers(1, 5))
def test_better_proof_of_a_skill_never_lowers_the_score(row, posting, skill, level):
    declared = {key: dict(value) for key, value in row.skills.items()}
    declared[str(skill)] = {"declared": level}
    weaker = SimpleNamespace(**{**vars(row), "skills": declared})
    assert total_for(certified_in(weaker, skill, level), posting) >= total_for(weaker, posting) - 1e-9


@settings(max_examples=100, deadline=None)
@given(st.lists(candidate_rows(), min_size=1, max_size=5), st.lists(posting_vectors(), min_size=1, max_size=4))
def test_every_graduate_against_a_posting_equals_a_graduate_against_every_posting(rows, postings):
    """The two ways the indexes score (one posting × all graduates, one graduate × all postings) agree."""
    rows = [SimpleNamespace(**{**vars(row), "user_id": n}) for n, row in enumerate(rows, start=1)]
    postings = [PostingVector(**{**vars(p), "id": n}) for n, p in enumerate(postings, start=1)]
    candidates = CandidateIndex.from_rows(rows)
    by_posting = np.column_stack([score.total(candidates.components(p, TODAY)) for p in postings])
    index = PostingIndex.from_vectors(postings, candidates.vocabulary)
    by_graduate = np.vstack([score.total(index.components(candidates.graduate(i), TODAY)) for i in range(len(rows))])
    assert np.allclose(by_posting, by_graduate)


# --- Against the database: reasons, revoked certificates, consent, freshness ----------------------


@pytest.fixture
def live_streaming(db):
    skill = SkillFactory(name="直播带货", name_en="Live selling")
    course = CourseFactory(title="直播电商运营", title_en="Live e-commerce operations")
    CourseSkill.objects.create(course=course, skill=skill, level=3)
    return skill, course


@pytest.fixture
def posting(db, live_streaming):
    skill, _course = live_streaming
    merchant, _recruiter = merchant_with_recruiter()
    posting = open_posting(merchant, district="jianxi", pay_min="4000", pay_max="6000")
    PostingSkill.objects.create(posting=posting, skill=skill, min_level=3)
    return posting


def test_the_certified_graduate_nearby_comes_first_with_reasons_in_the_viewers_language(
    committed, live_streaming, posting
):
    skill, course = live_streaming
    with committed():
        star = graduate(course=course, desired_districts=["jianxi"], expected_pay="5000")
        declared_only = graduate(desired_districts=["jianxi"], expected_pay="5000")
        DeclaredSkill.objects.create(profile=declared_only, skill=skill, level=3)
        far = graduate(course=course, desired_districts=["luanchuan"], expected_pay="5000")

    matches = candidates_for_posting(posting)

    assert [m.user_id for m in matches] == [star.user_id, far.user_id, declared_only.user_id]
    assert [r.text for r in matches[0].reasons][:2] == ["持有 直播电商运营 证书", "同在 涧西区"]
    assert "期望薪资在范围内" in [r.text for r in matches[0].reasons]
    assert matches[0].components["skills"] == 1.0 and matches[0].missing == []
    assert matches[2].components["skills"] == score.EVIDENCE["declared"]
    with translation.override("en"):
        english = candidates_for_posting(posting)[0]
    assert [r.text for r in english.reasons][:2] == [
        "Holds the Live e-commerce operations certificate",
        "Also in 涧西区",
    ]


def test_a_missing_skill_comes_with_the_course_that_teaches_it(committed, live_streaming, posting):
    skill, course = live_streaming
    advanced = CourseFactory(title="直播电商进阶", title_en="Advanced live selling")
    CourseSkill.objects.create(course=advanced, skill=skill, level=5)
    posting.required_skills.update(min_level=4)
    with committed():
        person = graduate(course=course)

    match = match_pair(person.user, posting)

    assert [(m.skill, m.level, m.course) for m in match.missing] == [(skill, 4, advanced)]
    assert match.components["skills"] == pytest.approx(0.75)  # level 3 of the 4 asked, certified


def test_a_revoked_certificate_stops_counting_at_once(committed, live_streaming, posting):
    _skill, course = live_streaming
    with committed():
        person = graduate(course=course, certified=False)
        certificate = valid_certificate(person.user.enrollments.get())
    assert candidates_for_posting(posting)[0].components["skills"] == 1.0

    with committed():
        revoke_certificate(certificate=certificate, actor=StaffFactory(), reason="Issued in error")

    [match] = candidates_for_posting(posting)
    assert match.components["skills"] == score.EVIDENCE["completed"]
    assert "完成 直播电商运营 课程" in [r.text for r in match.reasons]
    assert postings_for_graduate(person.user)[0].components["skills"] == score.EVIDENCE["completed"]


def test_only_consenting_unplaced_graduates_who_have_not_applied_are_recommended_to_merchants(
    committed, live_streaming, posting
):
    _skill, course = live_streaming
    with committed():
        shared = graduate(course=course)
        private = graduate(course=course, consent=False)
        applied = graduate(course=course)
    services.apply(posting=posting, graduate=applied.user, message="")

    assert [m.user_id for m in candidates_for_posting(posting)] == [shared.user_id]
    # Staff see everyone (placement rounds, the unplaced list) …
    assert {m.user_id for m in candidates_for_posting(posting, shared_only=False)} == {shared.user_id, private.user_id}
    # … and a graduate sees their own match whether or not they share their profile.
    assert match_pair(private.user, posting).score > 0


def test_withdrawing_consent_hides_the_graduate_even_before_matching_catches_up(committed, live_streaming, posting):
    _skill, course = live_streaming
    with committed():
        person = graduate(course=course)
    assert [m.user_id for m in candidates_for_posting(posting)] == [person.user_id]

    # No after-commit work runs here: the index still thinks they share; the database says otherwise.
    services.set_consent(user=person.user, granted=False)

    assert candidates_for_posting(posting) == []


def test_changes_to_the_record_and_the_posting_show_up_in_the_next_recommendation(committed, live_streaming, posting):
    skill, course = live_streaming
    with committed():
        person = graduate(course=course, desired_districts=["luanchuan"])
    first = match_pair(person.user, posting)
    assert first.components["distance"] == 0.0
    [before] = postings_for_graduate(person.user)

    with committed():
        person.desired_districts = ["jianxi"]
        person.save()
        posting.title = "直播带货主播"
        posting.save()
        PostingSkill.objects.create(posting=posting, skill=SkillFactory(), min_level=2)

    [after] = postings_for_graduate(person.user)
    assert after.components["distance"] == 1.0
    assert after.components["skills"] == pytest.approx(0.5)  # now one of two skills
    assert after.score != before.score


def test_a_graduate_without_any_record_gets_no_recommendations(db, posting):
    assert postings_for_graduate(StaffFactory()) == []
    assert match_pair(StaffFactory(), posting) is None


def test_completing_a_course_creates_the_graduates_matching_record(committed, live_streaming):
    _skill, course = live_streaming
    with committed():
        enrollment = CompletedEnrollmentFactory(cohort__course=course)
    row = CandidateFeatures.objects.get(user=enrollment.student)
    assert row.courses == {str(course.pk): False}
    assert row.skills == {str(_skill.pk): {"completed": [3, course.pk]}}


def test_a_class_issued_its_certificates_counts_them_for_every_graduate(committed, live_streaming, posting):
    """Bulk issuing writes rows without saving each one: the school's certificates_issued signal, heard by
    jobs, refreshes the whole class (through a Celery task)."""
    _skill, course = live_streaming
    with committed():
        first = CompletedEnrollmentFactory(cohort__course=course, profile__real_name="王小丽")
        second = CompletedEnrollmentFactory(cohort=first.cohort, profile__real_name="李明")
    assert {row.courses[str(course.pk)] for row in CandidateFeatures.objects.all()} == {False}

    with committed():
        issue_certificates(cohort=first.cohort, issued_by=StaffFactory())

    rows = CandidateFeatures.objects.filter(user__in=[first.student, second.student])
    assert [row.skills[str(_skill.pk)] for row in rows] == [{"certified": [3, course.pk]}] * 2
    [match] = candidates_for_posting(posting, shared_only=False, limit=1)
    assert match.components["skills"] == 1.0
