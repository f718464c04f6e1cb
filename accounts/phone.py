"""Mainland China mobile numbers: normalised once, at the edge, then stored as 11 digits."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_mobile(value: str) -> str:
    """'+86 138-0013-8000' and '0086 13800138000' both become '13800138000'."""
    digits = _SEPARATORS.sub("", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    else:
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_PATTERN.match(value or ""):
        raise ValidationError(
            _("Enter a valid mainland China mobile number: 11 digits starting with 1, e.g. 13800138000."),
            code="invalid_mobile",
        )


def looks_like_email(value: str) -> bool:
    return "@" in (value or "")
