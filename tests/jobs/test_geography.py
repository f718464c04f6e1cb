"""The district table matching will weigh distance with."""

import pytest

from jobs.geography import SEATS, distance_km, nearest_first
from school.models import LUOYANG_DISTRICTS


def test_every_district_of_luoyang_has_a_seat_and_only_outside_luoyang_has_none():
    codes = {code for code, _name in LUOYANG_DISTRICTS}
    assert set(SEATS) == codes - {"other"}


def test_the_city_districts_are_near_each_other_and_the_mountain_counties_far():
    assert distance_km("jianxi", "xigong") < 5
    assert 100 < distance_km("jianxi", "luanchuan") < 130
    assert distance_km("laocheng", "chanhe") < distance_km("laocheng", "yanshi") < distance_km("laocheng", "songxian")


@pytest.mark.parametrize(("a", "b"), [("jianxi", "luolong"), ("yiyang", "mengjin"), ("ruyang", "xin_an")])
def test_distance_is_symmetric_and_zero_within_a_district(a, b):
    assert distance_km(a, b) == distance_km(b, a) > 0
    assert distance_km(a, a) == 0


def test_outside_luoyang_is_unknown_and_sorts_last():
    assert distance_km("jianxi", "other") is None
    assert nearest_first("jianxi", ["luanchuan", "other", "xigong", "jianxi"]) == [
        "jianxi",
        "xigong",
        "luanchuan",
        "other",
    ]
