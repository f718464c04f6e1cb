"""The fonts certificates are printed in, what they cover, and the small font each print run embeds.

Chinese text is set in Noto Serif CJK or Noto Sans CJK (Debian's fonts-noto-cjk); names with
characters Noto lacks (rare characters of CJK Extensions A and B, 生僻字) fall back to HanaMin A/B
(fonts-hanazono). Every character to be printed is checked against this chain first, so a name no
installed font can draw is refused with the character named, before anything is issued.

Speed: WeasyPrint subsets every font it embeds, once per PDF. Subsetting the 26 MB Noto collection
takes ~50 ms a document; so each print run first cuts Noto down to the characters of that run (one
HarfBuzz subset, ~10 ms), and WeasyPrint then subsets that small font per certificate in well under
a millisecond. The PDF embeds the same glyph outlines either way."""

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

import uharfbuzz as hb

FAMILIES = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}
FALLBACK_FAMILIES = ("HanaMinA", "HanaMinB")
# Characters a certificate may contain that no font needs to draw.
UNDRAWN = {"\n", "\r", "\t", " ", "\u00a0", "\u3000", "\u200b"}
# Controls, formatting marks and separators take no glyph; private-use and unassigned code points do.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Zs"}


class FontCoverageError(ValueError):
    """Text that no installed font can draw; `characters` lists each such character once, in order."""

    def __init__(self, characters: list[str], *, who: str = ""):
        self.characters = characters
        self.who = who
        listed = "、".join(f"“{character}”(U+{ord(character):04X})" for character in characters)
        if who:
            message = _("No installed font has a glyph for %(characters)s in %(who)s.") % {
                "characters": listed,
                "who": who,
            }
        else:
            message = _("No installed font has a glyph for %(characters)s.") % {"characters": listed}
        super().__init__(message)


@dataclass(frozen=True)
class InstalledFont:
    family: str
    path: str
    index: int


@lru_cache(maxsize=16)
def locate(family: str) -> InstalledFont | None:
    """The font file fontconfig has for this family, or None: fc-match answers with a substitute when
    the family is missing, so its answer is accepted only when the family matches."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        answer = subprocess.run(  # noqa: S603 - a fixed program, and the family is passed as one argument
            [fc_match, "-f", "%{family}|%{file}|%{index}", family],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _bar, rest = answer.partition("|")
    path, _bar, index = rest.partition("|")
    if family.lower() not in (name.strip().lower() for name in families.split(",")) or not path:
        return None
    return InstalledFont(family, path, int(index or 0))


@lru_cache(maxsize=16)
def _face(path: str, index: int) -> hb.Face:
    return hb.Face(hb.Blob.from_file_path(path), index)


@lru_cache(maxsize=16)
def _unicodes(path: str, index: int) -> frozenset[int]:
    return frozenset(_face(path, index).unicodes)


def chain(typeface: str) -> list[InstalledFont]:
    """The fonts a certificate in this typeface is printed with, in order of preference."""
    fonts = [locate(FAMILIES.get(typeface, FAMILIES["serif"])), *(locate(name) for name in FALLBACK_FAMILIES)]
    return [font for font in fonts if font is not None]


def missing_characters(text: str, fonts: list[InstalledFont]) -> list[str]:
    """The characters of `text` (each once, in order) that none of the fonts can draw."""
    covered = [_unicodes(font.path, font.index) for font in fonts]
    missing = []
    for character in dict.fromkeys(text):
        if character in UNDRAWN or unicodedata.category(character) in INVISIBLE_CATEGORIES:
            continue
        if not any(ord(character) in unicodes for unicodes in covered):
            missing.append(character)
    return missing


def check_coverage(text: str, typeface: str, *, who: str = "") -> None:
    missing = missing_characters(text, chain(typeface))
    if missing:
        raise FontCoverageError(missing, who=who)


def run_font(text: str, typeface: str) -> tuple[str, bytes] | None:
    """(family, font bytes): the typeface's Noto face cut down to the characters of `text` it has,
    for one print run. None when Noto is not installed (WeasyPrint then finds fonts by itself)."""
    font = locate(FAMILIES.get(typeface, FAMILIES["serif"]))
    if font is None:
        return None
    unicodes = _unicodes(font.path, font.index)
    wanted = {ord(character) for character in text} | set(range(0x20, 0x7F))
    subset_input = hb.SubsetInput()
    subset_input.unicode_set.update(wanted & unicodes)
    face = hb.subset(_face(font.path, font.index), subset_input)
    return font.family, face.blob.data


def check_font_file(field_file, text: str) -> None:
    """For a font staff upload: it must be a font, and draw every character of `text`."""
    try:
        field_file.seek(0)
        data = field_file.read()
        field_file.seek(0)
        face = hb.Face(hb.Blob(data))
        unicodes = set(face.unicodes)
    except Exception as error:  # uharfbuzz raises several kinds for a file that is not a font
        raise ValidationError(
            {"title_font": _("This file is not a TrueType or OpenType font.")}, code="not_a_font"
        ) from error
    if not unicodes:
        raise ValidationError({"title_font": _("This file is not a TrueType or OpenType font.")}, code="not_a_font")
    missing = [ch for ch in dict.fromkeys(text) if ch not in UNDRAWN and ord(ch) not in unicodes]
    if missing:
        raise ValidationError(
            {
                "title_font": _("This font has no glyph for %(characters)s of the title.")
                % {"characters": "、".join(f"“{ch}”" for ch in missing)}
            },
            code="font_coverage",
        )


def subsetter_available() -> bool:
    """Whether WeasyPrint found HarfBuzz's subsetter (Debian: libharfbuzz-subset0)."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None
