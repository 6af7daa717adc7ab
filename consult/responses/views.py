"""The respondent's journey up to submitting: the task list, one question per page,
confidentiality, check your answers, submit and the confirmation.

The pages after submitting, attachments and "Your responses" register their routes on
the same blueprint from their own modules, imported at the end.
"""

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as HttpResponse

from consult.auth.guards import role_required
from consult.errors import AlreadySubmitted, IncompleteResponse, StaleResponse
from consult.filters import uk_datetime
from consult.models import Question, Response, ResponseStatus, Role, question_label
from consult.responses import forms, service, tasks
from consult.responses.journey import PREFIX, Journey, attempt, bp, load_journey


@bp.get(f"{PREFIX}/respond")
@role_required(Role.respondent)
def respond(reference: str):
    """The task list: each section with its status, then confidentiality and submitting."""
    journey = load_journey(reference)
    response = journey.response()
    people = tasks.editors(journey.session, response)
    return render_template(
        "responses/task_list.html",
        journey=journey,
        response=response,
        sections=tasks.section_tasks(journey.consultation, response),
        last_edit=lambda answer: tasks.last_edit(answer, people, journey.user.id),
        last_saved_by=_last_saved_by(journey, response, people),
        ready=_ready(journey, response),
        submitted=service.unchanged_since_submitted(journey.session, response),
        late_until=journey.late_until(),
        statuses=tasks.TaskStatus,
    )


def _ready(journey: Journey, response: Response | None) -> bool:
    """Whether "Check and submit" can be started: everything required is answered."""
    if response is None or response.confidential is None:
        return False
    return not service.missing_answers(response, journey.consultation.questions)


@bp.route(f"{PREFIX}/respond/<key>", methods=["GET", "POST"])
@role_required(Role.respondent)
def question(reference: str, key: str):
    """One question's page."""
    journey = load_journey(reference)
    question = service.find_question(journey.consultation, key)
    response = journey.response()
    number = journey.consultation.questions.index(question) + 1
    later = request.form.get("action") == "later"
    saved = _saved_answer(response, question)
    data = forms.answer_data(saved, question)
    form = forms.question_form(
        question, number, enforce_required=not later, data=data if request.method == "GET" else None
    )
    if request.method == "GET":
        form.version.data = _version(response)
    conflict = None
    if form.validate_on_submit():
        error = attempt(journey, lambda: _save_answer(journey, response, question, form))
        if error is None:
            return _after_save(journey, question, later)
        conflict = _show_refusal(journey, form, form.answer, error, question)
    return render_template(
        "responses/question.html",
        journey=journey,
        question=question,
        number=number,
        group=tasks.group_of(journey.consultation, question),
        form=form,
        params=forms.answer_params(question),
        rationale_params=forms.rationale_params(question),
        back=_previous_page(journey, question),
        conflict=conflict,
        withdrawn_options=tasks.no_longer_offered(question, saved),
    )


def _version(response: Response | None) -> int:
    """The version a page carries; 0 when the response does not exist yet."""
    return response.version if response is not None else 0


def _saved_answer(response: Response | None, question: Question):
    if response is None:
        return None
    return next((a for a in response.answers if a.question_id == question.id), None)


def _save_answer(
    journey: Journey, response: Response | None, question: Question, form: forms.QuestionForm
) -> None:
    if response is None:
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


def _show_refusal(
    journey: Journey, form: forms.ResponsePageForm, field, message: str, question=None
) -> dict | None:
    """Put a refused save's message on the field. After a stale save the page carries the
    current version, so that saving again (having seen the colleague's change) goes
    through, and returns what is saved now, by whom, for the page to compare."""
    field.errors = [*field.errors, message]
    response = journey.response()
    if response is None or form.expected_version() == response.version:
        return None
    form.version.data = response.version
    if question is None:
        return {}
    saved = _saved_answer(response, question)
    people = tasks.editors(journey.session, response)
    edit = tasks.last_edit(saved, people, journey.user.id)
    return {"saved": saved, "edit": edit, "yours": form.answer_input()}


def _after_save(journey: Journey, question: Question, later: bool) -> HttpResponse:
    if later:
        flash(_saved_message(journey), "success")
        return redirect(journey.url("responses.respond"))
    if request.args.get("change"):
        return redirect(journey.url("responses.check_answers"))
    group = tasks.group_of(journey.consultation, question)
    position = group.questions.index(question)
    if position + 1 < len(group.questions):
        return redirect(journey.url("responses.question", key=group.questions[position + 1].key))
    if journey.consultation.sections:
        return redirect(journey.url("responses.respond"))
    return redirect(journey.url("responses.confidentiality"))


def _saved_message(journey: Journey) -> str:
    closes_at = journey.consultation.closes_at
    late_until = journey.late_until()
    if late_until is not None:
        return (
            "Your answers have been saved. You can come back to finish your response until "
            f"{uk_datetime(late_until)} (late allowance)."
        )
    return (
        "Your answers have been saved. You or a colleague can come back to finish your "
        f"response until {uk_datetime(closes_at)}."
    )


def _previous_page(journey: Journey, question: Question) -> str:
    if request.args.get("change"):
        return journey.url("responses.check_answers")  # came from there, goes back there
    group = tasks.group_of(journey.consultation, question)
    position = group.questions.index(question)
    if position == 0:
        return journey.url("responses.respond")
    return journey.url("responses.question", key=group.questions[position - 1].key)


@bp.route(f"{PREFIX}/respond/confidentiality", methods=["GET", "POST"])
@role_required(Role.respondent)
def confidentiality(reference: str):
    """Whether the response is confidential."""
    journey = load_journey(reference)
    response = journey.response()
    form = forms.ConfidentialityForm()
    if request.method == "GET":
        form.version.data = _version(response)
    if request.method == "GET" and response is not None:
        if response.confidential is not None:
            form.confidential.data = "yes" if response.confidential else "no"
    if form.validate_on_submit():
        error = attempt(journey, lambda: _save_confidential(journey, form))
        if error is None:
            return redirect(journey.url("responses.check_answers"))
        _show_refusal(journey, form, form.confidential, error)
    back = journey.url(
        "responses.check_answers" if request.args.get("change") else "responses.respond"
    )
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


@bp.route(f"{PREFIX}/respond/check", methods=["GET", "POST"])
@role_required(Role.respondent)
def check_answers(reference: str):
    """Every answer with a Change link and who last changed it, the declaration and the
    Submit response button."""
    journey = load_journey(reference)
    response = journey.response()
    if response is None:
        return redirect(journey.url("responses.respond"))
    form = forms.submit_form(response.organisation.name)
    errors = []
    if form.validate_on_submit():
        try:
            errors = _submit(journey, response, form)
        except AlreadySubmitted as error:
            # Not the confirmation page: no receipt was sent now, to anyone.
            journey.session.rollback()
            flash(str(error), "info")
            return redirect(journey.url("responses.view_response"))
        if not errors:
            return redirect(journey.url("responses.confirmation"))
        response = journey.response()
    form.version.data = response.version
    return _render_check(journey, response, form, errors)


def _submit(journey: Journey, response: Response, form: forms.SubmitForm) -> list[dict]:
    """Submit and commit; a refused submission returns what to put right, storing nothing.
    One that would repeat the current revision raises AlreadySubmitted."""
    try:
        service.submit(
            journey.session,
            response,
            expected_version=form.expected_version(),
            user=journey.user,
            now=journey.now,
            declared=bool(form.declaration.data),
        )
    except IncompleteResponse as error:
        journey.session.rollback()
        return _missing_errors(journey, error.missing, error.changed)
    except StaleResponse as error:
        journey.session.rollback()
        return [{"text": str(error), "href": "#submit"}]
    journey.session.commit()
    return []


def _render_check(journey: Journey, response: Response, form, errors: list[dict]) -> str:
    people = tasks.editors(journey.session, response)
    errors = errors + [
        {"text": message, "href": f"#{name}"}
        for name, messages in form.errors.items()
        for message in messages
    ]
    return render_template(
        "responses/check.html",
        journey=journey,
        response=response,
        answers={a.question_id: a for a in response.answers},
        groups=tasks.groups(journey.consultation),
        last_edit=lambda answer: tasks.last_edit(answer, people, journey.user.id),
        last_saved_by=_last_saved_by(journey, response, people),
        form=form,
        errors=errors,
        has_errors=bool(errors),
        late_until=journey.late_until(),
        submitted=service.unchanged_since_submitted(journey.session, response),
    )


def _last_saved_by(journey: Journey, response: Response | None, people: dict) -> str | None:
    """Who last saved the response, as the signed-in respondent reads it, if anyone did."""
    if response is None or response.updated_by_id is None:
        return None
    return tasks.who(response.updated_by_id, people, journey.user.id)


def _missing_errors(journey: Journey, missing: list[str], changed: list[str]) -> list[dict]:
    """One error per missing answer, or answer to a question changed since, each linking
    to the page where it is given."""
    errors = []
    for number, question in enumerate(journey.consultation.questions, start=1):
        label = question_label(number)
        if question.key in changed:
            text = f"{label} has changed since it was answered: check the answer"
        elif question.key in missing:
            text = f"Answer {label.lower()}: {question.text}"
        else:
            continue
        href = journey.url("responses.question", key=question.key, change=1)
        errors.append({"text": text, "href": href})
    if "confidential" in missing:
        href = journey.url("responses.confidentiality", change=1)
        errors.append({"text": "Say whether your response is confidential", "href": href})
    return errors


@bp.get(f"{PREFIX}/respond/confirmation")
@role_required(Role.respondent)
def confirmation(reference: str):
    """The confirmation panel with the receipt reference."""
    journey = load_journey(reference, accepting=False)
    response = service.submitted_response(
        journey.session, journey.consultation, journey.user.organisation_id
    )
    if response is None or response.status is not ResponseStatus.submitted:
        return redirect(journey.url("responses.respond"))
    return render_template(
        "responses/confirmation.html",
        journey=journey,
        response=response,
        revision=response.current_revision,
        mine=url_for("responses.mine"),
        late_until=journey.late_until(),
    )


# The other pages of the journey register their routes on ``bp`` when imported.
from consult.responses import (  # noqa: E402, F401
    views_after,
    views_attachments,
    views_mine,
)
