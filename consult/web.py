"""App-wide web concerns: error pages, the health check, the signed-in user."""

from urllib.parse import urlencode

from flask import Flask, current_app, g, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import joinedload
from werkzeug.routing import IntegerConverter, RequestRedirect

from consult import migrate
from consult.db import get_session
from consult.errors import NotFound
from consult.extensions import login_manager
from consult.forms import NUL, note_removed
from consult.logs import logger
from consult.models import User, canonical_reference
from consult.numbers import MAX_INTEGER


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` in routes, but only numbers the database's integers can hold: a larger
    id is an address that does not exist (404), not an overflow (500)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Register error handlers, the user loader and ``/healthz``; bound ``<int:...>``
    (before any blueprint adds a route)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    login_manager.user_loader(_load_user)
    app.before_request(_refuse_nul_characters)
    app.url_value_preprocessor(_canonical_reference)
    app.add_url_rule("/healthz", "healthz", _healthz)
    app.add_url_rule("/readyz", "readyz", _readyz)
    app.add_url_rule("/", "index", _index)
    app.register_error_handler(400, _error_page(400, "Sorry, there is a problem with the request"))
    app.register_error_handler(403, _error_page(403, "You do not have permission to see this page"))
    app.register_error_handler(404, _error_page(404, "Page not found"))
    app.register_error_handler(405, _error_page(405, "Sorry, that action is not allowed here"))
    app.register_error_handler(413, _too_large)
    app.register_error_handler(500, _error_page(500, "Sorry, there is a problem with the service"))
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(IntegrityError, _clash)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(NotFound, _error_page(404, "Page not found"))


def _canonical_reference(endpoint: str | None, values: dict | None) -> None:
    """Every view gets a consultation's reference as stored (capitals), whatever case the
    address was typed in; a page asked for in another case redirects to its own address,
    so links, bookmarks and the address bar agree."""
    if not values or not isinstance(values.get("reference"), str):
        return
    reference = canonical_reference(values["reference"])
    if reference == values["reference"]:
        return
    values["reference"] = reference
    if endpoint and request.method in ("GET", "HEAD"):
        # The query string is kept as it came: handed to url_for, "_anchor" or "_external"
        # in it would be url_for's own arguments.
        query = urlencode(list(request.args.items(multi=True)))
        raise RequestRedirect(url_for(endpoint, **values) + (f"?{query}" if query else ""))


# Every signed-in request runs it: built once, SQLAlchemy keeps its cache key too. The
# organisation comes in the same statement: the header names it on every page, and a
# respondent's pages all check it.
_USER = select(User).options(joinedload(User.organisation)).where(User.id == bindparam("user_id"))


def _load_user(user_id: str) -> User | None:
    """The signed-in user, unless deactivated or signed out everywhere since sign-in."""
    from flask import session

    try:
        user = get_session().scalar(_USER, {"user_id": int(user_id)})
    except ValueError:
        return None
    if user is None or not user.active:
        return None
    # A password change, reset or deactivation bumps session_epoch: older sessions end.
    if session.get("epoch") != (user.session_epoch or 0):
        return None
    return user


def _index():
    from flask import redirect, url_for

    return redirect(url_for("consultations.index"))


def _healthz():
    get_session().execute(text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _readyz():
    """Ready for traffic: the database answers and its schema is at the latest migration."""
    plain = {"Content-Type": "text/plain; charset=utf-8"}
    try:
        at_head = migrate.is_at_head(current_app.extensions["consult.engine"])
    except OperationalError:
        return "database unavailable", 503, plain
    if not at_head:
        return "database schema is not at the latest migration: run init-db", 503, plain
    return "ready", 200, plain


def _error_page(status: int, heading: str):
    def handler(_error):
        if status == 500:
            # Whatever failed may have left the session unusable: render as for a visitor,
            # with nothing from the database, so the error page itself cannot fail.
            _forget_session()
        return render_template("error.html", heading=heading, status=status), status

    return handler


def _too_large(_error):
    """A request bigger than the server reads (``MAX_CONTENT_LENGTH``, or a form field over
    Werkzeug's limit) is refused before its form is read, so the form cannot be shown
    again with its error: say what to change, and link back to the form."""
    uploading = request.mimetype == "multipart/form-data"
    heading = "The file is too large" if uploading else "What you sent is too long"
    way_back = (request.path, "Go back to the form") if request.method == "POST" else None
    return (
        render_template(
            "error.html", heading=heading, status=413, uploading=uploading, way_back=way_back
        ),
        413,
    )


def _database_unavailable(error):
    logger.error("database unavailable", extra={"error": str(error.orig or error)[:500]})
    # The page header shows who is signed in, and loading them needs the database:
    # render the outage page as for a visitor so it never needs the database itself.
    _forget_session()
    heading = "Sorry, the service is unavailable"
    return render_template("error.html", heading=heading, status=503), 503


def _clash(error):
    """Two people saved clashing things at the same moment (the same organisation name or
    e-mail address, say): each was checked first, but on PostgreSQL both checks can pass
    before either commits, and the database's unique rule stops the second."""
    if not _breaks_a_unique_rule(error):  # a missing value or a broken link is a fault
        logger.exception("integrity error", exc_info=error)
        return _error_page(500, "Sorry, there is a problem with the service")(error)
    logger.warning("unique rule broken", extra={"error": str(error.orig or error)[:500]})
    get_session().rollback()
    heading = "Sorry, that was not saved"
    message = (
        "Someone else saved something that clashes with it at the same moment, such as the "
        "same name or address. Nothing you sent was saved. Go back, reload the page and "
        "try again."
    )
    return render_template("error.html", heading=heading, message=message, status=409), 409


def _breaks_a_unique_rule(error: IntegrityError) -> bool:
    """PostgreSQL's unique_violation (SQLSTATE 23505), or SQLite's "UNIQUE constraint"."""
    orig = error.orig
    return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)


def _forget_session() -> None:
    try:
        get_session().rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the request's teardown discards it
    g._login_user = login_manager.anonymous_user()


def _refuse_nul_characters():
    """PostgreSQL cannot store character 0 in text: nothing past this point sees one.

    A posted value loses its null characters and the form says which field had them (see
    ``consult.forms``), so the page comes back with the text typed. An address, or a
    field's name, carrying one is refused: nobody types those."""
    names = [request.path, *(part for pair in request.args.items(multi=True) for part in pair)]
    if request.method == "POST":
        names.extend(request.form.keys())
    if any(NUL in name for name in names):
        heading = "Sorry, there is a problem with what was sent"
        message = (
            "It contained a character that cannot be stored (a null character, code 0). "
            "Go back, remove it from what you typed or pasted, and try again."
        )
        return render_template("error.html", heading=heading, message=message, status=400), 400
    if request.method == "POST":
        _remove_nul_from_form()
    return None


def _remove_nul_from_form() -> None:
    pairs = list(request.form.items(multi=True))
    removed = {name for name, value in pairs if NUL in value}
    if not removed:
        return
    cleaned = [(name, value.replace(NUL, "")) for name, value in pairs]
    request.form = request.parameter_storage_class(cleaned)
    request.__dict__.pop("values", None)  # built from the form, if read already
    note_removed(removed)


def _csrf_error(_error):
    heading = "Your form expired"
    message = "Go back, reload the page and try again. Nothing you saved before was lost."
    return render_template("error.html", heading=heading, message=message, status=400), 400
