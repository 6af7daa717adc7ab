"""Defaults and how overrides are read.

Order, later wins: these defaults, ``instance/config.py``, ``CONSULT_*`` environment
variables, then the ``test_config`` given to ``create_app``.
"""

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "MAIL_SERVER": None,  # None: `send-mail` prints messages to the console
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_SENDER": "consult@localhost",
    "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    "TIMEZONE": "Europe/London",
    "SESSION_COOKIE_HTTPONLY": True,
    # Behind TLS in production set both to true (CONSULT_FORCE_HTTPS=true ...).
    "FORCE_HTTPS": False,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # The site's address for links in e-mails sent from the command line (no request).
    "PUBLIC_URL": None,
    "REMINDER_DAYS_BEFORE_CLOSE": 3,
    "INVITATION_MAX_AGE_SECONDS": 7 * 24 * 3600,
    "PASSWORD_RESET_MAX_AGE_SECONDS": 3600,
    # A Unicode TrueType font for PDF copies of responses (Debian: fonts-dejavu-core).
    "PDF_FONT": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    # Sign-in security (README "Security"). Limits use Flask-Limiter's notation; the
    # storage is shared by every process when it is a server (redis://, memcached://).
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SIGN_IN_PER_IP": "50 per 15 minutes",
    "RATELIMIT_SIGN_IN_PER_EMAIL": "10 per 15 minutes",
    "RATELIMIT_RESET_PER_IP": "20 per hour",
    "RATELIMIT_RESET_PER_EMAIL": "5 per hour",
    "SIGN_IN_LOCKOUT_ATTEMPTS": 10,
    "SIGN_IN_LOCKOUT_MINUTES": 15,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    # Roles that must use two-factor sign-in, e.g. ["secas", "panel"]; empty: optional.
    "TWO_FACTOR_REQUIRED_ROLES": [],
    "TWO_FACTOR_ISSUER": "Consult",
    # Proxies in front of the app that set X-Forwarded-For/-Proto (0: trust none).
    "TRUSTED_PROXY_COUNT": 0,
    # How long each process keeps a public page for visitors not signed in (0: not at all).
    "PUBLIC_PAGE_CACHE_SECONDS": 5,
    # How long each process keeps a rendered summary page (0: not at all); a kept page is
    # never out of date: it is kept under a fingerprint of everything it shows.
    "SUMMARY_CACHE_SECONDS": 600,
}


def load(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` from the defaults and every override source."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CONSULT")
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault("DATABASE_URL", f"sqlite:///{Path(app.instance_path) / 'consult.sqlite'}")
    app.config.setdefault("UPLOAD_FOLDER", str(Path(app.instance_path) / "uploads"))
    # A file up to twice the limit is read, so its form says it is too large beside the
    # file box, keeping what else was typed; only a bigger request gets the 413 page.
    app.config["MAX_CONTENT_LENGTH"] = 2 * int(app.config["MAX_UPLOAD_BYTES"]) + 1024 * 1024
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _instance_secret_key(instance: Path) -> str:
    """Read the secret key generated into ``instance/``, creating it on first use."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
