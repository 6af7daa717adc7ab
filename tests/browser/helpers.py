"""What the keyboard, reflow and no-JavaScript browser tests share: signing in, moving focus
with the keyboard alone, and reading what a sighted keyboard user sees of the focus."""

import re

from playwright.sync_api import Locator, Page, expect

from tests import factories

# GOV.UK Frontend's focus colour, as getComputedStyle reports it.
FOCUS_YELLOW = "rgb(255, 221, 0)"

_DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "the page";
  const name = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
  return `${el.tagName.toLowerCase()}#${el.id} "${name.slice(0, 40)}"`;
}"""

_FOCUS_STYLE = """() => {
  const el = document.activeElement;
  // GOV.UK radios and checkboxes hide the input and draw the focus ring round the box that
  // stands in for it: the label's ::before.
  const drawn = ["radio", "checkbox"].includes(el.type) && el.labels.length;
  const style = drawn ? getComputedStyle(el.labels[0], "::before") : getComputedStyle(el);
  return {
    outline: style.outlineStyle === "none" ? "" : style.outlineColor,
    boxShadow: style.boxShadow,
    background: style.backgroundColor,
  };
}"""


def sign_in(page: Page, base_url: str, user) -> None:
    """Sign in through the form and wait to leave the sign-in page."""
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))


def has_focus(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (Shift+Tab if ``backwards``) until ``target`` has the focus, as a keyboard
    user moves through the page; fail naming every stop if it is not reached."""
    key = "Shift+Tab" if backwards else "Tab"
    stops = []
    for _ in range(limit):
        if has_focus(target):
            return
        page.keyboard.press(key)
        stops.append(page.evaluate(_DESCRIBE_FOCUS))
    raise AssertionError(f"{key} never reached {target}; focus went to: {stops}")


def focus_is_visible(page: Page) -> bool:
    """Whether the focused element shows GOV.UK's focus style: the yellow outline, box
    shadow or background (links and buttons turn yellow; inputs get a yellow outline)."""
    style = page.evaluate(_FOCUS_STYLE)
    return any(FOCUS_YELLOW in value for value in style.values())


def follow(page, control) -> None:
    """Click a link or button and wait for the page it leads to, so what is read next is
    read from that page, not the one before (a slow run read the old page)."""
    with page.expect_navigation():
        control.click()


def error_summary_says(page: Page, *messages: str) -> None:
    """The page came back with GOV.UK's error summary ("Error: " in its title too),
    naming each of ``messages``."""
    assert page.title().startswith("Error: "), f"{page.url}: no error in the title"
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    text = summary.inner_text()
    for message in messages:
        assert message in text, f"{message!r} is not in the error summary: {text}"
