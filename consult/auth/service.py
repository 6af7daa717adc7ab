"""Checking credentials and creating users; shared by the web and the CLI."""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult import audit
from consult.auth.passwords import hash_password, verify_password
from consult.auth.policy import password_problem
from consult.errors import AccountLocked, BadCredentials, InvalidInput
from consult.models import Organisation, Role, User


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user if user.active else None


BAD_CREDENTIALS = "Enter a correct email address and password"
LOCKED = "Too many failed attempts to sign in"


def check_sign_in(
    session: Session, email: str, password: str, *, now: datetime, attempts: int, minutes: int
) -> User:
    """The user these credentials sign in, counting failures towards a lockout.

    Raises AccountLocked while the account is locked (whatever the password, so guessing
    during a lockout learns nothing) and BadCredentials otherwise.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    matches = verify_password(user.password_hash if user else None, password)
    if user is None:
        raise BadCredentials(BAD_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(LOCKED, user.locked_until)
    if not matches or not user.active:
        record_failure(session, user, now=now, attempts=attempts, minutes=minutes)
        raise BadCredentials(BAD_CREDENTIALS)
    return user


def record_failure(
    session: Session, user: User, *, now: datetime, attempts: int, minutes: int
) -> None:
    """Count a failed password or code; lock the account once there are ``attempts``."""
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    if user.failed_sign_ins >= attempts:
        user.failed_sign_ins = 0
        user.locked_until = now + timedelta(minutes=minutes)
        audit.record(session, "user.locked", actor_id=None, user_id=user.id, minutes=minutes)


def record_success(user: User) -> None:
    """A complete sign-in clears the count of failures."""
    user.failed_sign_ins = 0
    user.locked_until = None


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.com"


def looks_like_email(email: str) -> bool:
    """A plausible address: something@domain.tld, no spaces (delivery is the real test)."""
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    return bool(local) and "." in domain and " " not in email and "@" not in domain


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
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput(problem[0].lower() + problem[1:])
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


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    """Raise InvalidInput unless ``password`` meets the password policy (see policy.py)."""
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput(problem)


def set_password(session: Session, user: User, password: str, *, reason: str) -> None:
    """Set a new password and end every existing session of the user."""
    check_new_password(password, email=user.email, name=user.name)
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
