"""The Panel's summary page and downloads."""

from flask import Blueprint

bp = Blueprint("summaries", __name__, url_prefix="/panel")
