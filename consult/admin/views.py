"""The SECAS console: every consultation, its lifecycle actions and the audit log."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from consult.admin import service
from consult.admin.forms import ConfirmForm, ExtendForm
from consult.auth.guards import role_required
from consult.consultations import service as lifecycle
from consult.db import get_session, utcnow
from consult.errors import InvalidInput
from consult.filters import uk_datetime
from consult.models import Consultation, ConsultationStatus, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class Action:
    """A button-only lifecycle action: what the confirmation page says and what it does."""

    heading: str
    explanation: str
    button: str
    perform: Callable
    done: str
    warning: bool = False


ACTIONS = {
    "publish": Action(
        heading="Publish {reference}?",
        explanation="Everyone will be able to see it. It opens for responses at {opens}.",
        button="Publish consultation",
        perform=lifecycle.publish,
        done="{reference} is published.",
    ),
    "close": Action(
        heading="Close {reference} now?",
        explanation="It was due to close at {closes}. Respondents will no longer be able to "
        "submit or amend their responses.",
        button="Close consultation now",
        perform=lifecycle.close_now,
        done="{reference} is closed.",
        warning=True,
    ),
}


@bp.get("/consultations")
@role_required(Role.secas)
def consultations():
    """Every consultation, drafts included, with its count of submitted responses."""
    session = get_session()
    return render_template(
        "admin/consultations.html",
        consultations=lifecycle.list_all(session),
        counts=service.submitted_counts(session),
        now=utcnow(),
    )


@bp.route("/consultations/<reference>/publish", methods=["GET", "POST"])
@role_required(Role.secas)
def publish(reference: str):
    """Confirm, then publish a draft."""
    return _confirm_and_perform(reference, "publish")


@bp.route("/consultations/<reference>/close", methods=["GET", "POST"])
@role_required(Role.secas)
def close(reference: str):
    """Confirm, then close an open consultation at once."""
    return _confirm_and_perform(reference, "close")


def _confirm_and_perform(reference: str, name: str):
    session = get_session()
    consultation = lifecycle.get_by_reference(session, reference, include_drafts=True)
    action = ACTIONS[name]
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            action.perform(session, consultation, utcnow(), current_user.id)
        except InvalidInput as problem:
            session.rollback()
            error = str(problem)
        else:
            session.commit()
            flash(action.done.format(reference=reference), "success")
            return redirect(url_for("admin.consultations"))
    return render_template(
        "admin/confirm.html",
        consultation=consultation,
        action=action,
        words=_words(consultation),
        form=form,
        error=error,
        has_errors=error is not None,
    )


def _words(consultation: Consultation) -> dict[str, str]:
    return {
        "reference": consultation.reference,
        "opens": uk_datetime(consultation.opens_at),
        "closes": uk_datetime(consultation.closes_at),
    }


@bp.route("/consultations/<reference>/extend", methods=["GET", "POST"])
@role_required(Role.secas)
def extend(reference: str):
    """Move the deadline later (reopening a closed consultation), with a public reason."""
    session = get_session()
    consultation = lifecycle.get_by_reference(session, reference, include_drafts=True)
    now = utcnow()
    was_closed = consultation.status_at(now) is ConsultationStatus.closed
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            lifecycle.extend(
                session, consultation, form.closes_at(), form.reason.data, now, current_user.id
            )
        except InvalidInput as problem:
            session.rollback()
            form.closes_date.errors.append(str(problem))
        else:
            session.commit()
            verb = "reopened" if was_closed else "extended"
            when = uk_datetime(consultation.closes_at)
            flash(f"{reference} is {verb}: it now closes at {when}.", "success")
            return redirect(url_for("admin.consultations"))
    return render_template(
        "admin/extend.html", consultation=consultation, form=form, was_closed=was_closed
    )


@bp.get("/audit")
@role_required(Role.secas)
def audit():
    """The latest audit events."""
    return render_template("admin/audit.html", events=service.latest_audit_events(get_session()))
