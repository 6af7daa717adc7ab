"""After submitting: the response as submitted with its revision history, withdrawing it
(and starting it again), and a PDF or DOCX copy of it."""

from flask import current_app, flash, redirect, render_template
from werkzeug.wrappers import Response as HttpResponse

from consult.auth.guards import role_required
from consult.filters import uk_datetime
from consult.models import Response, ResponseStatus, Role
from consult.responses import copies, forms, service
from consult.responses.journey import PREFIX, Journey, accepting, attempt, bp, load_journey

COPY_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _submitted(journey: Journey) -> Response | None:
    return service.submitted_response(
        journey.session, journey.consultation, journey.user.organisation_id
    )


@bp.get(f"{PREFIX}/response")
@role_required(Role.respondent)
def view_response(reference: str):
    """The organisation's response as submitted (its current revision), with its history."""
    journey = load_journey(reference, accepting=False)
    response = _submitted(journey)
    if response is None:
        draft = service.find_response(
            journey.session, journey.consultation, journey.user.organisation_id
        )
        return render_template(
            "responses/no_response.html", journey=journey, draft=draft, open=accepting(journey)
        )
    return _response_page(journey, response)


def _response_page(journey: Journey, response: Response, errors: list[dict] | None = None) -> str:
    form = forms.ResponsePageForm()
    form.version.data = response.version
    return render_template(
        "responses/response.html",
        journey=journey,
        response=response,
        revision=response.current_revision,
        answers={a.question_id: a for a in response.current_revision.answers},
        accepting=accepting(journey),
        late_until=journey.late_until(),
        form=form,
        errors=errors or [],
        has_errors=bool(errors),
    )


@bp.post(f"{PREFIX}/response/respond-again")
@role_required(Role.respondent)
def respond_again(reference: str):
    """Make the withdrawn response a draft again, to change and submit before the deadline."""
    journey = load_journey(reference)
    response = service.find_response(
        journey.session, journey.consultation, journey.user.organisation_id
    )
    if response is None or response.status is not ResponseStatus.withdrawn:
        # A page from before a colleague started it again (or submitted it since).
        flash(
            "Your organisation’s response is no longer withdrawn: here it is as it is now.", "info"
        )
        return redirect(journey.url("responses.view_response"))
    form = forms.ResponsePageForm()  # its CSRF token was checked before the view ran
    error = attempt(
        journey,
        lambda: service.respond_again(
            journey.session,
            response,
            expected_version=form.expected_version(),
            user=journey.user,
            now=journey.now,
        ),
    )
    if error is not None:
        response = _submitted(journey)
        # The button, if it is still there; else the status, which says what happened.
        still = response.status is ResponseStatus.withdrawn
        where = "#respond-again" if still else "#response-details"
        return _response_page(journey, response, [{"text": error, "href": where}])
    deadline = uk_datetime(journey.late_until() or journey.consultation.closes_at)
    flash(
        "Your organisation’s response is a draft again. It is not counted until it is "
        f"submitted: change what you need to, then check and submit it by {deadline}.",
        "success",
    )
    return redirect(journey.url("responses.respond"))


@bp.route(f"{PREFIX}/response/withdraw", methods=["GET", "POST"])
@role_required(Role.respondent)
def withdraw(reference: str):
    """Confirm, then withdraw the submitted response."""
    journey = load_journey(reference)
    response = journey.response()
    if response is None or response.status is not ResponseStatus.submitted:
        return redirect(journey.url("responses.view_response"))
    form = forms.ResponsePageForm()
    errors = []
    if form.validate_on_submit():
        error = attempt(journey, lambda: _withdraw(journey, response, form))
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
        late_until=journey.late_until(),
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


@bp.get(f"{PREFIX}/response/copy.<any(pdf, docx):file_type>")
@role_required(Role.respondent)
def response_copy(reference: str, file_type: str) -> HttpResponse:
    """A PDF or DOCX copy of the organisation's response as last submitted."""
    journey = load_journey(reference, accepting=False)
    response = _submitted(journey)
    if response is None:
        return redirect(journey.url("responses.view_response"))
    content = copies.outline(response, response.current_revision)
    try:
        if file_type == "pdf":
            body = copies.as_pdf(content, current_app.config["PDF_FONT"])
        else:
            body = copies.as_docx(content)
    except copies.CopyUnavailable as error:
        heading = "Sorry, we cannot make a PDF copy at the moment"
        return render_template("error.html", heading=heading, message=str(error), status=503), 503
    name = f"{response.receipt}-revision-{response.current_revision.number}.{file_type}"
    return HttpResponse(
        body,
        mimetype=COPY_TYPES[file_type],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
