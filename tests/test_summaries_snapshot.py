"""A summary is read as of one moment: a response submitted or withdrawn while the page or
a download is being read is in all of it or in none of it (on PostgreSQL each statement
would otherwise see the database as it is when that statement starts)."""

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from consult.models import Consultation, PartyCategory, Response, User
from consult.responses import service as responses
from tests import factories
from tests.conftest import normalise
from tests.summaries_helpers import answers, respondent_of, summary_url, table_rows

REFERENCE = "SNAP-1"


@pytest.fixture
def consultation(db) -> Consultation:
    consultation = factories.make_consultation(db, REFERENCE, status="open")
    for n in range(3):
        user = respondent_of(db, f"Supplier {n}", PartyCategory.small_supplier)
        factories.make_response(db, consultation, user, answers("Yes", f"Reason {n}."))
    return consultation


@contextmanager
def meanwhile(app, marker: str, change: Callable) -> Iterator[list]:
    """Make ``change`` (committed through a session of its own) just before the first
    statement containing ``marker`` runs."""
    engine = app.extensions["consult.engine"]
    made = []

    def before(_connection, _cursor, statement, *_args) -> None:
        if marker in statement and not made:
            made.append(True)
            with app.extensions["consult.sessionmaker"]() as other:
                change(other)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield made
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_a_response_submitted_while_the_page_is_read_is_counted_everywhere_or_nowhere(
    app, db, get_page, consultation, as_panel
):
    newcomer = respondent_of(db, "Newcomer", PartyCategory.large_supplier)

    def submit(other):
        factories.make_response(
            other,
            other.get(Consultation, consultation.id),
            other.get(User, newcomer.id),
            answers("No", "Not yet."),
        )

    # The tallies are read after the counts of respondents.
    with meanwhile(app, "GROUP BY revision_answer.question_id", submit) as made:
        page = get_page(summary_url(REFERENCE))
    assert made
    counts = {
        normalise(row.select_one("dt").text): normalise(row.select_one("dd").text)
        for row in page.select("#response-counts .govuk-summary-list__row")
    }
    tallied = next(row[-1] for row in table_rows(page, "tally-q1") if row[0] == "Total")
    assert tallied == counts["Responses"]


def test_a_response_withdrawn_while_the_csv_is_read_keeps_its_answers(
    app, db, client, consultation, as_panel
):
    leaving = db.query(Response).filter_by(consultation_id=consultation.id).first()

    def withdraw(other):
        response = other.get(Response, leaving.id)
        user = other.get(User, response.updated_by_id)
        responses.withdraw(
            other,
            response,
            expected_version=response.version,
            user=user,
            now=factories.while_open(response.consultation),
        )
        other.commit()

    # The answers are read after the respondents.
    with meanwhile(app, "revision_answer.rationale", withdraw) as made:
        data = client.get(summary_url(REFERENCE, ".csv")).get_data(as_text=True)
    assert made
    rows = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows, "the CSV has the responses"
    assert all(row["q1 answer"] for row in rows), rows
