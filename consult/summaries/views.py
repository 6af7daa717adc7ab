"""The Panel's summary page and downloads."""

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, render_template, request

from consult.auth.guards import role_required
from consult.db import get_session, utcnow
from consult.errors import InvalidInput
from consult.models import Consultation, Role
from consult.summaries import service, writers
from consult.summaries.service import Version

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
    return render_template("summaries/summary.html", summary=_summary(reference))


@bp.get(SUMMARY_PATH + ".csv")
@role_required(Role.panel, Role.secas)
def summary_csv(reference: str):
    """Every submitted response as a CSV row, streamed."""
    version = service.parse_version(request.args.get("version"))
    consultation = service.find_consultation(get_session(), reference, utcnow())
    lines = _csv_stream(consultation, version)
    return _download(lines, writers.CSV_MIMETYPE, consultation.reference, version, "csv")


@bp.get(SUMMARY_PATH + ".xlsx")
@role_required(Role.panel, Role.secas)
def summary_xlsx(reference: str):
    """The summary sheet and the responses sheet."""
    data = _summary(reference)
    return _download(
        writers.xlsx_bytes(data), writers.XLSX_MIMETYPE, data.reference, data.version, "xlsx"
    )


@bp.get(SUMMARY_PATH + ".docx")
@role_required(Role.panel, Role.secas)
def summary_docx(reference: str):
    """The collated-responses document."""
    data = _summary(reference)
    return _download(
        writers.docx_bytes(data), writers.DOCX_MIMETYPE, data.reference, data.version, "docx"
    )


def _summary(reference: str) -> service.Summary:
    """The summary of the version the address asks for."""
    version = service.parse_version(request.args.get("version"))
    consultation = service.find_consultation(get_session(), reference, utcnow())
    return service.summarise(get_session(), consultation, version)


def _csv_stream(consultation: Consultation, version: Version) -> Iterator[str]:
    """The CSV lines, read with a session of their own: the body is sent after the
    request's session has closed."""
    make_session = current_app.extensions["consult.sessionmaker"]
    reference, consultation_id = consultation.reference, consultation.id
    questions = service.summary_questions(consultation)

    def lines() -> Iterator[str]:
        with make_session() as session:
            rows = service.iter_response_rows(
                session, reference, consultation_id, questions, version
            )
            yield from writers.csv_lines(questions, rows)

    return lines()


def _download(body, mimetype: str, reference: str, version: Version, extension: str) -> Response:
    filename = f"{reference}-summary-{version.value}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
