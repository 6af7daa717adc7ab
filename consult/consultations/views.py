"""Public list of consultations and consultation pages."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/consultations")


@bp.get("")
def index():
    return "consultations"
