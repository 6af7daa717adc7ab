"""Users as SECAS manages them: invite, change role, deactivate and reactivate, and reset
two-factor sign-in for someone who lost their authenticator."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from consult import audit
from consult.auth.service import (
    EMAIL_FORMAT_MESSAGE,
    end_sessions,
    looks_like_email,
    normalise_email,
)
from consult.errors import InvalidInput, NotFound
from consult.models import Organisation, Role, User

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200


def list_users(session: Session) -> list[User]:
    """Every user, by name, with their organisation."""
    query = select(User).options(joinedload(User.organisation)).order_by(User.name, User.id)
    return list(session.scalars(query))


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = session.scalar(
        select(User).where(User.id == user_id).options(joinedload(User.organisation))
    )
    if user is None:
        raise NotFound("No such user")
    return user


def _clean_email(session: Session, email: str) -> str:
    email = normalise_email(email)
    if not looks_like_email(email) or len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput(EMAIL_FORMAT_MESSAGE)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise InvalidInput(f"A user with the email address {email} already exists")
    return email


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Enter the person’s full name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The name must be {MAX_NAME_LENGTH} characters or fewer")
    return name


def _organisation_for(session: Session, role: Role, organisation_id: int | None):
    """Respondents need an active organisation; no one else belongs to one."""
    if role is not Role.respondent:
        return None
    if organisation_id is None:
        raise InvalidInput("Select the respondent’s organisation")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not organisation.active:
        raise InvalidInput("Select an active organisation")
    return organisation


def parse_role(value: str | None) -> Role:
    """The role named ``value``, or InvalidInput."""
    try:
        return Role(value or "")
    except ValueError:
        raise InvalidInput("Select a role") from None


def invite_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    organisation_id: int | None,
    actor_id: int | None,
) -> User:
    """Create a user without a password; they set one from the invitation e-mail."""
    role_value = parse_role(role)
    user = User(
        email=_clean_email(session, email),
        name=_clean_name(name),
        role=role_value,
        organisation=_organisation_for(session, role_value, organisation_id),
        password_hash=None,
        active=True,
        session_epoch=0,
    )
    session.add(user)
    session.flush()
    _audit_user(session, "user.invited", user, actor_id, role=role_value.value)
    return user


def change_role(
    session: Session, user: User, *, role: str, organisation_id: int | None, actor_id: int | None
) -> None:
    """Give a user another role (and organisation, for respondents)."""
    if user.id == actor_id:
        raise InvalidInput("You cannot change your own role: ask another SECAS user")
    role_value = parse_role(role)
    organisation = _organisation_for(session, role_value, organisation_id)
    before = {"role": user.role.value, "organisation_id": user.organisation_id}
    user.role = role_value
    user.organisation = organisation
    session.flush()
    after = {"role": user.role.value, "organisation_id": user.organisation_id}
    if before == after:
        return
    # Whatever the user was doing in their old role, they start again in the new one.
    end_sessions(user)
    _audit_user(session, "user.role_changed", user, actor_id, before=before, after=after)


def deactivate(session: Session, user: User, actor_id: int | None) -> None:
    """Stop a user signing in, and end their sessions at once."""
    if user.id == actor_id:
        raise InvalidInput("You cannot deactivate your own account")
    if not user.active:
        raise InvalidInput(f"{user.name} is already deactivated")
    user.active = False
    end_sessions(user)
    _audit_user(session, "user.deactivated", user, actor_id)


def reactivate(session: Session, user: User, actor_id: int | None) -> None:
    """Let a deactivated user sign in again."""
    if user.active:
        raise InvalidInput(f"{user.name} is already active")
    user.active = True
    _audit_user(session, "user.reactivated", user, actor_id)


def reset_two_factor(session: Session, user: User, actor_id: int | None) -> None:
    """Forget a user's authenticator (say it was lost) and end their sessions; they set
    up a new one the next time they sign in, if their role needs it."""
    if not user.totp_secret:
        raise InvalidInput(f"{user.name} has not set up two-factor authentication")
    user.totp_secret = None
    user.totp_last_counter = None
    end_sessions(user)
    _audit_user(session, "user.two_factor_reset", user, actor_id)


def _audit_user(session: Session, action: str, user: User, actor_id: int | None, **detail) -> None:
    audit.record(
        session,
        action,
        actor_id=actor_id,
        organisation_id=user.organisation_id,
        user_id=user.id,
        email=user.email,
        **detail,
    )


def user_status(user: User) -> str:
    """'Active', 'Invited' (no password yet) or 'Deactivated'."""
    if not user.active:
        return "Deactivated"
    return "Active" if user.password_hash else "Invited"
