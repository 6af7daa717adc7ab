"""Flask extensions, created here and bound to the app in ``create_app``.

Talisman is not among them: it keeps its settings on the instance rather than per app,
so ``create_app`` makes one for each app (tests build apps with different settings).
"""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"

# No inline scripts or styles anywhere; the one inline script of the GOV.UK page template
# (it marks the body as js-enabled) carries the per-request nonce.
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
