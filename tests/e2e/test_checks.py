"""The page checks the journeys run catch what they are meant to catch (else a passing journey proves
nothing), and let pass what WCAG lets pass."""

import pytest

from tests.e2e import checks
from tests.e2e.site import PHONE, playwright_calls

# The checks themselves, on pages made for them: the database plays no part, so the SQLite pass only.
pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

STYLE = "<style>body{margin:0;font:16px sans-serif} :focus-visible{outline:3px solid #1a5fb4}</style>"
GOOD = f"""<!doctype html><html lang="en"><head><title>Good</title>{STYLE}</head><body><main>
  <h1>Sign up</h1>
  <p>Read <a href="/terms">the terms</a> first.</p>
  <label for="phone">Mobile</label><input id="phone" name="phone" type="tel" style="height:44px;width:200px">
  <label for="email">E-mail</label><input id="email" name="email" type="email" style="height:44px;width:200px">
  <label style="display:flex;align-items:center;min-height:44px"><input type="checkbox" name="agree"> I agree</label>
  <button style="min-height:44px;min-width:44px">Go</button>
  <svg width="300" height="200" role="img" aria-labelledby="t" aria-describedby="d">
    <title id="t">Enrolments</title><desc id="d">12 in May, 15 in June</desc></svg>
</main></body></html>"""
BAD = """<!doctype html><html lang="en"><head><title>Bad</title><style>body{margin:0}</style></head><body><main>
  <div style="width:500px">too wide</div>
  <a href="/x" style="display:inline-block;width:30px;height:20px">OK</a>
  <input name="phone" type="text"><input name="email" type="text"><input name="score" type="text">
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <svg width="300" height="200"><rect width="300" height="200"/></svg>
</main></body></html>"""


@pytest.fixture
def page(chromium_browser):
    with playwright_calls():
        context = chromium_browser.new_context(viewport=PHONE)
        page = context.new_page()
        checks.watch_content_security_policy(page)
    yield page
    context.close()


def test_a_page_built_for_phones_passes_every_check(page):
    page.set_content(GOOD)

    checks.fits_the_screen(page)
    checks.targets_are_big_enough(page)  # the inline "the terms" is exempt, as WCAG 2.5.8 allows
    checks.inputs_bring_up_the_right_keyboard(page)
    checks.no_serious_accessibility_violation(page)
    checks.charts_have_text_alternatives(page)
    checks.focus_is_visible(page, "button")


@pytest.mark.parametrize(
    ("check", "complaint"),
    [
        (checks.fits_the_screen, "scrolls sideways"),
        (checks.targets_are_big_enough, "OK: 30×20"),
        (checks.inputs_bring_up_the_right_keyboard, "phone: a phone number"),
        (checks.inputs_bring_up_the_right_keyboard, "email: an e-mail address"),
        (checks.inputs_bring_up_the_right_keyboard, "score: a number"),
        (checks.no_serious_accessibility_violation, "critical image-alt"),
        (checks.charts_have_text_alternatives, "charts without a text alternative"),
    ],
)
def test_each_check_fails_a_page_that_breaks_its_rule(page, check, complaint):
    page.set_content(BAD)

    with pytest.raises(AssertionError, match=complaint):
        check(page)


def test_focus_must_be_drawn(page):
    page.set_content(BAD.replace("</main>", "<button style='outline:none'>Go</button></main>"))

    with pytest.raises(AssertionError, match="focus-visible"):
        checks.focus_is_visible(page, "button")


def test_a_page_whose_inline_script_the_csp_refuses_fails_the_journey(page):
    page.set_content(
        """<!doctype html><html lang="en"><head><title>CSP</title>
        <meta http-equiv="Content-Security-Policy" content="script-src 'self'"></head>
        <body><main><script>document.title = "ran"</script></main></body></html>"""
    )

    assert page.title() == "CSP"  # the script was refused…
    with pytest.raises(AssertionError, match="Content-Security-Policy refused"):
        checks.no_content_security_policy_violation(page)  # …and the check says so
    checks.no_content_security_policy_violation(page)  # each refusal is reported once
