"""Record-keeping views: the e-mail outbox (with retry) and the audit log (with CSV)."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from consult.admin import notifications, people_audit
from consult.admin.forms import ConfirmForm
from consult.admin.people import bp, sentence
from consult.admin.people_forms import AuditFilterForm, as_choices
from consult.auth.guards import role_required
from consult.db import get_session, utcnow
from consult.errors import InvalidInput
from consult.filters import uk_date_stamp
from consult.models import Role
from consult.numbers import whole_number

FILTER_KEYS = ("consultation", "user", "action", "date_from", "date_to")


@bp.get("/outbox")
@role_required(Role.secas)
def outbox():
    """Queued, sent and failed e-mails, newest first, filterable by status."""
    status = notifications.parse_status(request.args.get("status"))
    page = request.args.get("page", 1, type=whole_number)
    found = notifications.outbox_page(get_session(), status, page)
    return render_template(
        "admin/people/outbox.html", outbox=found, status=status, form=ConfirmForm()
    )


@bp.get("/outbox/<int:message_id>")
@role_required(Role.secas)
def message(message_id: int):
    """One message: who it is to, what it is about, where it stands, and its text."""
    found, reference = notifications.get_message(get_session(), message_id)
    return render_template(
        "admin/people/message.html",
        message=found,
        reference=reference,
        body=notifications.readable_body(found),
        form=ConfirmForm(),
    )


@bp.post("/outbox/<int:message_id>/retry")
@role_required(Role.secas)
def retry(message_id: int):
    """Queue a failed message again for the next ``send-mail``."""
    session = get_session()
    if ConfirmForm().validate_on_submit():
        try:
            message = notifications.retry_message(session, message_id, current_user.id)
        except InvalidInput as problem:
            session.rollback()
            flash(sentence(problem), "error")
        else:
            session.commit()
            flash(f"The message to {message.to_address} is queued again.", "success")
    return redirect(url_for("people.outbox", status="failed"))


def _audit_filter(session) -> tuple[AuditFilterForm, people_audit.AuditFilter]:
    """The filter form read from the query string, and the filter it means."""
    form = AuditFilterForm(formdata=MultiDict(request.args) if request.args else None)
    choices = people_audit.filter_choices(session)
    form.consultation.choices = as_choices(choices["consultation"])
    form.user.choices = as_choices(choices["user"])
    form.action.choices = as_choices(choices["action"])
    valid = form.validate() if request.args else True
    wanted = people_audit.AuditFilter(
        consultation_id=_int(form.consultation.data),
        person_id=_int(form.user.data),
        action=form.action.data or None,
        starts_at=form.starts_at() if valid else None,
        ends_before=form.ends_before() if valid else None,
    )
    return form, wanted


def _int(value: str | None) -> int | None:
    try:
        return whole_number(value) if value else None
    except ValueError:
        return None


@bp.get("/audit")
@role_required(Role.secas)
def audit():
    """The audit log: filter by consultation, user, action and dates; a page at a time."""
    session = get_session()
    form, wanted = _audit_filter(session)
    found = people_audit.audit_page(session, wanted, request.args.get("page", 1, type=whole_number))
    query = {k: request.args[k] for k in FILTER_KEYS if request.args.get(k)}
    return render_template(
        "admin/audit.html",
        form=form,
        audit=found,
        query=query,
        describe=people_audit.describe,
    )


@bp.get("/audit.csv")
@role_required(Role.secas)
def audit_csv():
    """The same filter as the page, every matching event, as CSV."""
    session = get_session()
    form, wanted = _audit_filter(session)
    if form.errors:
        return redirect(url_for("people.audit", **request.args))
    return Response(
        people_audit.csv_text(session, wanted),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{_today()}.csv"'},
    )


def _today() -> str:
    """Today in UK time, as the audit CSV's name gives it: 2026-11-30."""
    return uk_date_stamp(utcnow())
