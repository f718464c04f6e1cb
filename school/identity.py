"""Mainland China resident ID-card numbers (GB 11643-1999): validated at the edge, stored encrypted,
shown masked. The key comes from FIELD_ENCRYPTION_KEY (or, failing that, is derived from SECRET_KEY)."""

import base64
import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cryptography.fernet import Fernet

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
PROVINCE_CODES = {
    11,
    12,
    13,
    14,
    15,
    21,
    22,
    23,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    41,
    42,
    43,
    44,
    45,
    46,
    50,
    51,
    52,
    53,
    54,
    61,
    62,
    63,
    64,
    65,
    71,
    81,
    82,
    83,
}


def normalize_id_card(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_card(value: str) -> None:
    number = normalize_id_card(value)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID card number has 18 characters: 17 digits, then a digit or X."), code="format")
    if int(number[:2]) not in PROVINCE_CODES:
        raise ValidationError(_("The first two digits are not a province code."), code="region")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date in this number does not exist."), code="birth_date") from None
    today = datetime.date.today()
    if birth > today or birth.year < today.year - 120:
        raise ValidationError(_("The birth date in this number is not possible."), code="birth_date")
    check = CHECK_CHARACTERS[sum(int(digit) * weight for digit, weight in zip(number, WEIGHTS, strict=False)) % 11]
    if number[17] != check:
        raise ValidationError(
            _("This number's check character is wrong: please check for a typing mistake."), code="checksum"
        )


def mask_id_card(number: str) -> str:
    """410302********1234: region and last four, never the birth date."""
    number = normalize_id_card(number)
    return f"{number[:6]}{'*' * 8}{number[-4:]}" if len(number) == 18 else ""


def _fernet() -> Fernet:
    secret = settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"id-card:{secret}".encode()).digest()))


def encrypt(number: str) -> str:
    return _fernet().encrypt(normalize_id_card(number).encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""
