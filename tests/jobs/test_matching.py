"""Matching: each part of the score, its reasons and missing skills, revoked certificates and consent."""

import pytest

from jobs.matching import score
from jobs.matching.recommend import candidates_for_posting, match_pair, postings_for_graduate
from jobs.models import DeclaredSkill, PostingSkill
from school.models import CourseSkill
from tests.factories import CourseFactory, SkillFactory
from tests.jobs.pipeline_helpers import graduate, merchant_with_recruiter, open_posting

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_streaming():
    skill = SkillFactory(name="直播带货", name_en="Live selling")
    course = CourseFactory(title="直播电商运营", title_en="Live e-commerce operations")
    CourseSkill.objects.create(course=course, skill=skill, level=3)
    return skill, course


def test_a_certified_graduate_in_the_same_district_tops_the_list_with_reasons(committed, live_streaming):
    skill, course = live_streaming
    merchant, _recruiter = merchant_with_recruiter()
    posting = open_posting(merchant, district="jianxi", pay_min="4000", pay_max="6000")
    PostingSkill.objects.create(posting=posting, skill=skill, min_level=3)
    with committed():
        star = graduate(course=course, desired_districts=["jianxi"], expected_pay="5000")
        declared_only = graduate(desired_districts=["jianxi"], expected_pay="5000")
        DeclaredSkill.objects.create(profile=declared_only, skill=skill, level=3)

    matches = candidates_for_posting(posting)

    assert [m.user_id for m in matches] == [star.user_id, declared_only.user_id]
    texts = [reason.text for reason in matches[0].reasons]
    assert "持有 直播电商运营 证书" in texts
    assert "同在 涧西区" in texts
    assert "期望薪资在范围内" in texts
    assert matches[0].missing == []
    assert matches[0].components["skills"] == 1.0
    assert matches[1].components["skills"] == score.EVIDENCE["declared"]


def test_both_directions_agree(committed, live_streaming):
    skill, course = live_streaming
    merchant, _recruiter = merchant_with_recruiter()
    posting = open_posting(merchant, district="xigong")
    PostingSkill.objects.create(posting=posting, skill=skill, min_level=4)
    with committed():
        person = graduate(course=course, desired_districts=["jianxi"])
    [for_posting] = candidates_for_posting(posting)
    [for_graduate] = postings_for_graduate(person.user)
    pair = match_pair(person.user, posting)
    assert for_posting.score == pytest.approx(for_graduate.score) == pytest.approx(pair.score)
    assert [m.skill for m in pair.missing] == [skill]
