"""Consult: publish consultations, collect responses, summarise them for the Panel."""

from flask import Flask
from flask_talisman import Talisman
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from consult import backup, config, db, error_summary, filters, logs, page_cache, web
from consult.extensions import content_security_policy, csrf, login_manager
from consult.summaries import kept


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, CLI."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    config.load(app, test_config)
    logs.init_app(app)
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    error_summary.init_app(app)
    csrf.init_app(app)
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=content_security_policy(app.jinja_env),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        strict_transport_security=True,
    )
    login_manager.init_app(app)
    db.init_app(app)
    page_cache.init_app(app)
    kept.init_app(app)
    filters.init_app(app)
    web.init_app(app)

    from consult import cli
    from consult.account.views import bp as account_bp
    from consult.admin.builder import bp as builder_bp
    from consult.admin.people import bp as people_bp
    from consult.admin.views import bp as admin_bp
    from consult.auth.views import bp as auth_bp
    from consult.consultations.views import bp as consultations_bp
    from consult.responses.views import bp as responses_bp
    from consult.summaries.views import bp as summaries_bp

    blueprints = (
        auth_bp,
        account_bp,
        consultations_bp,
        responses_bp,
        summaries_bp,
        admin_bp,
        builder_bp,
        people_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    cli.init_app(app)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_command)
    return app
