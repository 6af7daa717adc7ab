"""The respondent's journey."""

from flask import Blueprint

bp = Blueprint("responses", __name__)
