"""The Panel's summaries: the list, the summary page, the answers pages, the downloads,
and SECAS publishing what respondents said."""

import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from consult import files
from consult.auth.guards import role_required
from consult.db import get_session, reads_one_snapshot, snapshot_session, utcnow
from consult.errors import InvalidInput
from consult.filters import uk_date_stamp
from consult.models import Consultation, ConsultationStatus, Role, receipt_reference
from consult.responses import attachments
from consult.summaries import answers, archive, kept, publishing, service, writers
from consult.summaries.chart import bar_chart
from consult.summaries.docx_writer import write_docx
from consult.summaries.service import Version

bp = Blueprint("summaries", __name__, url_prefix="/panel")

SUMMARY_PATH = "/consultations/<reference>/summary"
RESPONDENTS_PER_PAGE = 50
# The page lists this many attached files; the zip holds them all.
ATTACHMENTS_LISTED = 50


@bp.errorhandler(InvalidInput)
def _invalid_input(error: InvalidInput):
    """A bad filter, page or version in the address: say what, and the way back."""
    heading = "Sorry, there is a problem with the address"
    return render_template(
        "error.html", heading=heading, message=str(error), status=400, way_back=_way_back()
    ), 400


def _way_back() -> tuple[str, str] | None:
    """The page asked for without the options in its address (every answer to the
    question, or the summary), in the public version if that was asked for."""
    arguments = request.view_args or {}
    if "reference" not in arguments:
        return None
    public = request.args.get("version") == Version.public.value
    kept_version = {"version": Version.public.value} if public else {}
    if request.endpoint == "summaries.answers_page":
        href = url_for("summaries.answers_page", **arguments, **kept_version)
        return href, "Go to every answer to this question"
    href = url_for("summaries.summary", reference=arguments["reference"], **kept_version)
    return href, "Go to the summary"


@bp.get("/consultations")
@role_required(Role.panel, Role.secas)
def index():
    """Every consultation that has opened, with a link to its summary."""
    entries = service.opened_consultations(get_session(), utcnow())
    return render_template("summaries/index.html", entries=entries)


@bp.get(SUMMARY_PATH)
@reads_one_snapshot
@role_required(Role.panel, Role.secas)
def summary(reference: str):
    """The summary page, in the panel or the public version."""
    version = service.parse_version(request.args.get("version"))
    session, now = get_session(), utcnow()
    # Its questions and closing-time changes load only if the page has to be rendered.
    consultation, counts = kept.find(session, reference)
    service.ensure_opened(consultation, now)
    page = answers.parse_page(request.args.get("page"))
    closed = consultation.status_at(now) is ConsultationStatus.closed
    key = kept.fingerprint(consultation, counts, version, page, closed)
    body = kept.rendered(key, lambda: _summary_body(consultation, version, page, now))
    around = kept.layout(
        key,
        lambda **token: render_template(
            "summaries/summary.html",
            consultation=consultation,
            public=version is Version.public,
            closed=closed,
            body=Markup(kept.MARKER),
            **token,
        ),
    )
    return Response(kept.spliced(around, body), mimetype="text/html")


def _summary_body(consultation: Consultation, version: Version, page: int, now: datetime) -> str:
    session = get_session()
    data = service.summarise(session, consultation, version, now)
    answers.check_page_exists(page, data.total, RESPONDENTS_PER_PAGE, "respondents")
    return render_template(
        "summaries/_summary_body.html",
        summary=data,
        charts={q.id: bar_chart(data.tally(q)) for q in data.questions if q.is_choice},
        previews=answers.previews(session, data),
        preview_size=answers.PREVIEW_SIZE,
        preview_text_limit=answers.PREVIEW_TEXT_LIMIT,
        respondents=service.respondents_page(session, data, page, RESPONDENTS_PER_PAGE),
        page=page,
        per_page=RESPONDENTS_PER_PAGE,
        pages=max(1, -(-data.total // RESPONDENTS_PER_PAGE)),
        attachments=archive.attachment_count(session, data),
        attached=archive.first_attachments(session, data, ATTACHMENTS_LISTED),
    )


@bp.get(SUMMARY_PATH + "/questions/<key>")
@reads_one_snapshot
@role_required(Role.panel, Role.secas)
def answers_page(reference: str, key: str):
    """Every answer to one question, filtered, searched and a page at a time."""
    data = _summary(reference)
    question = data.question(key)
    chosen = answers.parse_filter(question, request.args)
    found = answers.answers_page(get_session(), data, question, chosen)
    return render_template(
        "summaries/answers.html", summary=data, found=found, endpoint="summaries.answers_page"
    )


@bp.get(SUMMARY_PATH + "/responses/<int:receipt_number>")
@reads_one_snapshot
@role_required(Role.panel, Role.secas)
def response(reference: str, receipt_number: int):
    """One respondent's whole response, as last submitted, read as they wrote it."""
    version = service.parse_version(request.args.get("version"))
    session = get_session()
    consultation = service.find_consultation(session, reference, utcnow(), ("questions",))
    questions = service.summary_questions(consultation)
    found = service.one_response(session, consultation, questions, version, receipt_number)
    attached = archive.of_response(session, consultation, version, found.row.respondent.response_id)
    return render_template(
        "summaries/response.html",
        consultation=consultation,
        questions=questions,
        found=found,
        attached=attached,
        public=version is Version.public,
        receipt_reference=receipt_reference,
    )


@bp.get(SUMMARY_PATH + ".csv")
@reads_one_snapshot
@role_required(Role.panel, Role.secas)
def summary_csv(reference: str):
    """Every submitted response as a CSV row, streamed."""
    version = service.parse_version(request.args.get("version"))
    consultation = service.find_consultation(get_session(), reference, utcnow(), ("questions",))
    lines = _csv_stream(consultation, version)
    response = Response(lines, mimetype=writers.CSV_MIMETYPE)
    return _as_download(response, _filename(consultation.reference, "summary", version, "csv"))


@bp.get(SUMMARY_PATH + ".xlsx")
@reads_one_snapshot
@role_required(Role.panel, Role.secas)
def summary_xlsx(reference: str):
    """The summary sheet with charts, the responses sheet, a sheet per text question."""
    data = _summary(reference)
    rows = _rows(data)
    return _send_written(
        lambda out: writers.write_xlsx(out, data, rows),
        writers.XLSX_MIMETYPE,
        _filename(data.reference, "summary", data.version, "xlsx"),
    )


@bp.get(SUMMARY_PATH + ".docx")
@reads_one_snapshot
@role_required(Role.panel, Role.secas)
def summary_docx(reference: str):
    """The collated-responses document."""
    data = _summary(reference)
    return _send_written(
        lambda out: write_docx(out, get_session(), data),
        writers.DOCX_MIMETYPE,
        _filename(data.reference, "summary", data.version, "docx"),
    )


@bp.get(SUMMARY_PATH + "/attachments.zip")
@reads_one_snapshot
@role_required(Role.panel, Role.secas)
def summary_attachments(reference: str):
    """The files respondents attached, in a zip."""
    data = _summary(reference)
    root = Path(current_app.config["UPLOAD_FOLDER"])
    return _send_written(
        lambda out: archive.write_zip(out, get_session(), data, root),
        writers.ZIP_MIMETYPE,
        _filename(data.reference, "attachments", data.version, "zip"),
    )


@bp.get(SUMMARY_PATH + "/attachments/<int:attachment_id>")
@role_required(Role.panel, Role.secas)
def summary_attachment(reference: str, attachment_id: int):
    """One file a counted response was submitted with, named as the zip names it."""
    version = service.parse_version(request.args.get("version"))
    session = get_session()
    consultation = service.find_consultation(session, reference, utcnow())
    found = archive.find(session, consultation, version, attachment_id)
    return files.send_stored(
        attachments.AREA,
        found.sha256,
        content_type=found.content_type,
        download_name=found.download_name,
    )


@bp.route(SUMMARY_PATH + "/publish", methods=["GET", "POST"])
@role_required(Role.secas)
def publish(reference: str):
    """Confirm, then show what respondents said on the consultation's public page."""
    return _publishing_action(reference, publishing.publish, publishing.cannot_publish, "publish")


@bp.route(SUMMARY_PATH + "/withdraw", methods=["GET", "POST"])
@role_required(Role.secas)
def withdraw(reference: str):
    """Confirm, then take what respondents said off the consultation's public page."""
    return _publishing_action(
        reference, publishing.withdraw, publishing.cannot_withdraw, "withdraw"
    )


PUBLISHING_TEXT = {
    "publish": (
        "Publish what respondents said",
        "The consultation’s public page will show the public summary: the figures, the "
        "tallies and every answer, with confidential respondents anonymised.",
        "Published what respondents said on the consultation’s public page.",
    ),
    "withdraw": (
        "Withdraw what respondents said",
        "The consultation’s public page will no longer show the summary of responses.",
        "Withdrew what respondents said from the consultation’s public page.",
    ),
}


def _publishing_action(reference: str, action, cannot, name: str):
    """Confirm, then do ``action``; a page that cannot be acted on says why and offers no
    button (``cannot``)."""
    session, now = get_session(), utcnow()
    consultation = service.find_consultation(session, reference, now)
    heading, explanation, done = PUBLISHING_TEXT[name]
    error = None
    if request.method == "POST":
        try:
            action(session, consultation, user=current_user, now=now)
        except InvalidInput as problem:
            session.rollback()
            error = str(problem)
        else:
            session.commit()
            flash(done, "success")
            return redirect(url_for("summaries.summary", reference=consultation.reference))
    refusal = cannot(consultation, now)
    # The warnings are read only for a page that offers to publish.
    offered = name == "publish" and refusal is None
    context = {
        "heading": heading,
        "explanation": explanation,
        "error": error,
        "refusal": refusal,
        "name": name,
        "warnings": publishing.warnings(session, consultation, now) if offered else {},
    }
    return render_template(
        "summaries/confirm.html", consultation=consultation, has_errors=bool(error), **context
    ), 400 if error else 200


def _summary(reference: str) -> service.Summary:
    """The figures of the version the address asks for."""
    version = service.parse_version(request.args.get("version"))
    consultation = service.find_consultation(get_session(), reference, utcnow())
    return service.summarise(get_session(), consultation, version)


def _rows(data: service.Summary) -> Iterator[service.ResponseRow]:
    return service.iter_response_rows(
        get_session(), data.reference, data.consultation_id, data.questions, data.version
    )


def _csv_stream(consultation: Consultation, version: Version) -> Iterator[str]:
    """The CSV lines, read with a session of their own: the body is sent after the
    request's session has closed."""
    app = current_app._get_current_object()
    reference, consultation_id = consultation.reference, consultation.id
    questions = service.summary_questions(consultation)

    def lines() -> Iterator[str]:
        # The respondents and their answers are two queries: both from one snapshot.
        with snapshot_session(app) as session:
            rows = service.iter_response_rows(
                session, reference, consultation_id, questions, version
            )
            yield from writers.csv_lines(questions, rows)

    return lines()


def _filename(reference: str, what: str, version: Version, extension: str) -> str:
    """E.g. SSI-2017-summary-panel-2026-11-29.csv (the date in UK time)."""
    today = uk_date_stamp(utcnow())
    return f"{reference}-{what}-{version.value}-{today}.{extension}"


def _send_written(write, mimetype: str, filename: str) -> Response:
    """Write a download to a temporary file, then stream it from disk.

    The file is unlinked at once: it lives while the response holds it open, so nothing is
    left behind whether the download completes or not.
    """
    handle = tempfile.TemporaryFile(dir=current_app.config.get("DOWNLOAD_TMPDIR"))
    try:
        write(handle)
        handle.flush()
        size = handle.tell()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = Response(_chunks(handle), mimetype=mimetype)
    response.content_length = size
    return _as_download(response, filename)


def _chunks(handle) -> Iterator[bytes]:
    """The file a chunk at a time; closed at the end, or when the response is dropped."""
    try:
        while chunk := handle.read(256 * 1024):
            yield chunk
    finally:
        handle.close()


def _as_download(response: Response, filename: str) -> Response:
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
