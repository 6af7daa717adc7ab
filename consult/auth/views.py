"""Sign in (password, then a two-factor code when the user has turned it on) and sign out."""

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from consult.auth import security, twofactor
from consult.auth.forms import CodeForm, LoginForm
from consult.auth.service import check_sign_in, end_sessions, record_failure, record_success
from consult.db import get_session, utcnow
from consult.errors import AccountLocked, BadCredentials
from consult.models import Role, User

bp = Blueprint("auth", __name__, url_prefix="/auth")

SESSION_EPOCH_KEY = security.SESSION_EPOCH_KEY
# How long the two-factor step may take after the password was accepted.
PENDING_SECONDS = 300

HOME_BY_ROLE = {
    Role.respondent: "consultations.index",
    Role.secas: "admin.consultations",
    Role.panel: "consultations.index",
}


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    db = get_session()
    try:
        user = check_sign_in(db, form.email.data, form.password.data, now=utcnow(), **_lockout())
    except BadCredentials as error:
        db.commit()  # keep the count of failures
        form.email.errors.append(str(error))
        return render_template("auth/login.html", form=form)
    except AccountLocked as error:
        db.commit()
        return security.too_many_attempts_page((error.until - utcnow()).total_seconds())
    next_page = _safe_next(request.args.get("next"))
    if user.totp_secret:
        session.clear()  # nothing of an earlier session survives into the next step
        session.update(pending_user=user.id, pending_email=user.email, pending_at=time.time())
        session["pending_next"] = next_page
        db.commit()
        return redirect(url_for("auth.two_factor"))
    return _complete(db, user, next_page)


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor():
    """The second step: a code from the user's authenticator app."""
    db = get_session()
    user = _pending_user(db)
    if user is None:
        if _drop_pending():
            flash("Sign in again: the code was not entered within 5 minutes.", "info")
            return redirect(url_for("auth.login"))
        return redirect(url_for("consultations.index"))  # no sign-in under way
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/two_factor.html", form=form)
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        session.clear()
        return security.too_many_attempts_page((user.locked_until - now).total_seconds())
    if not twofactor.check_code(user, form.code.data, now):
        record_failure(db, user, now=now, **_lockout())
        db.commit()
        form.code.errors.append(twofactor.BAD_CODE)
        return render_template("auth/two_factor.html", form=form)
    return _complete(db, user, session.get("pending_next"))


@bp.post("/logout")
def logout():
    """Sign out, and end every session of this user's: the session lives in a signed
    cookie, so only moving the user's epoch on stops a copy of it working afterwards."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        end_sessions(user)
        get_session().commit()
        logout_user()
    session.clear()
    return redirect(url_for("consultations.index"))


def _complete(db, user: User, next_page: str | None):
    record_success(user)
    db.commit()
    security.start_session(user)
    return redirect(_safe_next(next_page) or url_for(HOME_BY_ROLE[user.role]))


def _pending_user(db) -> User | None:
    """The user whose password was accepted moments ago in this session, if any."""
    user_id, started = session.get("pending_user"), session.get("pending_at")
    if not isinstance(user_id, int) or not isinstance(started, int | float):
        return None
    if time.time() - started > PENDING_SECONDS:
        return None
    user = db.get(User, user_id)
    if user is None or not user.active or not user.totp_secret:
        return None
    return user


def _drop_pending() -> bool:
    """Forget a half-finished sign-in; whether there was one."""
    keys = ("pending_user", "pending_email", "pending_at", "pending_next")
    popped = [session.pop(key, None) for key in keys]
    return any(value is not None for value in popped)


def _lockout() -> dict:
    config = current_app.config
    return {
        "attempts": int(config["SIGN_IN_LOCKOUT_ATTEMPTS"]),
        "minutes": int(config["SIGN_IN_LOCKOUT_MINUTES"]),
    }


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:  # browsers read a backslash as a slash: "/\\host" is another site
        return None
    return target


@bp.record_once
def _secure(state) -> None:
    """Runs once the routes above are on the app: wire in sign-in security."""
    security.init_app(state.app)
    security.limit_sign_in(state.app, "auth.login")
    security.limit_sign_in(state.app, "auth.two_factor")
