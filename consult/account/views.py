"""A user's own account pages: e-mail preferences, and setting a password from an
invitation or a password-reset link."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from consult.account import tokens
from consult.account.forms import (
    NEW_CONSULTATIONS,
    REMINDERS,
    NewPasswordForm,
    PreferencesForm,
    ResetRequestForm,
)
from consult.admin import notifications
from consult.auth import service as auth_service
from consult.db import get_session

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Choose which optional e-mails to get."""
    form = PreferencesForm()
    if not form.is_submitted():
        form.emails.data = [
            key
            for key, wanted in (
                (NEW_CONSULTATIONS, current_user.notify_new_consultations),
                (REMINDERS, current_user.notify_reminders),
            )
            if wanted
        ]
    if form.validate_on_submit():
        chosen = set(form.emails.data or ())
        current_user.notify_new_consultations = NEW_CONSULTATIONS in chosen
        current_user.notify_reminders = REMINDERS in chosen
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
        auth_service.set_password(session, user, form.password.data, reason=reason)
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
