import pytest

from school.models import Course
from school.search import search_condition
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses():
    return {
        "live": CourseFactory(code="EC-201", title="直播电商运营", title_en="Live-stream E-commerce Operations"),
        "shop": CourseFactory(code="EC-101", title="网店运营基础", title_en="Online Shop Basics"),
        "care": CourseFactory(code="HK-101", title="母婴护理", title_en="Maternal and Infant Care"),
    }


def found(query):
    return set(Course.objects.filter(search_condition(query)).values_list("code", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "直播",
        "电商",
        "电商运营",
        "直播电商运营",
        "zhibo",
        "ZhiBo",
        "zhi bo",
        "zb",
        "zbds",
        "dianshang",
        "ec-201",
        "live-stream",
    ],
)
def test_a_course_is_found_by_any_chinese_substring_pinyin_initials_code_or_english(courses, query):
    assert "EC-201" in found(query)


def test_search_does_not_return_unrelated_courses(courses):
    assert found("直播") == {"EC-201"}
    assert found("muying") == {"HK-101"}
    assert found("运营") == {"EC-201", "EC-101"}


def test_every_word_must_match(courses):
    assert found("直播 运营") == {"EC-201"}
    assert found("直播 护理") == set()


def test_renaming_a_course_updates_what_finds_it(courses):
    course = courses["care"]
    course.title = "养老护理"
    course.save(update_fields=["title"])

    assert found("yanglao") == {"HK-101"}
    assert found("muying") == set()
