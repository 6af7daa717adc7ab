"""Signed, expiring, single-use links for setting a password (invitation and reset).

A token names the user and carries a fingerprint of their password hash and session
epoch; setting a password changes both, so a used link (or any older one) stops working.
"""

import hashlib
from typing import Literal

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from consult.models import User

Purpose = Literal["invitation", "password-reset"]

# How long each kind of link works, in seconds; overridable in config.
DEFAULT_MAX_AGE = {"invitation": 7 * 24 * 3600, "password-reset": 3600}
MAX_AGE_SETTING = {
    "invitation": "INVITATION_MAX_AGE_SECONDS",
    "password-reset": "PASSWORD_RESET_MAX_AGE_SECONDS",
}


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"consult.{purpose}")


def fingerprint(user: User) -> str:
    """Changes whenever the user's password or session epoch changes."""
    material = f"{user.id}:{user.password_hash or ''}:{user.session_epoch or 0}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def make_token(purpose: Purpose, user: User) -> str:
    """A token for ``user`` that works once, for this purpose only."""
    return _serializer(purpose).dumps({"user": user.id, "fp": fingerprint(user)})


def max_age(purpose: Purpose) -> int:
    """How many seconds a link for ``purpose`` works."""
    return int(current_app.config.get(MAX_AGE_SETTING[purpose], DEFAULT_MAX_AGE[purpose]))


def read_token(session: Session, purpose: Purpose, token: str) -> User | None:
    """The active user the token is for, or None if it is forged, expired or used."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except BadSignature:  # also SignatureExpired, a subclass
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = session.get(User, payload["user"])
    if user is None or not user.active or payload.get("fp") != fingerprint(user):
        return None
    return user
