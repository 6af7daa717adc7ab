"""The SECAS console."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/consultations")
def consultations():
    return "admin"
