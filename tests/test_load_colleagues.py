"""Two colleagues saving the same answer at the same moment, over real HTTP to gunicorn
on SQLite (WAL) and on PostgreSQL: one save wins, the other person is told a colleague
changed the response, and the text they typed comes back to them, so nothing is lost."""

import pytest
from sqlalchemy import select

from consult.models import Answer, Role
from consult.testing_server import GunicornServer
from tests import factories
from tests.conftest import normalise
from tests.server_helpers import Visitor, forget, in_parallel, parse, start_together, token, version

ROUNDS = 5
STALE = "changed this response at"


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017")


@pytest.fixture
def server(database_url, db, consultation):
    with GunicornServer(database_url, workers=4) as running:
        yield running


@pytest.fixture
def colleagues(db, organisation, consultation, server):
    """Two signed-in respondents of one organisation, whose response already exists."""
    people = [
        factories.make_user(db, Role.respondent, organisation=organisation, name=name)
        for name in ("Alice Ashby", "Bob Brown")
    ]
    factories.make_response(db, consultation, people[0], submit=False)
    visitors = []
    for person in people:
        visitor = Visitor(server.url)
        visitor.sign_in(person)
        visitors.append(visitor)
    yield visitors
    for visitor in visitors:
        visitor.close()


def race(visitors: list[Visitor], path: str, texts: list[str]) -> list:
    """Both open the question page, then both press Save at the same moment."""
    go = start_together(len(visitors))

    def save(visitor: Visitor, rationale: str):
        page = visitor.page(path)
        form = {
            "csrf_token": token(page),
            "version": version(page),
            "action": "later",
            "answer": "Yes",
            "rationale": rationale,
        }
        go()
        return visitor.post(path, form, allow_redirects=False)

    return in_parallel(
        [lambda v=v, t=t: save(v, t) for v, t in zip(visitors, texts, strict=True)], 2
    )


def test_colleagues_saving_at_once_one_wins_and_the_other_keeps_their_text(
    db, consultation, colleagues
):
    path = f"/consultations/{consultation.reference}/respond/q1"
    for round_ in range(ROUNDS):
        texts = [f"Alice's rationale, round {round_}.", f"Bob's rationale, round {round_}."]
        results = race(colleagues, path, texts)
        assert sorted(r.status_code for r in results) == [200, 302], [r.text for r in results]
        winner = next(i for i, r in enumerate(results) if r.status_code == 302)
        loser_page = parse(results[1 - winner])
        errors = [normalise(li.text) for li in loser_page.select(".govuk-error-summary li")]
        assert any(STALE in error for error in errors), errors
        assert loser_page.select_one("textarea[name=rationale]").text.strip() == texts[1 - winner]
        forget(db)
        saved = db.scalar(select(Answer).where(Answer.question_id == consultation.questions[0].id))
        assert saved.rationale == texts[winner]
