from django.core.exceptions import ValidationError

import pytest

from accounts.phone import normalize_mobile, validate_mobile


@pytest.mark.parametrize(
    "typed",
    ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "0086 13800138000", "8613800138000"],
)
def test_the_ways_people_type_a_mobile_number_all_mean_the_same_number(typed):
    assert normalize_mobile(typed) == "13800138000"
    validate_mobile(normalize_mobile(typed))


@pytest.mark.parametrize("bad", ["", "1380013800", "138001380001", "12800138000", "23800138000", "1380013800a"])
def test_numbers_that_are_not_mainland_mobiles_are_refused(bad):
    with pytest.raises(ValidationError, match="11"):
        validate_mobile(normalize_mobile(bad))
