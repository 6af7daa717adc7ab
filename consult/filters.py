"""Template filters: times shown in Europe/London, Markdown rendered safely, upload limits."""

from datetime import datetime
from zoneinfo import ZoneInfo

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

from consult.models import DeadlineChangeKind

LONDON = ZoneInfo("Europe/London")
_markdown = MarkdownIt("commonmark", {"html": False})


def london(value: datetime) -> datetime:
    """The same instant in Europe/London."""
    return value.astimezone(LONDON)


def uk_date_stamp(value: datetime) -> str:
    """The UK date of an instant as download names carry it: '2026-11-30'."""
    return london(value).date().isoformat()


def uk_datetime(value: datetime | None) -> str:
    """'5pm on 21 June 2017' (GOV.UK style), in Europe/London."""
    if value is None:
        return ""
    local = london(value)
    return f"{uk_time(value)} on {local.day} {local:%B %Y}"


def uk_time(value: datetime) -> str:
    """'5pm', '9:30am', 'midday' or 'midnight', in Europe/London."""
    local = london(value)
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{suffix}"


def deadline_change(change) -> str:
    """A change to a consultation's closing time in words, wherever it is shown (the
    public page, the builder, the summary and its downloads). ``change`` has ``kind``,
    ``previous_closes_at``, ``new_closes_at`` and ``changed_at``, as a DeadlineChange."""
    previous, new = uk_datetime(change.previous_closes_at), uk_datetime(change.new_closes_at)
    if change.kind is DeadlineChangeKind.extended:
        return f"Deadline extended from {previous} to {new}"
    if change.kind is DeadlineChangeKind.closed_early:
        return f"Closed early at {new} (it was due to close at {previous})"
    reopened = uk_date(change.changed_at)
    return f"Reopened on {reopened}: it had closed at {previous} and now closes at {new}"


def uk_date(value: datetime | None) -> str:
    """'21 June 2017', in Europe/London."""
    if value is None:
        return ""
    local = london(value)
    return f"{local.day} {local:%B %Y}"


def size_limit(size: int) -> str:
    """An upload limit as the upload hint and the refusal both say it: '10 MB', '2.5 MB'."""
    return f"{size / (1024 * 1024):g} MB"


# The summary sits under the page's h1 and an h2 ("Summary"): its own headings start at h3.
MARKDOWN_TOP_HEADING = 3


def markdown(text: str | None) -> Markup:
    """Render Markdown to HTML with raw HTML disabled and the output sanitised; headings
    are moved down so that ``# Background`` never becomes a second h1 on the page."""
    env: dict = {}
    tokens = _markdown.parse(text or "", env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1]) + MARKDOWN_TOP_HEADING - 1
            token.tag = f"h{min(level, 6)}"
    html = _markdown.renderer.render(tokens, _markdown.options, env)
    return Markup(nh3.clean(html))  # noqa: S704 - sanitised by nh3 just above


# Codes whose words read better said otherwise than their parts.
_CODE_WORDS = {
    "user.two_factor_on": "User turned on two-factor sign-in",
    "user.two_factor_off": "User turned off two-factor sign-in",
    "user.two_factor_reset": "User's two-factor sign-in reset",
    "outbox.retried": "Message retried",
}


def code_words(code: str) -> str:
    """A recorded code as words, for people: "consultation.closed_early" reads
    "Consultation closed early", "manual_reminder" "Manual reminder". Downloads keep the
    code itself, for filtering and scripts."""
    if code in _CODE_WORDS:
        return _CODE_WORDS[code]
    return code.replace(".", " ").replace("_", " ").capitalize()


def recorded(value: object) -> str:
    """A value recorded in an audit event's detail, as people read it: times in UK time,
    yes and no, "none", and a record's parts by name ("until: 5pm on 8 January 2027")."""
    if value is None or value in ("", {}, []):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{code_words(str(k)).lower()}: {recorded(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(recorded(v) for v in value) or "none"
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None and "T" in value:
            return uk_datetime(moment)
    return str(value)


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(uk_datetime)
    app.add_template_filter(uk_date)
    app.add_template_filter(uk_time)
    app.add_template_filter(deadline_change)
    app.add_template_filter(markdown)
    app.add_template_filter(size_limit)
    app.add_template_filter(code_words)
    app.add_template_filter(recorded)
