"""Organisations and users in the SECAS console.

The oversight, outbox and audit-log pages share this blueprint; their views live in
``people_oversight`` and ``people_records``, imported at the end so they register here.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from consult import organisations as organisation_service
from consult.account.tokens import make_token
from consult.admin import notifications, people_service
from consult.admin.forms import ConfirmForm
from consult.admin.people_forms import (
    InviteForm,
    OrganisationForm,
    RoleForm,
    organisation_choices,
)
from consult.auth.guards import role_required
from consult.db import get_session
from consult.errors import InvalidInput
from consult.models import Role, User

bp = Blueprint("people", __name__, url_prefix="/admin")


def sentence(error: Exception) -> str:
    """A service message as a sentence: capital first letter."""
    text = str(error)
    return text[:1].upper() + text[1:]


@bp.get("/organisations")
@role_required(Role.secas)
def organisations():
    """Every organisation by party category."""
    found = organisation_service.list_organisations(get_session())
    return render_template("admin/people/organisations.html", organisations=found)


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required(Role.secas)
def new_organisation():
    """Create an organisation."""
    form = OrganisationForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            organisation = organisation_service.create_organisation(
                session,
                form.name.data,
                form.category.data,
                sec_party_id=form.sec_party_id.data,
                actor_id=current_user.id,
            )
            organisation.active = bool(form.active.data)
        except InvalidInput as problem:
            session.rollback()
            form[problem.field or "name"].errors.append(sentence(problem))
        else:
            session.commit()
            flash(f"{organisation.name} is added.", "success")
            return redirect(url_for("people.organisation", organisation_id=organisation.id))
    return render_template("admin/people/organisation_form.html", form=form, organisation=None)


@bp.get("/organisations/<int:organisation_id>")
@role_required(Role.secas)
def organisation(organisation_id: int):
    """One organisation and its users."""
    found = organisation_service.get_organisation(get_session(), organisation_id)
    return render_template("admin/people/organisation.html", organisation=found)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@role_required(Role.secas)
def edit_organisation(organisation_id: int):
    """Change an organisation's name, category, SEC Party identifier or status."""
    session = get_session()
    found = organisation_service.get_organisation(session, organisation_id)
    form = OrganisationForm(obj=found)
    if not form.is_submitted():
        form.category.data = found.category.value
    if form.validate_on_submit():
        try:
            organisation_service.update_organisation(
                session,
                found,
                name=form.name.data,
                category=form.category.data,
                sec_party_id=form.sec_party_id.data,
                active=bool(form.active.data),
                actor_id=current_user.id,
            )
        except InvalidInput as problem:
            session.rollback()
            form[problem.field or "name"].errors.append(sentence(problem))
        else:
            session.commit()
            flash(f"{found.name} is saved.", "success")
            return redirect(url_for("people.organisation", organisation_id=found.id))
    return render_template(
        "admin/people/organisation_form.html",
        form=form,
        organisation=found,
        submitted=organisation_service.submitted_responses(session, found.id),
    )


@bp.get("/users")
@role_required(Role.secas)
def users():
    """Every user, with their role, organisation and status."""
    found = people_service.list_users(get_session())
    return render_template(
        "admin/people/users.html", users=found, status=people_service.user_status
    )


def _queue_invitation(session, user: User) -> None:
    link = url_for("account.set_password", token=make_token("invitation", user), _external=True)
    notifications.queue_invitation(session, user, link)


@bp.route("/users/invite", methods=["GET", "POST"])
@role_required(Role.secas)
def invite():
    """Invite a user: they are e-mailed a link to set a password."""
    session = get_session()
    form = InviteForm()
    form.organisation.choices = organisation_choices(
        organisation_service.list_organisations(session)
    )
    if not form.is_submitted():
        # "Invite a user" from an organisation's page starts with it chosen.
        form.organisation.data = request.args.get("organisation", "")
        form.role.data = Role.respondent.value if form.organisation.data else None
    if form.validate_on_submit():
        try:
            user = people_service.invite_user(
                session,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                organisation_id=form.organisation_id(),
                actor_id=current_user.id,
            )
        except InvalidInput as problem:
            session.rollback()
            _field_for(form, problem).errors.append(sentence(problem))
        else:
            _queue_invitation(session, user)
            session.commit()
            flash(f"An invitation is on its way to {user.email}.", "success")
            return redirect(url_for("people.user", user_id=user.id))
    return render_template("admin/people/invite.html", form=form)


def _field_for(form: InviteForm | RoleForm, problem: InvalidInput):
    """The field a service message is about, for the error summary's link."""
    text = str(problem).lower()
    if "organisation" in text:
        return form.organisation
    if "email" in text and "email" in form:
        return form.email
    if "name" in text and "name" in form:
        return form.name
    return form.role


@bp.get("/users/<int:user_id>")
@role_required(Role.secas)
def user(user_id: int):
    """One user: details and what SECAS can do about them."""
    found = people_service.get_user(get_session(), user_id)
    return render_template(
        "admin/people/user.html",
        user=found,
        status=people_service.user_status(found),
        form=ConfirmForm(),
    )


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@role_required(Role.secas)
def change_role(user_id: int):
    """Give a user another role (respondents need an organisation)."""
    session = get_session()
    found = people_service.get_user(session, user_id)
    form = RoleForm()
    form.organisation.choices = organisation_choices(
        organisation_service.list_organisations(session)
    )
    if not form.is_submitted():
        form.role.data = found.role.value
        form.organisation.data = str(found.organisation_id or "")
    if form.validate_on_submit():
        try:
            people_service.change_role(
                session,
                found,
                role=form.role.data,
                organisation_id=form.organisation_id(),
                actor_id=current_user.id,
            )
        except InvalidInput as problem:
            session.rollback()
            _field_for(form, problem).errors.append(sentence(problem))
        else:
            session.commit()
            flash(f"{found.name}’s role is saved.", "success")
            return redirect(url_for("people.user", user_id=found.id))
    return render_template("admin/people/role.html", form=form, user=found)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.secas)
def deactivate(user_id: int):
    """Confirm, then stop a user signing in and end their sessions."""
    found = people_service.get_user(get_session(), user_id)
    return _confirmed_user_action(
        found,
        people_service.deactivate,
        heading=f"Deactivate {found.name}?",
        explanation=f"{found.name} ({found.email}) will be signed out at once and will not be "
        "able to sign in. You can reactivate them later.",
        button="Deactivate user",
        done=f"{found.name} is deactivated and signed out.",
    )


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["GET", "POST"])
@role_required(Role.secas)
def reset_two_factor(user_id: int):
    """Confirm, then forget a user's authenticator so they can set up a new one."""
    found = people_service.get_user(get_session(), user_id)
    return _confirmed_user_action(
        found,
        people_service.reset_two_factor,
        heading=f"Reset two-factor authentication for {found.name}?",
        explanation=f"Do this only when {found.name} ({found.email}) has lost their "
        "authenticator app and you have checked who they are. They will be signed out, and "
        "will set up a new authenticator app the next time they sign in.",
        button="Reset two-factor authentication",
        done=f"{found.name}’s two-factor authentication is reset. They will set up a new "
        "authenticator app the next time they sign in.",
    )


def _confirmed_user_action(
    found: User, perform, *, heading: str, explanation: str, button: str, done: str
):
    """A confirmation page; once confirmed, ``perform`` it, or show why it was refused."""
    session = get_session()
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            perform(session, found, current_user.id)
        except InvalidInput as problem:
            session.rollback()
            error = str(problem)
        else:
            session.commit()
            flash(done, "success")
            return redirect(url_for("people.user", user_id=found.id))
    return render_template(
        "admin/people/confirm.html",
        form=form,
        error=error,
        has_errors=error is not None,
        heading=heading,
        explanation=explanation,
        button=button,
        warning=True,
        cancel_url=url_for("people.user", user_id=found.id),
    )


@bp.post("/users/<int:user_id>/reactivate")
@role_required(Role.secas)
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    return _user_action(user_id, people_service.reactivate, "{name} can sign in again.")


@bp.post("/users/<int:user_id>/invitation")
@role_required(Role.secas)
def invite_again(user_id: int):
    """Send a fresh invitation to a user who has not set a password yet."""
    return _user_action(user_id, _reinvite, "A new invitation is on its way to {email}.")


def _reinvite(session, found: User, _actor_id: int) -> None:
    if not found.active or found.password_hash:
        raise InvalidInput(f"{found.name} has already set a password or is deactivated")
    # Links carry the session epoch (``tokens.fingerprint``): moving it on retires the
    # earlier invitation's link, which may have gone astray. With no password set there
    # is no session for it to end.
    found.session_epoch = (found.session_epoch or 0) + 1
    _queue_invitation(session, found)


def _user_action(user_id: int, perform, done: str):
    session = get_session()
    found = people_service.get_user(session, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            perform(session, found, current_user.id)
        except InvalidInput as problem:
            session.rollback()
            flash(sentence(problem), "error")
        else:
            session.commit()
            flash(done.format(name=found.name, email=found.email), "success")
    return redirect(url_for("people.user", user_id=found.id))


from consult.admin import people_oversight, people_records  # noqa: E402, F401
