"""Helpers for the property-based tests: hostile values, form discovery, the checks every
refused post must pass."""

from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st

# Values people and scripts really send: injections, markup, templates, control
# characters, right-to-left marks, numbers out of range, empty and huge strings.
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "' OR '1'='1' --",
        "1; DROP TABLE user_account; --",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ 7*7 }}{% raw %}",
        "../../../../etc/passwd",
        "%s%s%s%n",
        "\x00",
        "\x1b[31m\r\n\t\x7f",
        "\u202eevil\u200b\ufeff",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 مرحبا 你好",
        "-1",
        "0",
        "99999999999999999999999999",
        "1e309",
        "NaN",
        "null",
        "[]",
        '{"a": 1}',
        "2017-02-30",
        "A" * 20_000,
        "x" * 1_000_000,
    ]
)
VALUES = st.one_of(HOSTILE, st.text(max_size=200), st.integers().map(str))


_DOWNLOADS = ("document", "attachment", "response_copy", "_csv", "_xlsx", "_docx")


@dataclass
class Form:
    """A POST form found on a page: where it posts and its fields' names and values."""

    page: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    # Names shared by several text boxes (a date's day, month, year): browsers send them all.
    parts: dict[str, int] = field(default_factory=dict)


def forms_on(client: FlaskClient, url: str) -> list[Form]:
    """The POST forms on the page at ``url`` (none if it is not a 200 HTML page)."""
    try:
        response = client.get(url)
    except Exception:  # noqa: BLE001 - a broken page is test_access's finding, not ours
        return []
    if response.status_code != 200 or not response.mimetype == "text/html":
        return []
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    found = []
    for form in page.select("form"):
        if form.get("method", "get").lower() != "post":
            continue
        action = form.get("action") or url
        if action.endswith("/auth/logout"):
            continue  # ends the session the test needs
        fields: dict[str, list[str]] = {}
        parts: dict[str, int] = {}
        for control in form.select("input[name], select[name], textarea[name], button[name]"):
            if control.name == "input" and control.get("type", "text") == "text":
                parts[control["name"]] = parts.get(control["name"], 0) + 1
            values = fields.setdefault(control["name"], [])
            if control.name == "select":
                values += [o.get("value", o.text) for o in control.select("option")]
            else:
                values.append(control.get("value", control.text or ""))
        parts = {name: n for name, n in parts.items() if n > 1}
        found.append(Form(page=url, action=action, fields=fields, parts=parts))
    return found


def discover(app: Flask, client: FlaskClient, values: dict) -> list[Form]:
    """Every POST form on every page the client can GET, found from the URL map."""
    forms: dict[tuple[str, tuple[str, ...]], Form] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if "." in rule.rule.rsplit("/", 1)[-1] or rule.endpoint.endswith(_DOWNLOADS):
            continue  # downloads, not pages: no forms on them
        if rule.arguments - values.keys():
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        for form in forms_on(client, url):
            forms.setdefault((form.action, tuple(sorted(form.fields))), form)
    return list(forms.values())


@st.composite
def mutated(draw, form: Form) -> list[tuple[str, str]]:
    """The form's fields with hostile values: some dropped, some repeated, some extra."""
    pairs: list[tuple[str, str]] = []
    for name, choices in form.fields.items():
        action = draw(st.sampled_from(["keep", "hostile", "hostile", "drop", "twice"]))
        if action == "drop":
            continue
        if name in form.parts:
            pairs += [(name, draw(VALUES)) for _ in range(form.parts[name])]
            continue
        keep = draw(st.sampled_from(choices)) if choices else ""
        value = keep if action == "keep" else draw(VALUES)
        pairs.append((name, value))
        if action == "twice":
            pairs.append((name, draw(VALUES)))
    if draw(st.booleans()):
        pairs.append((draw(st.sampled_from(["id", "role", "status", "__class__"])), draw(VALUES)))
    return pairs


def problems(response) -> list[str]:
    """What is wrong with the app's answer to a hostile post, if anything."""
    found = []
    body = response.get_data(as_text=True)
    if response.status_code >= 500:
        found.append(f"server error {response.status_code}")
    if "Traceback (most recent call last)" in body or 'File "/' in body:
        found.append("stack trace in the body")
    return found


def refused(response) -> bool:
    """The app turned the post away (an error summary, or an error status)."""
    if response.status_code in (301, 302, 303):
        return False
    if response.status_code >= 400:
        return True
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return page.select_one(".govuk-error-summary") is not None
