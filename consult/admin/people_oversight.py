"""Oversight views: who has responded to a consultation, reminders, late allowances and
every response with its revisions and their files (read-only)."""

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from consult import files
from consult import organisations as organisation_service
from consult.admin import notifications, oversight
from consult.admin.forms import ConfirmForm
from consult.admin.people import bp, sentence
from consult.admin.people_forms import LateAllowanceForm, RevokeForm
from consult.auth.guards import role_required
from consult.consultations.service import get_by_reference
from consult.db import get_session, utcnow
from consult.errors import InvalidInput
from consult.filters import uk_datetime
from consult.models import Consultation, ConsultationStatus, Organisation, ResponseStatus, Role
from consult.numbers import whole_number
from consult.responses import attachments
from consult.responses.service import answer_text, find_response


@bp.get("/consultations/<reference>/responses")
@role_required(Role.secas)
def responses(reference: str):
    """Organisations by category: submitted, draft or not started."""
    session = get_session()
    consultation = get_by_reference(session, reference, include_drafts=True)
    now = utcnow()
    return render_template(
        "admin/people/responses.html",
        consultation=consultation,
        overview=oversight.overview(session, consultation),
        status=consultation.status_at(now),
        now=now,
    )


@bp.route("/consultations/<reference>/remind", methods=["GET", "POST"])
@role_required(Role.secas)
def remind(reference: str):
    """Confirm, then e-mail everyone whose organisation has not yet submitted."""
    session = get_session()
    consultation = get_by_reference(session, reference, include_drafts=True)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            count = notifications.send_reminder_now(
                session, consultation, utcnow(), current_user.id
            )
        except InvalidInput as problem:
            session.rollback()
            error = str(problem)
        else:
            session.commit()
            flash(f"Reminders are queued for {notifications.people(count)}.", "success")
            return redirect(url_for("people.responses", reference=reference))
    recipients = notifications.reminder_recipients(session, consultation)
    last = notifications.last_reminder(session, consultation)
    return render_template(
        "admin/people/confirm.html",
        form=form,
        error=error,
        has_errors=error is not None,
        consultation=consultation,
        heading=f"Send a reminder about {reference}?",
        explanation=f"{notifications.people(len(recipients))} in organisations that have not yet "
        "submitted a response will be e-mailed. "
        f"It closes at {uk_datetime(consultation.closes_at)}. "
        "People who have opted out of reminders, and organisations that withdrew their "
        "response, are left out."
        + (
            f" A reminder was last sent at {uk_datetime(last.at)}, to "
            f"{notifications.people(last.detail.get('recipients', 0))}."
            if last
            else ""
        ),
        button="Send reminder",
        cancel_url=url_for("people.responses", reference=reference),
    )


@bp.route(
    "/consultations/<reference>/organisations/<int:organisation_id>/late-allowance",
    methods=["GET", "POST"],
)
@role_required(Role.secas)
def late_allowance(reference: str, organisation_id: int):
    """Grant (or change) one organisation's late allowance."""
    session = get_session()
    consultation = get_by_reference(session, reference, include_drafts=True)
    organisation = organisation_service.get_organisation(session, organisation_id)
    existing = oversight.get_allowance(session, consultation, organisation.id)
    form = LateAllowanceForm()
    if form.validate_on_submit():
        try:
            emailed = oversight.grant_late_allowance(
                session,
                consultation,
                organisation,
                until=form.until(),
                reason=form.reason.data,
                now=utcnow(),
                actor_id=current_user.id,
            )
        except InvalidInput as problem:
            session.rollback()
            form.until_date.errors.append(sentence(problem))
        else:
            session.commit()
            flash(_granted(organisation.name, form.until(), emailed), "success")
            return redirect(url_for("people.responses", reference=reference))
    return render_template(
        "admin/people/late_allowance.html",
        form=form,
        consultation=consultation,
        organisation=organisation,
        existing=existing,
        closed=consultation.status_at(utcnow()) is ConsultationStatus.closed,
    )


def _granted(name: str, until: datetime, emailed: int) -> str:
    told = (
        notifications.emailed(emailed, "the new deadline")
        if emailed
        else f"No one at {name} is e-mailed: it has no active users who accept e-mails "
        "about deadline changes."
    )
    return f"{name} may submit late until {uk_datetime(until)}. {told}"


def _revoking(session: Session, consultation: Consultation, organisation: Organisation) -> str:
    """What revoking will do; its respondents are e-mailed only if it still gives time."""
    now = utcnow()
    allowance = oversight.get_allowance(session, consultation, organisation.id)
    if allowance is not None and not oversight.gives_time(allowance, consultation, now):
        return (
            f"{organisation.name}’s late allowance gives it no more time than anyone else: it "
            f"{'ended' if allowance.until <= now else 'ends'} at "
            f"{uk_datetime(allowance.until)}, and the consultation "
            f"{'closed' if consultation.closes_at <= now else 'closes'} at "
            f"{uk_datetime(consultation.closes_at)}. Revoking it only removes it from the list."
        )
    told = (
        " Its respondents who were told of the allowance will be e-mailed."
        if allowance is not None
        else ""
    )
    closes = uk_datetime(consultation.closes_at)
    closed = consultation.status_at(now) is ConsultationStatus.closed
    when = f"from now: it closed at {closes}" if closed else f"after it closes at {closes}"
    return (
        f"{organisation.name} will no longer be able to submit to {consultation.reference} "
        f"{when}.{told}{_left_uncounted(session, consultation, organisation) if closed else ''}"
    )


def _left_uncounted(
    session: Session, consultation: Consultation, organisation: Organisation
) -> str:
    """A warning if the organisation's response is a draft, which would then never count."""
    response = find_response(session, consultation, organisation.id)
    if response is None or response.status is not ResponseStatus.draft:
        return ""
    what = (
        "was withdrawn and started again, and has not been submitted since"
        if response.started_again
        else "is a draft that has not been submitted"
    )
    return f" Its response {what}: it will not count."


def _revoked(name: str, emailed: int) -> str:
    told = f" {notifications.emailed(emailed, 'that it is revoked')}" if emailed else ""
    return f"{name}’s late allowance is revoked.{told}"


@bp.route(
    "/consultations/<reference>/organisations/<int:organisation_id>/late-allowance/revoke",
    methods=["GET", "POST"],
)
@role_required(Role.secas)
def revoke_late_allowance(reference: str, organisation_id: int):
    """Confirm, then withdraw an organisation's late allowance."""
    session = get_session()
    consultation = get_by_reference(session, reference, include_drafts=True)
    organisation = organisation_service.get_organisation(session, organisation_id)
    form = RevokeForm()
    if oversight.get_allowance(session, consultation, organisation.id) is None:
        since = (
            ": it may have been revoked since you opened the page. Nothing was changed."
            if request.method == "POST"
            else "."
        )
        return render_template(
            "admin/people/revoke.html",
            form=form,
            consultation=consultation,
            organisation=organisation,
            missing=f"There is nothing to revoke{since}",
        )
    if form.validate_on_submit():
        try:
            emailed = oversight.revoke_late_allowance(
                session,
                consultation,
                organisation,
                reason=form.reason.data,
                now=utcnow(),
                actor_id=current_user.id,
            )
        except InvalidInput as problem:
            session.rollback()
            form.reason.errors.append(sentence(problem))
        else:
            session.commit()
            flash(_revoked(organisation.name, emailed), "success")
            return redirect(url_for("people.responses", reference=reference))
    return render_template(
        "admin/people/revoke.html",
        form=form,
        consultation=consultation,
        organisation=organisation,
        explanation=_revoking(session, consultation, organisation),
    )


@bp.get("/consultations/<reference>/responses/<int:response_id>")
@role_required(Role.secas)
def response(reference: str, response_id: int):
    """One response, read-only: a chosen revision (default the current one) or the draft."""
    session = get_session()
    consultation = get_by_reference(session, reference, include_drafts=True)
    found = oversight.get_response(session, consultation, response_id)
    revision = oversight.pick_revision(found, request.args.get("revision", type=whole_number))
    answers = (
        oversight.revision_answers(session, revision)
        if revision is not None
        else oversight.working_answers(found)
    )
    return render_template(
        "admin/people/response.html",
        consultation=consultation,
        response=found,
        revision=revision,
        answers=answers,
        answer_text=answer_text,
        withdrawal=oversight.withdrawal(session, found),
        restart=oversight.restart(session, found),
    )


@bp.get("/consultations/<reference>/responses/<int:response_id>/attachments/<int:attachment_id>")
@role_required(Role.secas)
def response_attachment(reference: str, response_id: int, attachment_id: int):
    """Download a file one of the response's revisions was submitted with."""
    session = get_session()
    consultation = get_by_reference(session, reference, include_drafts=True)
    found = oversight.get_response(session, consultation, response_id)
    attachment = oversight.submitted_attachment(found, attachment_id)
    return files.send_stored(
        attachments.AREA,
        attachment.sha256,
        content_type=attachment.content_type,
        download_name=attachment.filename,
    )
