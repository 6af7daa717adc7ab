"""Supporting documents: the upload page with the list of attached files, removing one,
and downloading one of one's own organisation's attachments."""

from pathlib import Path

from flask import current_app, flash, redirect, render_template
from werkzeug.wrappers import Response as HttpResponse

from consult import files
from consult.auth.guards import role_required
from consult.errors import InvalidInput, NotFound, StaleResponse
from consult.models import Role
from consult.responses import attachments, forms, service
from consult.responses.journey import PREFIX, Journey, bp, load_journey


@bp.route(f"{PREFIX}/respond/attachments", methods=["GET", "POST"])
@role_required(Role.respondent)
def attachments_page(reference: str):
    """Upload a supporting document; list those attached, each with Remove."""
    journey = load_journey(reference)
    response = journey.response()
    form = forms.AttachmentForm()
    if form.validate_on_submit():
        error = _upload(journey, form)
        if error is None:
            flash(f"{form.upload.data.filename or 'Your file'} has been attached.", "success")
            return redirect(journey.url("responses.attachments_page"))
        form.upload.errors = [*form.upload.errors, error]
        response = journey.response()
    return render_template(
        "responses/attachments.html",
        journey=journey,
        response=response,
        files=response.attachments if response else [],
        form=form,
        max_size=current_app.config["MAX_UPLOAD_BYTES"],
    )


def _upload(journey: Journey, form: forms.AttachmentForm) -> str | None:
    """Attach the file and commit; a refused file returns why, storing nothing."""
    upload = form.upload.data
    try:
        response = service.start_response(
            journey.session, journey.consultation, journey.user, journey.now
        )
        attachments.add(
            journey.session,
            response,
            upload.stream,
            upload.filename or "",
            root=Path(current_app.config["UPLOAD_FOLDER"]),
            max_bytes=int(current_app.config["MAX_UPLOAD_BYTES"]),
            user=journey.user,
            now=journey.now,
        )
    except (InvalidInput, StaleResponse) as error:
        journey.session.rollback()
        return str(error)
    journey.session.commit()
    return None


@bp.post(f"{PREFIX}/respond/attachments/<int:attachment_id>/remove")
@role_required(Role.respondent)
def remove_attachment(reference: str, attachment_id: int) -> HttpResponse:
    """Remove one attached file."""
    journey = load_journey(reference)
    response = journey.response()
    if response is None:
        raise NotFound("No response")
    try:
        removed = attachments.remove(
            journey.session, response, attachment_id, user=journey.user, now=journey.now
        )
    except StaleResponse as error:
        journey.session.rollback()
        flash(str(error), "error")
    else:
        journey.session.commit()
        flash(f"{removed.filename} has been removed.", "success")
    return redirect(journey.url("responses.attachments_page"))


@bp.get(f"{PREFIX}/respond/attachments/<int:attachment_id>")
@role_required(Role.respondent)
def attachment(reference: str, attachment_id: int) -> HttpResponse:
    """Download one of the organisation's own attachments, in the working copy or in a
    revision (anyone else's is not found)."""
    journey = load_journey(reference, accepting=False)
    response = service.find_response(
        journey.session, journey.consultation, journey.user.organisation_id
    )
    if response is None:
        raise NotFound("No response")
    found = attachments.find_kept(response, attachment_id)
    return files.send_stored(
        attachments.AREA,
        found.sha256,
        content_type=found.content_type,
        download_name=found.filename,
    )
