"""Public list of consultations, consultation pages and their documents."""

from pathlib import Path

from flask import Blueprint, current_app, render_template, request, send_from_directory, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HttpResponse

from consult import files, page_cache
from consult.admin.notifications import site_url
from consult.consultations import questions_form, service
from consult.db import get_session, reads_one_snapshot, utcnow
from consult.errors import InvalidInput, NotFound
from consult.models import Consultation, ConsultationStatus, Response, ResponseStatus, Role
from consult.responses.service import late_allowance
from consult.responses.tasks import groups
from consult.summaries import answers as summary_answers
from consult.summaries import publishing
from consult.summaries.chart import bar_chart

bp = Blueprint("consultations", __name__, url_prefix="/consultations")

# The statuses a visitor can filter by, in the order the filter links show them.
PUBLIC_STATUSES = (ConsultationStatus.open, ConsultationStatus.upcoming, ConsultationStatus.closed)

DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    files.DOCX: "Word document",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "text/csv": "CSV",
    "text/plain": "Plain text",
}


@bp.app_template_filter("document_type")
def document_type(content_type: str) -> str:
    """A reader's name for a file's type, e.g. 'PDF'."""
    return DOCUMENT_TYPES.get(content_type, "File")


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A file's size as GOV.UK writes it: '41 bytes', '12 KB', '1.2 MB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@bp.get("")
@page_cache.for_visitors("status")
def index():
    """The published consultations, optionally one status only."""
    raw_status = request.args.get("status", "")
    status = _public_status(raw_status)
    if raw_status and status is None:
        message = "Choose open, upcoming or closed consultations from the list."
        heading = "There are no consultations with that status"
        return render_template("error.html", heading=heading, message=message, status=400), 400
    now = utcnow()
    consultations = service.list_published(get_session(), now, status)
    return render_template(
        "consultations/index.html",
        consultations=consultations,
        status=status,
        statuses=PUBLIC_STATUSES,
        now=now,
    )


def _public_status(value: str) -> ConsultationStatus | None:
    return next((s for s in PUBLIC_STATUSES if s.value == value), None)


@bp.get("/<reference>")
@page_cache.for_visitors()
@reads_one_snapshot
def show(reference: str):
    """One consultation: its summary, dates, deadline changes and documents, and what
    respondents said once SECAS has published it."""
    # Its questions load only if what respondents said is published and shown.
    consultation = _find(reference, parts=("documents", "deadline_changes"))
    now = utcnow()
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        status=consultation.status_at(now),
        own_response=_own_response_status(consultation),
        late_allowance=_late_allowance(consultation, now),
        **_what_respondents_said(consultation, now),
    )


@bp.get("/<reference>/questions")
@page_cache.for_visitors()
def questions(reference: str):
    """Every question, to read before responding (or to draft answers with colleagues)."""
    consultation = _find(reference, parts=service.QUESTIONS)
    return render_template(
        "consultations/questions.html",
        consultation=consultation,
        status=consultation.status_at(utcnow()),
        groups=groups(consultation),
        how_to_answer=questions_form.how_to_answer,
    )


@bp.get("/<reference>/questions.docx")
def questions_docx(reference: str) -> HttpResponse:
    """The questions as a Word document, named after the consultation."""
    consultation = _find(reference, parts=service.QUESTIONS)
    # The site's public address, as e-mails give it, not the one this request came in by.
    respond = site_url(url_for("responses.respond", reference=consultation.reference))
    return HttpResponse(
        questions_form.as_docx(consultation, respond, utcnow()),
        mimetype=files.DOCX,
        headers={
            "Content-Disposition": f'attachment; filename="{consultation.reference}-questions.docx"'
        },
    )


def _what_respondents_said(consultation: Consultation, now) -> dict:
    """The published public summary's figures, charts and first answers (or nothing)."""
    published = publishing.public_summary(get_session(), consultation, now)
    if published is None:
        return {"published": None}
    return {
        "published": published,
        "charts": {q.id: bar_chart(published.tally(q)) for q in published.questions if q.is_choice},
        "previews": summary_answers.previews(get_session(), published),
        "preview_size": summary_answers.PREVIEW_SIZE,
        "preview_text_limit": summary_answers.PREVIEW_TEXT_LIMIT,
    }


@bp.get("/<reference>/what-respondents-said/<key>")
@page_cache.for_visitors()  # the first page, unfiltered: filters and searches are many
@reads_one_snapshot
def what_respondents_said(reference: str, key: str):
    """Every answer to one question in the published public summary, filtered and paged."""
    consultation = _find(reference)
    published = publishing.public_summary(get_session(), consultation, utcnow())
    if published is None:
        raise NotFound(f"What respondents said to {reference} is not published")
    question = published.question(key)
    try:
        chosen = summary_answers.parse_filter(question, request.args)
        found = summary_answers.answers_page(get_session(), published, question, chosen)
    except InvalidInput as error:
        heading = "Sorry, there is a problem with the address"
        return render_template("error.html", heading=heading, message=str(error), status=400), 400
    return render_template(
        "summaries/answers.html",
        summary=published,
        found=found,
        endpoint="consultations.what_respondents_said",
    )


@bp.get("/<reference>/documents/<int:document_id>")
def document(reference: str, document_id: int):
    """Download one of the consultation's documents."""
    consultation = _find(reference)
    found = next((d for d in consultation.documents if d.id == document_id), None)
    if found is None:
        raise NotFound(f"No document {document_id} in {reference}")
    # Files are stored by content hash; send_from_directory turns a missing file into a 404.
    return send_from_directory(
        Path(current_app.config["UPLOAD_FOLDER"]) / "documents",
        found.sha256,
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
    )


def _find(reference: str, parts: tuple[str, ...] = service.EVERYTHING) -> Consultation:
    """The consultation with its ``parts`` loaded; drafts exist only for SECAS, who may
    preview them."""
    is_secas = current_user.is_authenticated and current_user.role is Role.secas
    return service.get_by_reference(get_session(), reference, include_drafts=is_secas, parts=parts)


def _late_allowance(consultation: Consultation, now):
    """The signed-in respondent's organisation's late allowance in force, if any."""
    if not current_user.is_authenticated or current_user.role is not Role.respondent:
        return None
    return late_allowance(get_session(), consultation, current_user.organisation_id, now)


def _own_response_status(consultation: Consultation) -> str | None:
    """'submitted' or 'withdrawn' for the signed-in respondent's organisation's response,
    which then has no Respond button; None when it has none or only a draft."""
    if not current_user.is_authenticated or current_user.role is not Role.respondent:
        return None
    status = get_session().scalar(
        select(Response.status).where(
            Response.consultation_id == consultation.id,
            Response.organisation_id == current_user.organisation_id,
        )
    )
    if status is None or status is ResponseStatus.draft:
        return None
    return status.value
