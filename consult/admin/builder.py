"""The consultation builder: consultations, sections, questions, documents, preview."""

from flask import Blueprint

bp = Blueprint("builder", __name__, url_prefix="/admin/build")
