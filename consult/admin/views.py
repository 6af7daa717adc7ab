"""The SECAS console: every consultation, its lifecycle actions and the audit log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from consult.admin import notifications, service
from consult.admin.forms import ConfirmForm, ExtendForm, PublishForm
from consult.auth.guards import role_required
from consult.consultations import service as lifecycle
from consult.db import get_session, utcnow
from consult.errors import InvalidInput
from consult.filters import uk_datetime
from consult.models import Consultation, ConsultationStatus, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


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


def _after_action(reference: str) -> str:
    return url_for("builder.overview", reference=reference)


@bp.route("/consultations/<reference>/publish", methods=["GET", "POST"])
@role_required(Role.secas)
def publish(reference: str):
    """Confirm when it opens (at its opening date, or now), then publish a draft."""
    session = get_session()
    consultation = lifecycle.get_by_reference(session, reference, include_drafts=True)
    form = PublishForm()
    if request.method == "GET":
        form.when.data = "scheduled"
    error = None
    if form.validate_on_submit():
        open_now = form.when.data == "now"
        try:
            lifecycle.publish(session, consultation, utcnow(), current_user.id, open_now=open_now)
        except InvalidInput as problem:
            session.rollback()
            error = str(problem)
        else:
            session.commit()
            when = "is open now" if open_now else f"opens at {uk_datetime(consultation.opens_at)}"
            flash(f"{reference} is published: it {when}.", "success")
            return redirect(_after_action(reference))
    refusal = lifecycle.cannot_publish(consultation, utcnow())
    if refusal is not None:  # nothing to press: say why
        return render_template(
            "admin/confirm.html",
            consultation=consultation,
            heading=f"{reference} cannot be published",
            explanation=refusal,
            error=error,
            has_errors=error is not None,
        )
    if error is not None:
        form.when.errors = [*form.when.errors, error]
    return render_template("admin/publish.html", consultation=consultation, form=form)


@bp.route("/consultations/<reference>/close", methods=["GET", "POST"])
@role_required(Role.secas)
def close(reference: str):
    """Confirm, then close an open consultation at once."""
    session = get_session()
    consultation = lifecycle.get_by_reference(session, reference, include_drafts=True)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            emailed = lifecycle.close_now(session, consultation, utcnow(), current_user.id)
        except InvalidInput as problem:
            session.rollback()
            error = str(problem)
        else:
            session.commit()
            told = f" {notifications.emailed(emailed, 'that it closed early')}" if emailed else ""
            flash(f"{reference} is closed.{told}", "success")
            return redirect(_after_action(reference))
    status = consultation.status_at(utcnow())
    if status is not ConsultationStatus.open:  # nothing to press: say why
        return render_template(
            "admin/confirm.html",
            consultation=consultation,
            heading=f"{reference} is not open",
            explanation=_cannot_close(consultation, status),
            error=error,
            has_errors=error is not None,
        )
    return render_template(
        "admin/confirm.html",
        consultation=consultation,
        heading=f"Close {reference} now?",
        explanation=f"It was due to close at {uk_datetime(consultation.closes_at)}. Respondents "
        "will no longer be able to submit or amend their responses. Those who plan around its "
        "deadline will be e-mailed that it closed early.",
        button="Close consultation now",
        warning=True,
        form=form,
        error=error,
        has_errors=error is not None,
    )


def _cannot_close(consultation: Consultation, status: ConsultationStatus) -> str:
    if status is ConsultationStatus.closed:
        return f"It closed at {uk_datetime(consultation.closes_at)}: there is nothing to close."
    if status is ConsultationStatus.upcoming:
        return (
            f"It opens at {uk_datetime(consultation.opens_at)}. To end it sooner, change its "
            "dates before it opens."
        )
    return "It is a draft: only a published consultation that is open can be closed."


@bp.route("/consultations/<reference>/extend", methods=["GET", "POST"])
@role_required(Role.secas)
def extend(reference: str):
    """Move the deadline later, with a public reason; a closed one is reopened."""
    return _new_deadline(reference, reopening=False)


@bp.route("/consultations/<reference>/reopen", methods=["GET", "POST"])
@role_required(Role.secas)
def reopen(reference: str):
    """Give a closed consultation a new closing date, with a public reason."""
    return _new_deadline(reference, reopening=True)


def _new_deadline(reference: str, *, reopening: bool):
    """Two steps: the form, then a confirmation showing the change, then the change.

    "Change" on the confirmation posts what was entered back, so the form shows it again."""
    session = get_session()
    consultation = lifecycle.get_by_reference(session, reference, include_drafts=True)
    now = utcnow()
    was_closed = reopening or consultation.status_at(now) is ConsultationStatus.closed
    form = ExtendForm()
    confirming = False
    if not form.change.data and form.validate_on_submit():
        perform = lifecycle.reopen if reopening else lifecycle.extend
        try:
            perform(session, consultation, form.closes_at(), form.reason.data, now, current_user.id)
        except InvalidInput as problem:
            session.rollback()
            form.closes_date.errors.append(str(problem))
        else:
            if form.confirmed.data == "yes":
                session.commit()
                verb = "reopened" if was_closed else "extended"
                when = uk_datetime(consultation.closes_at)
                flash(f"{reference} is {verb}: it now closes at {when}.", "success")
                return redirect(_after_action(reference))
            session.rollback()  # checked, not yet confirmed
            session.refresh(consultation)
            confirming = True
    return render_template(
        "admin/extend.html",
        consultation=consultation,
        form=form,
        was_closed=was_closed,
        confirming=confirming,
        new_closes_at=form.closes_at() if confirming else None,
    )
