"""Checks for what merchants type: the unified social credit code (统一社会信用代码, GB 32100-2015)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters a credit code may use: digits and capitals without I, O, S, V and Z.
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Positions 9–17 are the organisation code (GB 11714), with its own check character.
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalise_credit_code(text: str) -> str:
    return "".join((text or "").split()).upper()


def _weighted_sum(text: str, weights: tuple[int, ...]) -> int:
    return sum(CREDIT_CODE_CHARACTERS.index(ch) * weight for ch, weight in zip(text, weights, strict=True))


def credit_code_check_character(first17: str) -> str:
    total = _weighted_sum(first17, CREDIT_CODE_WEIGHTS)
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def organisation_code_check_character(first8: str) -> str:
    total = _weighted_sum(first8, ORGANISATION_CODE_WEIGHTS)
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_credit_code(value: str) -> None:
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            params={"count": len(code)},
            code="length",
        )
    wrong = [ch for ch in code if ch not in CREDIT_CODE_CHARACTERS]
    if wrong:
        raise ValidationError(
            _(
                "A unified social credit code has no “%(character)s” "
                "(it uses digits and capitals except I, O, S, V, Z)."
            ),
            params={"character": wrong[0]},
            code="character",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the region's six digits."), code="region"
        )
    if organisation_code_check_character(code[8:16]) != code[16] or credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("This unified social credit code does not add up: please check it against the business licence."),
            code="checksum",
        )
