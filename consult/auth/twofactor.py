"""Time-based one-time codes (TOTP, RFC 6238) as a second step of signing in.

A code is accepted in its 30-second step or one step either side (clocks drift), and
only once: the step of the last code accepted is remembered, and no code of that step
or an earlier one works again.
"""

import base64
import hmac
import io
from datetime import datetime

import pyotp
import segno
from sqlalchemy.orm import Session

from consult import audit
from consult.errors import InvalidInput
from consult.models import User

CODE_DIGITS = 6
BAD_CODE = "Enter the 6-digit code shown in your authenticator app"


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// address authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_code_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data: URI, so no inline markup or styles are needed."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=4, light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and later than ``after``."""
    code = "".join((code or "").split())
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str, now: datetime) -> bool:
    """Whether ``code`` is a valid, unused code for ``user``; uses it up if so."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now, user.totp_last_counter)
    if step is None:
        return False
    user.totp_last_counter = step
    return True


def turn_on(session: Session, user: User, secret: str, code: str, now: datetime) -> None:
    """Turn two-factor sign-in on once the user proves their app shows the right codes."""
    step = matching_step(secret, code, now, None)
    if step is None:
        raise InvalidInput(BAD_CODE)
    user.totp_secret = secret
    user.totp_last_counter = step
    audit.record(session, "user.two_factor_on", actor_id=user.id, user_id=user.id)


def turn_off(session: Session, user: User, code: str, now: datetime) -> None:
    """Turn two-factor sign-in off, proven with a current code."""
    if not check_code(user, code, now):
        raise InvalidInput(BAD_CODE)
    user.totp_secret = None
    user.totp_last_counter = None
    audit.record(session, "user.two_factor_off", actor_id=user.id, user_id=user.id)
