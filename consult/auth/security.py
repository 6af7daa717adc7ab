"""Sign-in security wired into the app: rate limits, session lifetimes, required two-factor.

``init_app`` runs when the auth blueprint is registered, so every app built by
``create_app`` gets its own limiter and storage (tests never share counts).
"""

import math
import time

from flask import (
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from consult.auth.service import normalise_email
from consult.models import User

SESSION_EPOCH_KEY = "epoch"
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# Write the last-seen time back at most this often, so most responses set no cookie.
_SEEN_RESOLUTION_SECONDS = 30

# Requests that run whatever became of the session: signing out must still end every
# session of the user's.
_THROUGH_ANY_SESSION = {"static", "auth.logout"}
ENDED_ELSEWHERE = (
    "You were signed out: your password was changed, you signed out on another device, or "
    "your account was changed"
)
# What a respondent types on a question page, shown back if they were signed out meanwhile.
_TYPED = {"answer": "Answer", "rationale": "Rationale"}

# Pages a user who must set up two-factor sign-in can still reach.
_OPEN_WHILE_SETTING_UP = {"account.two_factor", "auth.logout", "static", "healthz", "readyz"}


def init_app(app: Flask) -> None:
    """Bind the limiter, the 429 page, proxy headers and the per-request session checks."""
    if app.config["TRUSTED_PROXY_COUNT"]:
        hops = int(app.config["TRUSTED_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if app.config["FORCE_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
    limiter_for(app)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    app.before_request(_end_old_sessions)
    app.before_request(_require_two_factor)


def limiter_for(app: Flask) -> Limiter:
    """The app's own limiter (created on first use), with its own storage."""
    limiter = app.extensions.get("consult.limiter")
    if limiter is None:
        limiter = Limiter(
            get_remote_address,
            storage_uri=app.config["RATELIMIT_STORAGE_URI"],
            headers_enabled=True,
            key_prefix="consult",
        )
        limiter.init_app(app)
        app.extensions["consult.limiter"] = limiter
    return limiter


def limit_sign_in(app: Flask, endpoint: str) -> None:
    """Limit failed attempts per client address and per e-mail address.

    Only failures count (a success redirects), so people who sign in are never held up
    however often they do. Limits and storage come from the app's config.
    """
    _limit(app, endpoint, "RATELIMIT_SIGN_IN_PER_IP", None, _failed)
    _limit(app, endpoint, "RATELIMIT_SIGN_IN_PER_EMAIL", _email_key, _failed)


def limit_reset_requests(app: Flask, endpoint: str) -> None:
    """Limit requests for reset links per client address and per e-mail address."""
    _limit(app, endpoint, "RATELIMIT_RESET_PER_IP", None, None)
    _limit(app, endpoint, "RATELIMIT_RESET_PER_EMAIL", _email_key, None)


def limit_password_checks(app: Flask, endpoint: str) -> None:
    """Limit wrong current passwords per signed-in user."""
    _limit(app, endpoint, "RATELIMIT_SIGN_IN_PER_EMAIL", _user_key, _failed)


def _limit(app: Flask, endpoint: str, setting: str, key_func, deduct_when) -> None:
    limiter = limiter_for(app)
    decorate = limiter.limit(
        app.config[setting], key_func=key_func, methods=["POST"], deduct_when=deduct_when
    )
    app.view_functions[endpoint] = decorate(app.view_functions[endpoint])


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _email_key() -> str:
    """The e-mail address typed, or the one part-way through two-factor sign-in."""
    email = request.form.get("email") or session.get("pending_email") or ""
    return "email:" + normalise_email(str(email))[:254]


def _user_key() -> str:
    return f"user:{session.get('_user_id', '')}"


def _too_many_requests(error: RateLimitExceeded):
    limiter: Limiter = current_app.extensions["consult.limiter"]
    limit = limiter.current_limit
    seconds = limit.reset_at - time.time() if limit else 60
    return too_many_attempts_page(seconds, reset=request.endpoint == "account.request_reset")


def too_many_attempts_page(seconds: float, *, reset: bool = False):
    """The 429 page: what happened and how long to wait."""
    seconds = max(1, int(seconds))
    minutes = max(1, math.ceil(seconds / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    heading = "Too many requests for a reset link" if reset else "Too many attempts to sign in"
    page = render_template("auth/too_many_attempts.html", heading=heading, wait=wait, reset=reset)
    return page, 429, {"Retry-After": str(seconds)}


def start_session(user: User) -> None:
    """Sign ``user`` in with a fresh session (no fixation) that remembers when it began."""
    session.clear()
    login_user(user)
    now = int(time.time())
    # The user loader ends this session once the user's epoch moves on.
    session[SESSION_EPOCH_KEY] = user.session_epoch or 0
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def _end_old_sessions():
    """Sign out a session idle for too long, or older than the absolute limit; and tell
    someone whose form arrived after their sessions were ended elsewhere."""
    if "_user_id" not in session or request.endpoint in _THROUGH_ANY_SESSION:
        return None
    sending = request.method not in ("GET", "HEAD")
    message = _expiry_message(time.time())
    if message is None:
        if sending and request.endpoint != "auth.login" and not current_user.is_authenticated:
            # The user loader refused the session: the password was changed or reset, they
            # signed out on another device, or SECAS deactivated the account.
            session.clear()
            return _signed_out_while_sending(ENDED_ELSEWHERE)
        return None
    session.clear()
    if sending:
        return _signed_out_while_sending(message)
    flash(message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _signed_out_while_sending(message: str):
    """A form sent after its session ended: nothing is saved. Say so, show back the answer
    and rationale typed (they may be long, and the page they came from is gone), and offer
    to sign in again and return to that page."""
    typed = [
        (label, value)
        for name, label in _TYPED.items()
        for value in request.form.getlist(name)
        if value.strip()
    ]
    rule = request.url_rule
    back = request.path if rule is not None and "GET" in rule.methods else None
    return render_template(
        "auth/signed_out.html",
        message=message.rstrip("."),
        typed=typed,
        sign_in=url_for("auth.login", next=back),
    )


def _expiry_message(now: float) -> str | None:
    idle_minutes = int(current_app.config["SESSION_IDLE_MINUTES"])
    hours = int(current_app.config["SESSION_ABSOLUTE_HOURS"])
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return "You were signed out. Sign in again to continue."
    if now - signed_in_at > hours * 3600:
        return f"You were signed out because you signed in more than {hours} hours ago"
    if now - seen_at > idle_minutes * 60:
        return f"You were signed out after {idle_minutes} minutes without activity"
    if now - seen_at >= _SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = int(now)
    return None


def _require_two_factor():
    """Users of the roles that must use two-factor sign-in set it up before anything else."""
    if request.endpoint in _OPEN_WHILE_SETTING_UP or not current_user.is_authenticated:
        return None
    required = current_app.config["TWO_FACTOR_REQUIRED_ROLES"] or ()
    if current_user.role.value not in required or current_user.totp_secret:
        return None
    return redirect(url_for("account.two_factor"))
