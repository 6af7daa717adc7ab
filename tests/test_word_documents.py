"""Every Word document Consult makes says in its properties what it is, that Consult made
it and when: not python-docx's blank template's author and its 2013 date."""

import io

import docx

from consult.db import utcnow
from tests import factories
from tests.responses_helpers import QUESTIONS, response_url
from tests.summaries_helpers import REFERENCE, summary_url


def properties(reply):
    assert reply.status_code == 200, reply.status_code
    return docx.Document(io.BytesIO(reply.data)).core_properties


def made_by_consult(found, title: str) -> None:
    assert (found.title, found.author, found.last_modified_by) == (title, "Consult", "Consult")
    assert abs((found.created - utcnow()).total_seconds()) < 120
    assert found.comments == ""


def test_the_questions(client, db):
    consultation = factories.make_consultation(db, "SSI-2017", questions=QUESTIONS)
    found = properties(client.get("/consultations/SSI-2017/questions.docx"))
    made_by_consult(found, f"SSI-2017: {consultation.title}")


def test_the_panels_collated_responses(client, db, arranged, as_panel):
    found = properties(client.get(summary_url(suffix=".docx")))
    made_by_consult(found, f"{REFERENCE}: {arranged.consultation.title}")


def test_a_copy_of_ones_response(client, db, respondent, login):
    consultation = factories.make_consultation(db, "SSI-2017")
    factories.make_response(db, consultation, respondent)
    login(respondent)
    found = properties(client.get(f"{response_url(consultation)}/copy.docx"))
    made_by_consult(found, "Response to SSI-2017")
