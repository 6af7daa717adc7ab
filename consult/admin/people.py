"""Organisations, users, oversight of responses, the outbox and the audit log."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/admin")
