"""A user's own account pages: e-mail preferences, changing the password, two-factor
sign-in, and setting a password from an invitation or a password-reset link."""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from consult.account import tokens
from consult.account.forms import (
    COLLEAGUES,
    NEW_CONSULTATIONS,
    REMINDERS,
    ChangePasswordForm,
    NewPasswordForm,
    PreferencesForm,
    ResetRequestForm,
    TurnOffTwoFactorForm,
    TwoFactorCodeForm,
)
from consult.admin import notifications
from consult.auth import security, twofactor
from consult.auth import service as auth_service
from consult.auth.passwords import verify_password
from consult.db import get_session, utcnow
from consult.errors import InvalidInput
from consult.models import Role

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Choose which optional e-mails to get."""
    form = PreferencesForm()
    respondent = current_user.role is Role.respondent
    if not respondent:  # only respondents have colleagues who respond
        form.emails.choices = [c for c in form.emails.choices if c.value != COLLEAGUES]
    if not form.is_submitted():
        form.emails.data = [
            key
            for key, wanted in (
                (NEW_CONSULTATIONS, current_user.notify_new_consultations),
                (REMINDERS, current_user.notify_reminders),
                (COLLEAGUES, respondent and current_user.notify_colleagues),
            )
            if wanted
        ]
    if form.validate_on_submit():
        chosen = set(form.emails.data or ())
        current_user.notify_new_consultations = NEW_CONSULTATIONS in chosen
        current_user.notify_reminders = REMINDERS in chosen
        if respondent:
            current_user.notify_colleagues = COLLEAGUES in chosen
        get_session().commit()
        flash("Your email preferences are saved.", "success")
        return redirect(url_for("account.preferences"))
    return render_template("account/preferences.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """An invited user chooses their password."""
    return _new_password(token, "invitation", "Set your password", "set")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    return _new_password(token, "password-reset", "Choose a new password", "reset")


def _new_password(token: str, purpose: tokens.Purpose, heading: str, reason: str):
    session = get_session()
    user = tokens.read_token(session, purpose, token)
    if user is None:
        return render_template("account/link_expired.html", purpose=purpose), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            auth_service.set_password(session, user, form.password.data, reason=reason)
        except InvalidInput as error:
            session.rollback()
            form.password.errors.append(str(error))
        else:
            session.commit()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("account/new_password.html", form=form, heading=heading, user=user)


@bp.route("/reset-password", methods=["GET", "POST"])
def request_reset():
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        session = get_session()
        user = auth_service.find_active_user(session, form.email.data)
        if user is not None:
            token = tokens.make_token("password-reset", user)
            link = url_for("account.reset_password", token=token, _external=True)
            notifications.queue_password_reset(session, user, link)
            session.commit()
        return render_template("account/reset_sent.html", email=form.email.data.strip())
    return render_template("account/reset_request.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the user ends, this one carries on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("Your current password is not correct")
        else:
            try:
                auth_service.set_password(db, current_user, form.password.data, reason="changed")
            except InvalidInput as error:
                db.rollback()
                form.password.errors.append(str(error))
            else:
                db.commit()
                session[security.SESSION_EPOCH_KEY] = current_user.session_epoch
                flash("Your password is changed. You are signed out everywhere else.", "success")
                return redirect(url_for("account.preferences"))
    return render_template("account/change_password.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up two-factor sign-in: scan the QR code, then confirm with a code."""
    if current_user.totp_secret:
        return render_template("account/two_factor_on.html", form=TurnOffTwoFactorForm())
    secret = session.get("totp_setup")
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session["totp_setup"] = twofactor.new_secret()
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            twofactor.turn_on(db, current_user, secret, form.code.data, utcnow())
        except InvalidInput as error:
            form.code.errors.append(str(error))
        else:
            db.commit()
            session.pop("totp_setup", None)
            flash(
                "Two-factor sign-in is on. You will need a code each time you sign in.", "success"
            )
            return redirect(url_for("account.preferences"))
    uri = twofactor.provisioning_uri(
        secret, current_user.email, current_app.config["TWO_FACTOR_ISSUER"]
    )
    return render_template(
        "account/two_factor_setup.html",
        form=form,
        qr_code=twofactor.qr_code_data_uri(uri),
        secret=twofactor.grouped(secret),
        required=_two_factor_required(),
    )


@bp.post("/two-factor/turn-off")
@login_required
def turn_off_two_factor():
    """Turn two-factor sign-in off, unless the user's role must use it."""
    if _two_factor_required():
        flash("Your role must use two-factor sign-in, so it cannot be turned off.", "info")
        return redirect(url_for("account.two_factor"))
    form = TurnOffTwoFactorForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            twofactor.turn_off(db, current_user, form.code.data, utcnow())
        except InvalidInput as error:
            form.code.errors.append(str(error))
        else:
            db.commit()
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("account.preferences"))
    return render_template("account/two_factor_on.html", form=form)


def _two_factor_required() -> bool:
    required = current_app.config["TWO_FACTOR_REQUIRED_ROLES"] or ()
    return current_user.role.value in required


@bp.record_once
def _limit(state) -> None:
    """Runs once the routes above are on the app: limit guessing and e-mail floods."""
    security.limit_reset_requests(state.app, "account.request_reset")
    security.limit_password_checks(state.app, "account.change_password")
