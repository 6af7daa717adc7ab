"""After submitting: the response as submitted with its revision history, withdrawing it,
and a PDF or DOCX copy of it."""

from flask import current_app, flash, redirect, render_template
from werkzeug.wrappers import Response as HttpResponse

from consult.auth.guards import role_required
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
    return render_template(
        "responses/response.html",
        journey=journey,
        response=response,
        revision=response.current_revision,
        answers={a.question_id: a for a in response.current_revision.answers},
        can_change=response.status is ResponseStatus.submitted and accepting(journey),
        late_until=journey.late_until(),
    )


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
