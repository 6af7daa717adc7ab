"""The Panel's summary page and downloads."""

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy.orm import sessionmaker

from consult.auth.guards import role_required
from consult.db import get_session, utcnow
from consult.errors import InvalidInput
from consult.models import Role
from consult.summaries import service, writers
from consult.summaries.service import SummaryQuestion, Version

bp = Blueprint("summaries", __name__, url_prefix="/panel")

SUMMARY_PATH = "/consultations/<reference>/summary"


@bp.errorhandler(InvalidInput)
def _invalid_input(error: InvalidInput):
    heading = "Sorry, there is a problem with the address"
    return render_template("error.html", heading=heading, message=str(error), status=400), 400


@bp.get(SUMMARY_PATH)
@role_required(Role.panel, Role.secas)
def summary(reference: str):
    """The summary page, in the panel or the public version."""
    version = service.parse_version(request.args.get("version"))
    consultation = service.find_consultation(get_session(), reference, utcnow())
    data = service.summarise(get_session(), consultation, version)
    return render_template("summaries/summary.html", summary=data)


@bp.get(SUMMARY_PATH + ".csv")
@role_required(Role.panel, Role.secas)
def summary_csv(reference: str):
    """Every submitted response as a CSV row, streamed."""
    version = service.parse_version(request.args.get("version"))
    consultation = service.find_consultation(get_session(), reference, utcnow())
    questions = service.summary_questions(consultation)
    lines = _csv_stream(
        current_app.extensions["consult.sessionmaker"],
        (consultation.reference, consultation.id, questions, version),
    )
    return _download(lines, writers.CSV_MIMETYPE, consultation.reference, version, "csv")


@bp.get(SUMMARY_PATH + ".xlsx")
@role_required(Role.panel, Role.secas)
def summary_xlsx(reference: str):
    """The summary sheet and the responses sheet."""
    data = _summary_for_download(reference)
    return _download(
        writers.xlsx_bytes(data), writers.XLSX_MIMETYPE, data.reference, data.version, "xlsx"
    )


@bp.get(SUMMARY_PATH + ".docx")
@role_required(Role.panel, Role.secas)
def summary_docx(reference: str):
    """The collated-responses document."""
    data = _summary_for_download(reference)
    return _download(
        writers.docx_bytes(data), writers.DOCX_MIMETYPE, data.reference, data.version, "docx"
    )


def _summary_for_download(reference: str) -> service.Summary:
    version = service.parse_version(request.args.get("version"))
    consultation = service.find_consultation(get_session(), reference, utcnow())
    return service.summarise(get_session(), consultation, version)


def _csv_stream(
    make_session: sessionmaker, query: tuple[str, int, list[SummaryQuestion], Version]
) -> Iterator[str]:
    """The CSV lines, read with a session of their own: the response body is sent after
    the request's session has been closed."""
    reference, consultation_id, questions, version = query
    with make_session() as session:
        rows = service.iter_response_rows(session, reference, consultation_id, questions, version)
        yield from writers.csv_lines(questions, rows)


def _download(body, mimetype: str, reference: str, version: Version, extension: str) -> Response:
    filename = f"{reference}-summary-{version.value}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
