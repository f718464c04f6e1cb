"""The unified social credit code a merchant types is checked before staff ever see the application."""

from django.core.exceptions import ValidationError
from django.utils import translation

import pytest

from jobs.validators import credit_code_check_character, normalise_credit_code, validate_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", " 91350100m000100y43 "])
def test_real_codes_pass_in_any_case_and_with_spaces_around(code):
    validate_credit_code(code)


def test_a_mistyped_character_is_caught_by_the_check_character():
    with translation.override("en"), pytest.raises(ValidationError, match="does not add up"):
        validate_credit_code("91350100M000100Y44")


def test_a_swap_of_two_characters_is_caught():
    with pytest.raises(ValidationError) as refused:
        validate_credit_code("91350100M001000Y43")
    assert refused.value.code == "checksum"


@pytest.mark.parametrize(
    ("code", "reason"),
    [("9135010", "length"), ("91350100M000100I43", "character"), ("913A0100M000100Y43", "region")],
)
def test_wrong_shapes_say_what_is_wrong(code, reason):
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(code)
    assert refused.value.code == reason


def test_the_message_is_in_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_credit_code("9135010")
    assert "18" in refused.value.messages[0] and "统一社会信用代码" in refused.value.messages[0]


def test_the_check_character_is_computed_from_the_first_seventeen():
    assert credit_code_check_character(normalise_credit_code("91350100M000100Y4")) == "3"
