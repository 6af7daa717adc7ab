"""Sign in and sign out."""

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from consult.auth.forms import LoginForm
from consult.auth.service import authenticate
from consult.db import get_session
from consult.models import Role

bp = Blueprint("auth", __name__, url_prefix="/auth")

SESSION_EPOCH_KEY = "epoch"

HOME_BY_ROLE = {
    Role.respondent: "consultations.index",
    Role.secas: "admin.consultations",
    Role.panel: "consultations.index",
}


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(get_session(), form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at sign-in: no fixation
            login_user(user)
            # The user loader ends this session once the user's epoch moves on.
            session[SESSION_EPOCH_KEY] = user.session_epoch or 0
            return redirect(
                _safe_next(request.args.get("next")) or url_for(HOME_BY_ROLE[user.role])
            )
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    return redirect(url_for("consultations.index"))


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
