"""Course search by any Chinese substring and by pinyin, the same on SQLite and PostgreSQL.

Each course keeps one lower-case search text: its titles and code, the full pinyin of the Chinese
title without spaces, and the pinyin initials. A case-insensitive substring match on that text finds
直播 in 直播电商运营, and `zhibo` or `zb` too."""

import re

from django.db.models import Q

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")


def _pinyin(text: str, style) -> str:
    # Non-Chinese runs (Latin words, digits) come back unchanged; keep only letters and digits.
    return "".join(part for part in lazy_pinyin(text, style=style) if part.isalnum()).lower()


def search_text_for(chinese: str, *others: str) -> str:
    words = [text.strip().lower() for text in (chinese, *others) if text and text.strip()]
    return " ".join([*words, _pinyin(chinese, Style.NORMAL), _pinyin(chinese, Style.FIRST_LETTER)])


def search_condition(query: str, field: str = "search_text") -> Q:
    """Every word typed must appear. Pinyin typed with spaces (`zhi bo`) also matches as one word,
    since it is stored without spaces."""
    words = _SPACES.sub(" ", (query or "").strip().lower()).split()
    every_word = Q()
    for word in words:
        every_word &= Q(**{f"{field}__icontains": word})
    joined = "".join(words)
    if len(words) > 1 and joined.isascii() and joined.isalpha():
        return every_word | Q(**{f"{field}__icontains": joined})
    return every_word
