"""Helpers for the respondent's journey tests: URLs, reading forms back, the database."""

import copy

from bs4 import BeautifulSoup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.models import Consultation, Response, Revision, Section
from tests.conftest import normalise

QUESTIONS = [
    {
        "key": "q1",
        "kind": "single_choice",
        "text": "Do you agree with the proposed new end date?",
        "hint": "The DCC proposes 31 October 2017.",
        "options": ["Yes", "No", "Neutral"],
        "rationale_prompt": "Please provide your rationale",
        "required": True,
    },
    {
        "key": "q2",
        "kind": "multiple_choice",
        "text": "Which of your systems are affected?",
        "options": ["Metering", "Billing", "Customer service"],
        "required": True,
    },
    {
        "key": "q3",
        "kind": "text",
        "text": "What would the impact be on your organisation?",
        "max_length": 500,
        "required": True,
    },
    {
        "key": "q4",
        "kind": "text",
        "text": "Do you have any other comments?",
        "required": False,
    },
]

ANSWERS = {
    "q1": {"answer": "Yes", "rationale": "We support the new date."},
    "q2": {"answer": ["Metering", "Billing"]},
    "q3": {"answer": "Little impact:\nour SSI users are few."},
    "q4": {"answer": ""},
}


def respond_url(consultation: Consultation, page: str = "") -> str:
    """A page of the journey: '' (start), a question key, 'confidentiality', 'check'..."""
    base = f"/consultations/{consultation.reference}/respond"
    return f"{base}/{page}" if page else base


def response_url(consultation: Consultation) -> str:
    return f"/consultations/{consultation.reference}/response"


def version_on(page: BeautifulSoup) -> str:
    """The response version the page would post back."""
    return page.select_one("input[name=version]")["value"]


def error_summary(page: BeautifulSoup) -> list[str]:
    """The messages in the page's error summary, as a reader sees them."""
    return [normalise(item.text) for item in page.select(".govuk-error-summary__list li")]


def summary_rows(page: BeautifulSoup, list_id: str) -> dict[str, str]:
    """A summary list as {key: value} in normalised text (the answer only: without the
    "Last changed by" line, which ``last_changed`` reads)."""
    rows = page.select(f"#{list_id} .govuk-summary-list__row")
    result = {}
    for row in rows:
        value = copy.copy(row.select_one(".govuk-summary-list__value"))
        for note in value.select(".consult-last-edit"):
            note.decompose()
        result[normalise(row.select_one(".govuk-summary-list__key").text)] = normalise(value.text)
    return result


def last_changed(page: BeautifulSoup, list_id: str) -> dict[str, str]:
    """Each answer's "Last changed by …" line, by question."""
    return {
        normalise(row.select_one(".govuk-summary-list__key").text): normalise(note.text)
        for row in page.select(f"#{list_id} .govuk-summary-list__row")
        if (note := row.select_one(".consult-last-edit"))
    }


def answer_all(client, consultation: Consultation, confidential: str = "no") -> None:
    """Answer every question and the confidentiality question through the web pages."""
    for key, data in ANSWERS.items():
        page = client.get(respond_url(consultation, key)).get_data(as_text=True)
        version = BeautifulSoup(page, "html.parser").select_one("input[name=version]")["value"]
        response = client.post(
            respond_url(consultation, key), data={**data, "version": version, "action": "continue"}
        )
        assert response.status_code == 302, f"saving {key} failed"
    page = BeautifulSoup(
        client.get(respond_url(consultation, "confidentiality")).get_data(as_text=True),
        "html.parser",
    )
    response = client.post(
        respond_url(consultation, "confidentiality"),
        data={"confidential": confidential, "version": version_on(page)},
    )
    assert response.status_code == 302, "saving confidentiality failed"


def submit(client, consultation: Consultation):
    """Post the check-your-answers page's Submit response button."""
    page = BeautifulSoup(
        client.get(respond_url(consultation, "check")).get_data(as_text=True), "html.parser"
    )
    return client.post(
        respond_url(consultation, "check"), data={"version": version_on(page), "declaration": "y"}
    )


def fresh(db: Session) -> Session:
    """End the test session's transaction, so it reads what requests have committed since."""
    db.commit()
    db.expire_all()
    return db


def revision_count(db: Session) -> int:
    fresh(db)
    return db.scalar(select(func.count()).select_from(Revision))


def stored_response(db: Session, consultation: Consultation, organisation_id: int):
    fresh(db)
    return db.scalar(
        select(Response).where(
            Response.consultation_id == consultation.id,
            Response.organisation_id == organisation_id,
        )
    )


def add_sections(db: Session, consultation: Consultation, layout: dict[str, list[str]]) -> None:
    """Group the consultation's questions into sections: {title: [question keys]}."""
    by_key = {q.key: q for q in consultation.questions}
    for position, (title, keys) in enumerate(layout.items(), start=1):
        section = Section(position=position, title=title)
        consultation.sections.append(section)
        for key in keys:
            by_key[key].section = section
    db.commit()


def save(client, consultation: Consultation, key: str, action: str = "continue", **data):
    """Post one question's page with the version it shows now."""
    page = BeautifulSoup(
        client.get(respond_url(consultation, key)).get_data(as_text=True), "html.parser"
    )
    return client.post(
        respond_url(consultation, key), data={"version": version_on(page), "action": action, **data}
    )
