import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# What `make messages` would not scan, or must not write into.
NOT_SOURCE = {".git", ".venv", "node_modules", "test-artifacts", "var", "media", "staticfiles", "locale"}
# Chinese on purpose, in every language: the certificate is a Chinese document (the PDF), and the
# brand mark is one decorative character hidden from screen readers.
CHINESE_ON_PURPOSE = {"templates/school/certificate_document.html": None, "templates/includes/site_brand.html": "百"}
CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]+")
TRANSLATED_OR_COMMENT = re.compile(
    r"{%\s*(?:translate|trans)\s.*?%}|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}",
    re.DOTALL,
)


def test_every_interface_string_has_its_chinese_translation():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("msgid", ["Sign up", "Courses", "No course matches all of these conditions."])
def test_the_catalogue_is_compiled_and_used(msgid):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext(msgid) != msgid


def test_every_string_marked_in_the_code_is_in_the_catalogue_translated_and_not_fuzzy(tmp_path):
    # Extract the messages as `make messages` would, from a copy of the code into a scratch locale
    # folder (the committed catalogue is never rewritten), then compare: msgcmp fails on any msgid the
    # code uses that the catalogue lacks, leaves untranslated or marks fuzzy.
    for entry in ROOT.iterdir():
        if entry.name in NOT_SOURCE or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, tmp_path / entry.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(entry, tmp_path / entry.name)
    (tmp_path / "locale").mkdir()
    extract = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--keep-pot", "--verbosity", "0"],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "baijia.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert extract.returncode == 0, extract.stderr

    template = tmp_path / "locale" / "django.pot"
    compare = subprocess.run(
        ["msgcmp", str(CATALOGUE), str(template)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )

    # msgcmp names line numbers: show the msgid of the entry at each one.
    lines = {".pot": template.read_text().splitlines(), ".po": CATALOGUE.read_text().splitlines()}

    def msgid_at(suffix: str, number: str) -> str:
        entry = lines[suffix][: int(number)]
        return next(line for line in reversed(entry) if line.startswith("msgid"))

    problems = [
        f"{problem}: {msgid_at(suffix, number)}"
        for suffix, number, problem in re.findall(r"(\.pot?):(\d+): (.*)", compare.stderr)
        if "warning" not in problem
    ]
    assert compare.returncode == 0, "\n".join(problems) or compare.stderr


def test_templates_show_no_chinese_outside_translations_so_english_pages_have_english():
    untranslated = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        name = template.relative_to(ROOT).as_posix()
        allowed = CHINESE_ON_PURPOSE.get(name, "")
        if allowed is None:
            continue
        text = TRANSLATED_OR_COMMENT.sub("", template.read_text())
        untranslated += [f"{name}: {words}" for words in CJK.findall(text) if words != allowed]

    assert untranslated == []
