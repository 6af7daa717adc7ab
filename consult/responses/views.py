"""The respondent's journey: one question per page, confidentiality, check your answers,
submit, the confirmation, the submitted response, amending and withdrawing.

Everything is looked up by the signed-in user's organisation, never by an id in the URL,
so a respondent can only ever reach their own organisation's response.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as HttpResponse

from consult.auth.guards import role_required
from consult.consultations import service as consultations
from consult.db import get_session, utcnow
from consult.errors import (
    ConsultationNotOpen,
    IncompleteResponse,
    InvalidInput,
    ResponseLocked,
    StaleResponse,
)
from consult.filters import uk_datetime
from consult.models import (
    Consultation,
    ConsultationStatus,
    Question,
    Response,
    ResponseStatus,
    Role,
    User,
)
from consult.responses import forms, service

bp = Blueprint("responses", __name__, url_prefix="/consultations/<reference>")


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

    def response(self) -> Response | None:
        """The organisation's response; a withdrawn one cannot be changed."""
        found = service.find_response(self.session, self.consultation, self.user.organisation_id)
        if found is not None and found.status is ResponseStatus.withdrawn:
            raise ResponseLocked("Your organisation withdrew its response to this consultation.")
        return found

    def url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, reference=self.consultation.reference, **values)


def _journey(reference: str, *, accepting: bool = True) -> Journey:
    """Load the consultation; unless ``accepting`` is off, refuse if it is not open to us."""
    session = get_session()
    consultation = consultations.get_by_reference(session, reference)
    journey = Journey(session, consultation, current_user._get_current_object(), utcnow())
    if accepting:
        service.ensure_accepting(session, consultation, journey.user.organisation_id, journey.now)
    return journey


def _attempt(journey: Journey, change: Callable[[], object]) -> str | None:
    """Run a service call and commit; a refused change returns its message, storing nothing."""
    try:
        change()
    except (StaleResponse, InvalidInput, IncompleteResponse) as error:
        journey.session.rollback()
        return str(error)
    journey.session.commit()
    return None


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
        has_response=response is not None and response.current_revision_id is not None,
    )


@bp.errorhandler(ResponseLocked)
def _locked(error: ResponseLocked):
    get_session().rollback()
    consultation = consultations.get_by_reference(get_session(), request.view_args["reference"])
    return render_template("responses/locked.html", consultation=consultation, message=str(error))


@bp.get("/respond")
@role_required(Role.respondent)
def respond(reference: str) -> HttpResponse:
    """Start or continue: go to where the respondent left off."""
    journey = _journey(reference)
    response = journey.response()
    question = service.next_question(response, journey.consultation.questions)
    if question is not None:
        return redirect(journey.url("responses.question", key=question.key))
    if response is None or response.confidential is None:
        return redirect(journey.url("responses.confidentiality"))
    return redirect(journey.url("responses.check_answers"))


@bp.route("/respond/<key>", methods=["GET", "POST"])
@role_required(Role.respondent)
def question(reference: str, key: str):
    """One question's page."""
    journey = _journey(reference)
    question = service.find_question(journey.consultation, key)
    response = journey.response()
    saved = _saved_answer(response, question)
    number = journey.consultation.questions.index(question) + 1
    later = request.form.get("action") == "later"
    data = forms.answer_data(saved, question) if request.method == "GET" else None
    form = forms.question_form(question, number, enforce_required=not later, data=data)
    if request.method == "GET":
        form.version.data = _version(response)
    stale = False
    if form.validate_on_submit():
        error = _attempt(journey, lambda: _save_answer(journey, question, form))
        if error is None:
            return _after_save(journey, question, later)
        stale = _show_refusal(journey, form, form.answer, error)
    return render_template(
        "responses/question.html",
        journey=journey,
        question=question,
        number=number,
        form=form,
        params=forms.answer_params(question),
        back=_previous_page(journey, question),
        saved=_saved_answer(journey.response(), question) if stale else None,
    )


def _version(response: Response | None) -> int:
    """The version a page carries; 0 when the response does not exist yet."""
    return response.version if response is not None else 0


def _saved_answer(response: Response | None, question: Question):
    if response is None:
        return None
    return next((a for a in response.answers if a.question_id == question.id), None)


def _save_answer(journey: Journey, question: Question, form: forms.QuestionForm) -> None:
    response = service.start_response(
        journey.session, journey.consultation, journey.user, journey.now
    )
    service.save_answer(
        journey.session,
        response,
        question,
        form.answer_input(),
        expected_version=form.expected_version(),
        user=journey.user,
        now=journey.now,
    )


def _show_refusal(journey: Journey, form: forms.ResponsePageForm, field, message: str) -> bool:
    """Put a refused save's message on the field; after a stale save, the page carries the
    current version so that saving again (having seen the colleague's change) goes through.
    Returns whether the save was stale."""
    field.errors = [*field.errors, message]
    response = journey.response()
    stale = response is not None and form.expected_version() != response.version
    if stale:
        form.version.data = response.version
    return stale


def _after_save(journey: Journey, question: Question, later: bool) -> HttpResponse:
    if later:
        flash(_saved_message(journey), "success")
        return redirect(url_for("consultations.show", reference=journey.consultation.reference))
    if request.args.get("change"):
        return redirect(journey.url("responses.check_answers"))
    questions = journey.consultation.questions
    position = questions.index(question)
    if position + 1 < len(questions):
        return redirect(journey.url("responses.question", key=questions[position + 1].key))
    return redirect(journey.url("responses.confidentiality"))


def _saved_message(journey: Journey) -> str:
    closes_at = journey.consultation.closes_at
    if closes_at <= journey.now:  # saving under a late allowance
        return "Your answers have been saved. Submit your response when it is ready."
    return (
        "Your answers have been saved. You can come back to finish your response until "
        f"{uk_datetime(closes_at)}."
    )


def _previous_page(journey: Journey, question: Question | None) -> str:
    questions = journey.consultation.questions
    if question is None:
        return journey.url("responses.question", key=questions[-1].key)
    position = questions.index(question)
    if position == 0:
        return url_for("consultations.show", reference=journey.consultation.reference)
    return journey.url("responses.question", key=questions[position - 1].key)


@bp.route("/respond/confidentiality", methods=["GET", "POST"])
@role_required(Role.respondent)
def confidentiality(reference: str):
    """Whether the response is confidential."""
    journey = _journey(reference)
    response = journey.response()
    form = forms.ConfidentialityForm()
    if request.method == "GET":
        form.version.data = _version(response)
    if request.method == "GET" and response is not None:
        if response.confidential is not None:
            form.confidential.data = "yes" if response.confidential else "no"
    if form.validate_on_submit():
        error = _attempt(journey, lambda: _save_confidential(journey, form))
        if error is None:
            return redirect(journey.url("responses.check_answers"))
        _show_refusal(journey, form, form.confidential, error)
    back = _previous_page(journey, None)
    return render_template("responses/confidentiality.html", journey=journey, form=form, back=back)


def _save_confidential(journey: Journey, form: forms.ConfidentialityForm) -> None:
    response = service.start_response(
        journey.session, journey.consultation, journey.user, journey.now
    )
    service.set_confidential(
        journey.session,
        response,
        form.confidential.data == "yes",
        expected_version=form.expected_version(),
        user=journey.user,
        now=journey.now,
    )


@bp.route("/respond/check", methods=["GET", "POST"])
@role_required(Role.respondent)
def check_answers(reference: str):
    """Every answer with a Change link, and the Submit response button."""
    journey = _journey(reference)
    response = journey.response()
    if response is None:
        return redirect(journey.url("responses.respond"))
    form = forms.ResponsePageForm()
    errors = []
    if form.validate_on_submit():
        errors = _submit(journey, response, form)
        if not errors:
            return redirect(journey.url("responses.confirmation"))
        response = journey.response()
    form.version.data = response.version
    return _render_check(journey, response, form, errors)


def _submit(journey: Journey, response: Response, form: forms.ResponsePageForm) -> list[dict]:
    """Submit and commit; a refused submission returns what to put right, storing nothing."""
    try:
        service.submit(
            journey.session,
            response,
            expected_version=form.expected_version(),
            user=journey.user,
            now=journey.now,
        )
    except IncompleteResponse as error:
        journey.session.rollback()
        return _missing_errors(journey, error.missing)
    except StaleResponse as error:
        journey.session.rollback()
        return [{"text": str(error), "href": "#submit"}]
    journey.session.commit()
    return []


def _render_check(journey: Journey, response: Response, form, errors: list[dict]) -> str:
    answers = {a.question_id: a for a in response.answers}
    return render_template(
        "responses/check.html",
        journey=journey,
        response=response,
        answers=answers,
        form=form,
        errors=errors,
        has_errors=bool(errors),
    )


def _missing_errors(journey: Journey, missing: list[str]) -> list[dict]:
    """One error per missing answer, each linking to the page where it is given."""
    errors = []
    for number, question in enumerate(journey.consultation.questions, start=1):
        if question.key in missing:
            href = journey.url("responses.question", key=question.key, change=1)
            errors.append({"text": f"Answer question {number}: {question.text}", "href": href})
    if "confidential" in missing:
        href = journey.url("responses.confidentiality", change=1)
        errors.append({"text": "Say whether your response is confidential", "href": href})
    return errors


@bp.get("/respond/confirmation")
@role_required(Role.respondent)
def confirmation(reference: str):
    """The confirmation panel with the receipt reference."""
    journey = _journey(reference, accepting=False)
    response = _submitted(journey)
    if response is None or response.status is not ResponseStatus.submitted:
        return redirect(journey.url("responses.respond"))
    return render_template(
        "responses/confirmation.html",
        journey=journey,
        response=response,
        revision=response.current_revision,
    )


def _submitted(journey: Journey) -> Response | None:
    return service.submitted_response(
        journey.session, journey.consultation, journey.user.organisation_id
    )


@bp.get("/response")
@role_required(Role.respondent)
def view_response(reference: str):
    """The organisation's response as submitted (its current revision), with its history."""
    journey = _journey(reference, accepting=False)
    response = _submitted(journey)
    if response is None:
        draft = service.find_response(
            journey.session, journey.consultation, journey.user.organisation_id
        )
        return render_template(
            "responses/no_response.html", journey=journey, draft=draft, open=_open(journey)
        )
    return render_template(
        "responses/response.html",
        journey=journey,
        response=response,
        revision=response.current_revision,
        answers={a.question_id: a for a in response.current_revision.answers},
        can_change=response.status is ResponseStatus.submitted and _open(journey),
    )


def _open(journey: Journey) -> bool:
    """Whether this organisation may respond now (open, or under a late allowance)."""
    try:
        service.ensure_accepting(
            journey.session, journey.consultation, journey.user.organisation_id, journey.now
        )
    except ConsultationNotOpen:
        return False
    return True


@bp.route("/response/withdraw", methods=["GET", "POST"])
@role_required(Role.respondent)
def withdraw(reference: str):
    """Confirm, then withdraw the submitted response."""
    journey = _journey(reference)
    response = journey.response()
    if response is None or response.status is not ResponseStatus.submitted:
        return redirect(journey.url("responses.view_response"))
    form = forms.ResponsePageForm()
    errors = []
    if form.validate_on_submit():
        error = _attempt(journey, lambda: _withdraw(journey, response, form))
        if error is None:
            flash("Your response has been withdrawn. It will not be counted.", "success")
            return redirect(journey.url("responses.view_response"))
        errors = [{"text": error, "href": "#withdraw"}]
        response = journey.response()
    form.version.data = response.version
    return render_template(
        "responses/withdraw.html",
        journey=journey,
        response=response,
        form=form,
        errors=errors,
        has_errors=bool(errors),
    )


def _withdraw(journey: Journey, response: Response, form: forms.ResponsePageForm) -> None:
    service.withdraw(
        journey.session,
        response,
        expected_version=form.expected_version(),
        user=journey.user,
        now=journey.now,
    )
