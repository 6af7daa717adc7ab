"""Flask extensions, created here and bound to the app in ``create_app``.

Talisman is not among them: it keeps its settings on the instance rather than per app,
so ``create_app`` makes one for each app (tests build apps with different settings).
"""

import base64
import hashlib
import re

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from jinja2 import Environment

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"

# No inline scripts or styles anywhere but the one inline script of the GOV.UK page template
# (it marks the body as js-enabled), allowed by its hash: a page is then the same for every
# visitor, so public pages can be served from the page cache (consult/page_cache.py).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>([^<>]*)</script>")


def content_security_policy(jinja: Environment) -> dict:
    """The policy, its script-src allowing the GOV.UK template's inline script by hash.

    The hash is worked out from the installed template, so an upgrade that changes the
    script changes the hash with it; a template with another inline script fails here."""
    source, _name, _uptodate = jinja.loader.get_source(jinja, "govuk_frontend_jinja/template.html")
    scripts = _INLINE_SCRIPT.findall(source)
    if len(scripts) != 1 or "{{" in scripts[0] or "{%" in scripts[0]:
        # Another script, or one the template fills in: its hash could not be known here.
        raise RuntimeError(f"expected one fixed inline script in the GOV.UK template: {scripts}")
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    policy = dict(CONTENT_SECURITY_POLICY)
    policy["script-src"] = f"{policy['script-src']} 'sha256-{digest}'"
    return policy
