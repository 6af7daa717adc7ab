"""'Your responses': the organisation's responses across consultations."""

from flask import render_template
from flask_login import current_user

from consult.auth.guards import role_required
from consult.db import get_session, utcnow
from consult.models import Role
from consult.responses.journey import bp
from consult.responses.mine import my_responses


@bp.get("/responses")
@role_required(Role.respondent)
def mine():
    """Every response of the signed-in user's organisation, what is due soonest first."""
    now = utcnow()
    rows = my_responses(get_session(), current_user.organisation_id, now)
    return render_template("responses/mine.html", rows=rows, now=now)
