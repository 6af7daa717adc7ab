"""What every page of the respondent's journey shares: the blueprint, the ``Journey``
(consultation, user, time), committing a service call, and the pages for a consultation
that is not open and for a response that cannot change.

Everything is looked up by the signed-in user's organisation, never by an id in the URL,
so a respondent can only ever reach their own organisation's response.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from consult.consultations import service as consultations
from consult.db import get_session, utcnow
from consult.errors import (
    ConsultationNotOpen,
    IncompleteResponse,
    InvalidInput,
    ResponseLocked,
    StaleResponse,
)
from consult.models import (
    Consultation,
    ConsultationStatus,
    Organisation,
    Response,
    ResponseStatus,
    User,
    question_label,
)
from consult.responses import service

bp = Blueprint("responses", __name__)

# The journey's pages live under the consultation; "Your responses" (/responses) does not.
PREFIX = "/consultations/<reference>"


@bp.context_processor
def _helpers() -> dict:
    return {"answer_text": service.answer_text}


@dataclass(frozen=True)
class Journey:
    """What every page of the journey works with."""

    session: Session
    consultation: Consultation
    user: User
    now: datetime
    # Held for the request: every check that the organisation may respond (several in a
    # save) then finds it in the session instead of asking the database again.
    organisation: Organisation | None = None

    def response(self) -> Response | None:
        """The organisation's response; a withdrawn one cannot be changed."""
        found = service.find_response(self.session, self.consultation, self.user.organisation_id)
        if found is not None and found.status is ResponseStatus.withdrawn:
            raise ResponseLocked(service.WITHDRAWN)
        return found

    def url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, reference=self.consultation.reference, **values)

    def late_until(self) -> datetime | None:
        """When this organisation's late allowance ends, if it is responding under one."""
        if self.consultation.status_at(self.now) is not ConsultationStatus.closed:
            return None
        allowance = service.late_allowance(
            self.session, self.consultation, self.user.organisation_id, self.now
        )
        return allowance.until if allowance else None


def load_journey(reference: str, *, accepting: bool = True) -> Journey:
    """Load the consultation; unless ``accepting`` is off, refuse if it is not open to us."""
    session = get_session()
    consultation = consultations.get_by_reference(session, reference, parts=consultations.QUESTIONS)
    user = current_user._get_current_object()
    organisation = session.get(Organisation, user.organisation_id)
    journey = Journey(session, consultation, user, utcnow(), organisation)
    if accepting:
        service.ensure_accepting(session, consultation, journey.user.organisation_id, journey.now)
    return journey


def attempt(journey: Journey, change: Callable[[], object]) -> str | None:
    """Run a service call and commit; a refused change returns its message, storing nothing."""
    try:
        change()
    except (StaleResponse, InvalidInput, IncompleteResponse) as error:
        journey.session.rollback()
        return str(error)
    journey.session.commit()
    return None


def accepting(journey: Journey) -> bool:
    """Whether this organisation may respond now (open, or under a late allowance)."""
    try:
        service.ensure_accepting(
            journey.session, journey.consultation, journey.user.organisation_id, journey.now
        )
    except (ConsultationNotOpen, ResponseLocked):
        return False
    return True


@bp.errorhandler(ConsultationNotOpen)
def _not_open(error: ConsultationNotOpen):
    """A normal page, not an error: the consultation is closed (or not yet open)."""
    session = get_session()
    session.rollback()
    consultation = consultations.get_by_reference(session, request.view_args["reference"])
    closed = consultation.status_at(utcnow()) is ConsultationStatus.closed
    response = service.find_response(session, consultation, current_user.organisation_id)
    return render_template(
        "responses/not_open.html",
        consultation=consultation,
        heading="This consultation has closed" if closed else "This consultation is not open yet",
        message=str(error),
        nothing_stored=request.method == "POST",
        typed=_typed_answer(),
        typed_question=_typed_question(consultation),
        has_response=response is not None and response.current_revision_id is not None,
    )


def _typed_answer() -> list[tuple[str, str]]:
    """What was sent from a question page refused for the deadline, to show back, each
    part named ("Answer", "Rationale"): it may be long text the respondent would otherwise
    lose (they could send it to SECAS)."""
    if request.method != "POST" or request.endpoint != "responses.question":
        return []
    parts = [("Answer", value) for value in request.form.getlist("answer")]
    parts.append(("Rationale", request.form.get("rationale", "")))
    return [(name, service.normalise_text(value)) for name, value in parts if value.strip()]


def _typed_question(consultation: Consultation) -> str | None:
    """The heading of the question whose answer was refused ("Question 2: …"), if any."""
    key = (request.view_args or {}).get("key")
    for number, question in enumerate(consultation.questions, start=1):
        if question.key == key:
            return f"{question_label(number)}: {question.text}"
    return None


@bp.errorhandler(ResponseLocked)
def _locked(error: ResponseLocked):
    get_session().rollback()
    consultation = consultations.get_by_reference(get_session(), request.view_args["reference"])
    return render_template("responses/locked.html", consultation=consultation, message=str(error))
