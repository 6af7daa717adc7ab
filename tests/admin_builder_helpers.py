"""Helpers for the builder's tests: form data and reading what the pages show."""

from datetime import datetime, timedelta

from sqlalchemy import select

from consult.admin.builder_service import QuestionDetails
from consult.db import utcnow
from consult.filters import LONDON
from consult.models import AuditEvent, Consultation, Question
from tests.conftest import normalise


def when(moment: datetime) -> dict:
    """A London date as the three date boxes send it, and its HH:MM time."""
    local = moment.astimezone(LONDON)
    return {"date": [str(local.day), str(local.month), str(local.year)], "time": f"{local:%H:%M}"}


def details_form(reference: str = "SSI-2017", **overrides) -> dict:
    """A valid details form: opens in a day, closes in a fortnight."""
    opens = when(utcnow() + timedelta(days=1))
    closes = when(utcnow() + timedelta(days=15))
    data = {
        "reference": reference,
        "title": "Changing the end date of the SSI variations",
        "kind": "panel_consultation",
        "modification": "",
        "summary": "The DCC asked to **change** the end date.",
        "opens_date": opens["date"],
        "opens_time": "09:00",
        "closes_date": closes["date"],
        "closes_time": "17:00",
    }
    data.update(overrides)
    return data


def question_form(**overrides) -> dict:
    data = {
        "kind": "single_choice",
        "text": "Do you agree with the proposed new end date?",
        "hint": "",
        "options": "Yes\nNo",
        "rationale_prompt": "Please provide your rationale",
        "required": "yes",
        "max_length": "",
        "section": "",
    }
    data.update(overrides)
    return data


def edited(question: Question, **changes) -> QuestionDetails:
    """The question's details as the builder's form would send them, with ``changes``."""
    details = {
        "kind": question.kind,
        "text": question.text,
        "hint": question.hint,
        "options": question.options,
        "rationale_prompt": question.rationale_prompt,
        "required": question.required,
        "max_length": question.max_length,
        "section_id": question.section_id,
        **changes,
    }
    return QuestionDetails(**details)


def reload(db, reference: str) -> Consultation | None:
    """The consultation as now stored: a new transaction, so a new snapshot on SQLite."""
    db.commit()
    db.expire_all()
    return db.scalar(select(Consultation).where(Consultation.reference == reference))


def audit_events(db, prefix: str = "") -> list[AuditEvent]:
    db.commit()
    db.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    return [e for e in db.scalars(query) if e.action.startswith(prefix)]


def error_messages(page) -> list[str]:
    return [normalise(a.text) for a in page.select(".govuk-error-summary a")]


def banner(page) -> str:
    return normalise(page.select_one(".govuk-notification-banner").text)


def shown_form(page) -> dict:
    """What the page's main form would send unchanged: each control's value as shown."""
    form = page.select_one("main form[method=post]")
    data: dict = {}
    for control in form.select("input[name], textarea[name], select[name]"):
        name = control["name"]
        if control.name == "textarea":
            value = control.text.removeprefix("\n")  # the HTML parser drops that newline
        elif control.name == "select":
            chosen = control.select_one("option[selected]") or control.select_one("option")
            value = chosen["value"] if chosen else ""
        elif control.get("type") in ("radio", "checkbox") and not control.has_attr("checked"):
            continue
        elif control.get("type") == "submit":
            continue
        else:
            value = control.get("value", "")
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def from_page(get_page, url: str, data: dict) -> dict:
    """``data`` with the version the page at ``url`` carries now, as its form would send
    it: an edit page's save is refused unless it comes from the page as it stands."""
    version = get_page(url).select_one("main form input[name=version]")["value"]
    return {**data, "version": version}
