"""seed-demo: the SSI end-date consultation open now, SECMP0035 closed with a dozen
responses, organisations in every category, a user per role, and the sign-ins printed."""

import pytest
from sqlalchemy import distinct, func, select

from consult.consultations.service import get_by_reference
from consult.db import utcnow
from consult.demo import SIGN_INS
from consult.models import (
    ConsultationKind,
    ConsultationStatus,
    MessageStatus,
    Organisation,
    OutboxMessage,
    PartyCategory,
    QuestionKind,
    Response,
    ResponseStatus,
    Revision,
    Role,
    User,
)
from tests.cli_helpers import assert_refused, invoke, row_counts


@pytest.fixture
def seeded(app, db):
    result = invoke(app, "seed-demo")
    assert result.exit_code == 0, result.output
    return result


def submitted_responses(db, reference: str) -> list[Response]:
    consultation = get_by_reference(db, reference)
    query = select(Response).where(
        Response.consultation_id == consultation.id, Response.status == ResponseStatus.submitted
    )
    return list(db.scalars(query))


def test_seed_demo_prints_a_sign_in_for_each_role(seeded):
    for sign_in in SIGN_INS:
        assert sign_in.email in seeded.stdout
        assert f"password: {sign_in.password}" in seeded.stdout
    assert len(SIGN_INS) == len(Role)


@pytest.mark.parametrize("sign_in", SIGN_INS, ids=lambda s: s.label)
def test_each_demo_sign_in_works(seeded, client, sign_in):
    response = client.post(
        "/auth/login", data={"email": sign_in.email, "password": sign_in.password}
    )

    assert response.status_code == 302


def test_demo_passwords_are_long_enough(seeded):
    assert all(len(sign_in.password) >= 10 for sign_in in SIGN_INS)


def test_demo_has_organisations_in_every_party_category(seeded, db):
    categories = set(db.scalars(select(distinct(Organisation.category))))

    assert categories == set(PartyCategory)


def test_every_demo_organisation_has_a_respondent(seeded, db):
    without = select(Organisation.name).where(~Organisation.users.any(User.role == Role.respondent))

    assert list(db.scalars(without)) == []


def test_the_ssi_consultation_is_open_now(seeded, db):
    ssi = get_by_reference(db, "SSI-2017")

    assert ssi.status_at(utcnow()) is ConsultationStatus.open
    assert ssi.kind is ConsultationKind.panel_consultation
    assert "H8.16(c)" in ssi.title
    assert "23 May 2017" in ssi.summary and "30 June 2017" in ssi.summary


def test_the_ssi_consultation_asks_in_the_usual_sec_form(seeded, db):
    questions = get_by_reference(db, "SSI-2017").questions

    assert 3 <= len(questions) <= 5
    assert {q.kind for q in questions} == set(QuestionKind)
    assert questions[0].kind is QuestionKind.single_choice and questions[0].rationale_prompt


def test_secmp0035_is_a_closed_modification_report_consultation(seeded, db):
    consultation = get_by_reference(db, "SECMP0035")

    assert consultation.status_at(utcnow()) is ConsultationStatus.closed
    assert consultation.kind is ConsultationKind.modification_report
    assert consultation.modification == "SECMP0035"
    assert consultation.title == (
        "Updates to SEC Appendix B – Organisation ARL expiration date to be aligned to DCCKI ARL"
    )


def test_secmp0035_has_a_dozen_submitted_responses_across_categories(seeded, db):
    responses = submitted_responses(db, "SECMP0035")

    assert len(responses) == 12
    assert len({r.organisation.category for r in responses}) >= 6
    assert all(r.receipt and r.current_revision_id for r in responses)


def test_secmp0035_responses_include_confidential_late_and_amended_ones(seeded, db):
    revisions = [r.current_revision for r in submitted_responses(db, "SECMP0035")]

    assert sum(r.confidential for r in revisions) >= 2
    assert [r.response.organisation.name for r in revisions if r.late] == ["UK Power Networks"]
    assert [r.response.organisation.name for r in revisions if r.number == 2] == ["EDF Energy"]


def test_late_demo_response_was_submitted_after_close(seeded, db):
    consultation = get_by_reference(db, "SECMP0035")
    late = db.scalar(select(Revision).where(Revision.late.is_(True)))

    assert late.submitted_at > consultation.closes_at


def test_demo_includes_an_upcoming_consultation(seeded, db):
    consultation = get_by_reference(db, "SECMP0036")

    assert consultation.status_at(utcnow()) is ConsultationStatus.upcoming


def test_demo_receipts_are_not_left_for_send_mail(seeded, db):
    queued = select(func.count()).where(OutboxMessage.status == MessageStatus.queued)

    assert db.scalar(queued) == 0


def test_seed_demo_refuses_a_database_that_holds_data(app, respondent):
    before = row_counts(app)

    result = invoke(app, "seed-demo")

    assert_refused(result, "already holds", "--if-empty")
    assert row_counts(app) == before


def test_seed_demo_if_empty_skips_loading_but_prints_the_sign_ins(app, respondent):
    before = row_counts(app)

    result = invoke(app, "seed-demo", "--if-empty")

    assert result.exit_code == 0, result.output
    assert "not loaded" in result.stdout
    assert all(sign_in.email in result.stdout for sign_in in SIGN_INS)
    assert row_counts(app) == before


def test_seed_demo_if_empty_loads_an_empty_database(app, db):
    result = invoke(app, "seed-demo", "--if-empty")

    assert result.exit_code == 0, result.output
    assert len(submitted_responses(db, "SECMP0035")) == 12


def test_demo_consultations_export_as_json(seeded, app):
    for reference in ("SSI-2017", "SECMP0035", "SECMP0036"):
        assert invoke(app, "export-consultation", reference).exit_code == 0
