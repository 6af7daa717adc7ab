"""Colleagues editing one response: a stale save is refused showing what changed, nothing
typed is lost, who last changed what is shown, and two real sessions racing on the same
response never both win (run on SQLite and on PostgreSQL).

Both people use plain ``app.test_client()`` clients: pytest-flask's ``client`` fixture is
entered with ``with``, so it keeps its last request's application context pushed in the
test's thread, and another client's request would then share its ``g`` (and signed-in
user).
"""

import threading

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import select

from consult.models import Answer
from tests import factories
from tests.conftest import check_page, normalise
from tests.responses_helpers import (
    QUESTIONS,
    answer_all,
    error_summary,
    fresh,
    last_changed,
    respond_url,
    save,
    stored_response,
    version_on,
)


@pytest.fixture
def consultation(db):
    return factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)


@pytest.fixture
def mine(app, login, respondent) -> FlaskClient:
    own = app.test_client()
    login(respondent, own)
    return own


@pytest.fixture
def theirs(app, login, colleague) -> FlaskClient:
    other = app.test_client()
    login(colleague, other)
    return other


def parsed(client, url: str, method: str = "get", **kwargs) -> BeautifulSoup:
    """The page parsed, checked as ``get_page`` checks every page."""
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page(page)
    return page


def test_stale_save_shows_the_colleagues_answer_beside_mine(
    db, consultation, mine, theirs, colleague
):
    save(mine, consultation, "q1", action="later", answer="Yes", rationale="We agree.")
    my_page = parsed(mine, respond_url(consultation, "q1"))
    save(theirs, consultation, "q1", action="later", answer="No", rationale="We do not.")
    page = parsed(
        mine,
        respond_url(consultation, "q1"),
        method="post",
        data={
            "version": version_on(my_page),
            "action": "continue",
            "answer": "Neutral",
            "rationale": "Undecided.",
        },
    )
    assert error_summary(page)[0].startswith(f"{colleague.name} changed this response at")
    conflict = page.select_one("#conflict")
    assert normalise(conflict.select_one("#saved-by").text).startswith(
        f"Saved by {colleague.name} at"
    )
    assert normalise(conflict.select_one("#saved-answer").text) == "No We do not."
    assert normalise(conflict.select_one("#your-answer").text) == "Neutral Undecided."
    assert page.select_one("input[name=answer][value=Neutral]").has_attr("checked")
    assert page.select_one("#rationale").text == "Undecided."
    fresh(db)
    assert db.scalar(select(Answer.rationale)) == "We do not."


def test_check_answers_says_who_last_changed_each_answer(
    consultation, mine, theirs, respondent, colleague
):
    answer_all(mine, consultation)
    save(theirs, consultation, "q2", answer=["Billing"])
    page = parsed(mine, respond_url(consultation, "check"))
    changed = last_changed(page, "answers")
    # Each reader is "you" to themselves, and a colleague by name.
    assert changed["1. Do you agree with the proposed new end date?"].startswith(
        "Last changed by you at"
    )
    assert changed["2. Which of your systems are affected?"].startswith(
        f"Last changed by {colleague.name} at"
    )
    assert normalise(page.select_one("#last-saved").text).startswith(
        f"Last saved by {colleague.name} at"
    )
    tasks = parsed(theirs, respond_url(consultation))
    assert normalise(tasks.select_one("#last-saved").text).startswith("Last saved by you at")
    assert respondent.name not in normalise(tasks.select_one("#last-saved").text)


def race(clients: list[FlaskClient], post) -> list:
    """Run ``post(client)`` in one thread per client, released together by a barrier."""
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)
    failures: list[BaseException] = []

    def run(index: int, client: FlaskClient) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = post(client)
        except BaseException as error:  # reported in the test's thread below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return results


def test_two_colleagues_saving_the_same_answer_at_once_never_both_win(
    db, consultation, mine, theirs, respondent
):
    save(mine, consultation, "q3", action="later", answer="First draft")
    version = version_on(parsed(mine, respond_url(consultation, "q3")))
    words = {id(mine): "Mine, typed carefully", id(theirs): "Theirs, typed carefully"}

    def post(client):
        response = client.post(
            respond_url(consultation, "q3"),
            data={"version": version, "action": "continue", "answer": words[id(client)]},
        )
        return response.status_code, response.get_data(as_text=True)

    results = race([mine, theirs], post)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 302], "exactly one save wins"
    winner, loser = (mine, theirs) if results[0][0] == 302 else (theirs, mine)
    fresh(db)
    assert db.scalars(select(Answer.text)).all() == [words[id(winner)]]
    page = BeautifulSoup(results[[mine, theirs].index(loser)][1], "html.parser")
    assert "changed this response" in error_summary(page)[0]
    assert page.select_one("textarea#answer").text.strip() == words[id(loser)], "nothing lost"


def test_two_colleagues_starting_the_response_at_once_make_one_response(
    db, consultation, mine, theirs, respondent
):
    def post(client):
        return client.post(
            respond_url(consultation, "q1"),
            data={"version": "0", "action": "later", "answer": "Yes"},
        ).status_code

    statuses = sorted(race([mine, theirs], post))

    assert statuses in ([200, 302], [302, 302])
    assert 500 not in statuses
    response = stored_response(db, consultation, respondent.organisation_id)
    assert response is not None
    assert len(response.answers) == 1
