"""Checking credentials and creating users; shared by the web and the CLI."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult import audit
from consult.auth.passwords import hash_password, verify_password
from consult.errors import InvalidInput
from consult.models import Organisation, Role, User

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user if user.active else None


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    organisation_name: str | None = None,
    actor_id: int | None = None,
) -> User:
    """Create a user; raises InvalidInput naming what is wrong."""
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput(f"'{email}' is not an email address")
    try:
        role_value = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role '{role}': use one of {allowed}") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise InvalidInput(f"a user with the email address {email} already exists")
    organisation = _organisation_for(session, role_value, organisation_name)
    user = User(
        email=email,
        name=name.strip() or email,
        role=role_value,
        organisation=organisation,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.created", actor_id=actor_id, user_id=user.id, role=role_value.value)
    return user


def _organisation_for(session: Session, role: Role, name: str | None) -> Organisation | None:
    if role is not Role.respondent:
        if name:
            raise InvalidInput(f"only respondents belong to an organisation, not {role.value}")
        return None
    if not name:
        raise InvalidInput("a respondent needs an organisation: give --organisation NAME")
    organisation = session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        raise InvalidInput(f"no organisation called '{name}'")
    return organisation


def check_new_password(password: str) -> None:
    """Raise InvalidInput unless ``password`` is long enough (and not absurdly long)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer")


def set_password(session: Session, user: User, password: str, *, reason: str) -> None:
    """Set a new password and end every existing session of the user."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    end_sessions(user)
    audit.record(session, f"user.password_{reason}", actor_id=user.id, user_id=user.id)


def end_sessions(user: User) -> None:
    """Sessions carry the epoch they began in; a new epoch ends them all."""
    user.session_epoch = (user.session_epoch or 0) + 1


def find_active_user(session: Session, email: str) -> User | None:
    """The active user with this e-mail address, if any."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    return user if user is not None and user.active else None
