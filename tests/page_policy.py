"""What every HTML page must respect under the Content-Security-Policy: the strict policy outside
Wagtail's admin, the looser one inside it, and on public pages no inline script, event handler,
javascript: link or inline style (the strict policy refuses them, so a page using one is broken).
tests/conftest.py applies this to every page any test renders through Django's test client."""

from html.parser import HTMLParser

from django.conf import settings

from csp.constants import HEADER
from csp.utils import build_policy, default_config

# <script type="…"> that browsers do not run (data blocks): the CSP does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def expected_policy(path: str) -> str:
    key = "CONTENT_SECURITY_POLICY_ADMIN" if path.startswith(settings.ADMIN_URL_PREFIX) else "CONTENT_SECURITY_POLICY"
    return build_policy(config=default_config(getattr(settings, key)["DIRECTIVES"]))


class _InlineCode(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>: an inline event handler")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
            elif name == "style":
                self.found.append(f"<{tag} style=…>: an inline style")
        if tag == "style":
            self.found.append("<style>: an inline stylesheet")
        if tag == "script":
            executable = (attributes.get("type") or "").strip().lower() not in DATA_SCRIPT_TYPES
            self._script = "" if executable and not attributes.get("src") else None

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.found.append(f"<script> without src: {self._script.strip()[:60]!r}")
            self._script = None


def inline_code(html: str) -> list[str]:
    """What in `html` the strict policy would refuse to run or apply."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def check_page(path: str, response, *, inline_code_allowed: bool = False) -> None:
    """Fail unless an HTML `response` for `path` carries its policy (and, public, has no inline code)."""
    if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
        return
    assert response.get(HEADER) == expected_policy(path), f"{path}: Content-Security-Policy {response.get(HEADER)!r}"
    if inline_code_allowed or path.startswith(settings.ADMIN_URL_PREFIX):
        return
    found = inline_code(response.content.decode(response.charset or "utf-8", "replace"))
    assert not found, f"{path} has inline code that its Content-Security-Policy refuses: " + "; ".join(found)
