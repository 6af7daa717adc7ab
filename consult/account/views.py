"""A user's own account pages."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
