"""What every page a journey visits must pass: it fits a phone, its targets can be touched, its inputs
bring up the right keyboard, axe-core finds no serious or critical barrier, and the browser refused
nothing under the Content-Security-Policy."""

from pathlib import Path

from tests.conftest import require

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TOUCH = 44  # CSS px: WCAG 2.5.5 (AAA) asks 44 × 44; 2.5.8 (AA) only 24, which we exceed on purpose.

# Interactive elements and the size of what a finger can hit. Excluded, with WCAG 2.5.5/2.5.8's own
# exceptions in mind:
# - links inline in running text ("Inline": their height is the line's; a sentence can't be a button),
#   i.e. an inline <a> whose block also holds words of its own;
# - elements not rendered (display:none, closed <details>, zero size) or parked off-screen until focused
#   (the skip link), as nobody can touch them;
# - checkboxes and radios are measured with their <label>, which clicking also toggles ("Equivalent").
TOUCH_TARGETS_JS = """
(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  const rendered = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0;
  };
  const blockOf = (el) => {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith('inline')) node = node.parentElement;
    return node;
  };
  const inlineInText = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = blockOf(el);
    if (!block) return false;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (el.contains(text)) continue;
      if (/[\\p{L}\\p{N}]/u.test(text.textContent)) return true;  // words of its own, not just "·"
    }
    return false;
  };
  const targetBox = (el) => {
    let box = el.getBoundingClientRect();
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) {
        const other = label.getBoundingClientRect();
        box = {width: Math.max(box.width, other.width), height: Math.max(box.height, other.height)};
      }
    }
    return box;
  };
  const describe = (el) => {
    const label = el.labels && el.labels[0] ? el.labels[0].innerText : '';
    const text = (label || el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim();
    return `<${el.tagName.toLowerCase()}${el.className ? ' class="' + el.className + '"' : ''}> ${text.slice(0, 40)}`;
  };
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!rendered(el) || inlineInText(el)) continue;
    const box = targetBox(el);
    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
      small.push(`${describe(el)}: ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}
"""

# The keyboard a phone shows follows the input's type: a mobile number needs the dial pad, an e-mail
# the @ key, a score or an amount digits. Fields are recognised by name or autocomplete token.
INPUT_TYPES_JS = """
() => {
  const wrong = [];
  const numberNames = /(^|_|-)(score|pay|pay_min|pay_max|expected_pay|fee|hours|openings|capacity|min_pay)($|_|-)/;
  for (const el of document.querySelectorAll('input:not([type=hidden])')) {
    const name = (el.name || '').toLowerCase();
    const token = (el.autocomplete || '').toLowerCase();
    const mode = (el.getAttribute('inputmode') || '').toLowerCase();
    const type = el.type;
    const numeric = type === 'number' || mode === 'numeric' || mode === 'decimal';
    if ((/(^|_)(phone|mobile)($|_)/.test(name) || token === 'tel') && !(type === 'tel' || mode === 'tel')) {
      wrong.push(`${name}: a phone number, but type=${type}`);
    } else if ((/(^|_)e?mail($|_)/.test(name) || token === 'email') && type !== 'email') {
      wrong.push(`${name}: an e-mail address, but type=${type}`);
    } else if (numberNames.test(name) && !numeric) {
      wrong.push(`${name}: a number, but type=${type} inputmode=${mode}`);
    }
  }
  return wrong;
}
"""

AXE_JS = """
async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
}
"""


def fits_the_screen(page) -> None:
    width, scroll_width = page.evaluate("[innerWidth, document.scrollingElement.scrollWidth]")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px of content in {width}px"


def targets_are_big_enough(page) -> None:
    small = page.evaluate(TOUCH_TARGETS_JS, TOUCH)
    assert not small, f"{page.url}: touch targets under {TOUCH}px:\n" + "\n".join(small)


def inputs_bring_up_the_right_keyboard(page) -> None:
    wrong = page.evaluate(INPUT_TYPES_JS)
    assert not wrong, f"{page.url}: " + "; ".join(wrong)


def no_serious_accessibility_violation(page) -> None:
    require(AXE.exists(), f"{AXE} is missing: run 'make setup-test' (npm ci installs axe-core)")
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated by the DevTools protocol, which the page's CSP does not govern (a <script> tag would be refused).
        page.evaluate(AXE.read_text())
    violations = page.evaluate(AXE_JS)
    assert not violations, f"{page.url}: axe-core found\n" + "\n".join(violations)


def focus_is_visible(page, selector: str) -> None:
    """A :focus-visible rule exists, and focusing an element from the keyboard draws it."""
    assert page.evaluate(
        """() => [...document.styleSheets].some((sheet) => {
             try { return [...sheet.cssRules].some((rule) => (rule.cssText || '').includes(':focus-visible')); }
             catch (e) { return false; }
           })"""
    ), "no :focus-visible rule in the page's stylesheets"
    element = page.locator(selector).first
    element.focus()
    page.keyboard.press("Shift+Tab")  # keyboard navigation is what makes :focus-visible match
    page.keyboard.press("Tab")
    outline = element.evaluate(
        """(el) => {
             const style = getComputedStyle(el);
             return {matches: el.matches(':focus-visible'), style: style.outlineStyle,
                     width: parseFloat(style.outlineWidth), shadow: style.boxShadow};
           }"""
    )
    assert outline["matches"], f"{selector} did not take keyboard focus"
    assert (outline["style"] != "none" and outline["width"] >= 2) or outline["shadow"] != "none", outline


def charts_have_text_alternatives(page) -> None:
    """Every chart (an <svg> not hidden from assistive technology) is named and described."""
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('svg')]
             .filter((svg) => !svg.closest('[aria-hidden="true"]'))
             .filter((svg) => {
               const box = svg.getBoundingClientRect();
               return box.width > 100 && box.height > 100;  // charts, not icons
             })
             .filter((svg) => {
               const title = svg.querySelector(':scope > title');
               const named = svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby')
                 || (title && title.textContent.trim());
               const described = svg.getAttribute('aria-describedby') || svg.querySelector(':scope > desc');
               return !(named && described);
             })
             .map((svg) => svg.outerHTML.slice(0, 120))"""
    )
    assert not unnamed, f"{page.url}: charts without a text alternative: {unnamed}"


# Chromium reports every refusal under a Content-Security-Policy (an inline script or style, an
# event handler, eval, a resource from elsewhere) on the console, from the page and its frames.
CSP_REFUSAL = "Content Security Policy"


def watch_content_security_policy(page) -> None:
    """Record the page's CSP refusals from now on, for no_content_security_policy_violation."""
    page.csp_refusals = []
    page.on("console", lambda message: CSP_REFUSAL in message.text and page.csp_refusals.append(message.text))


def no_content_security_policy_violation(page) -> None:
    """Nothing was refused since the last check: a future inline script or style fails the journey."""
    refusals, page.csp_refusals = page.csp_refusals, []
    assert not refusals, f"{page.url}: the Content-Security-Policy refused\n" + "\n".join(refusals)
