"""import-consultation and export-consultation: the JSON format in CONTRACT.md, validated
in full before anything is written, and round-tripping through export."""

import copy
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consult.consultations.service import get_by_reference
from consult.db import utcnow
from consult.models import Consultation, ConsultationKind, ConsultationStatus, QuestionKind
from tests import factories
from tests.cli_helpers import assert_refused, invoke, row_counts

# A closing date always ahead, and within the years ahead a date may be set.
NEXT_YEAR = utcnow().year + 1
DOCUMENT = {
    "reference": "SSI-2017",
    "title": "Changing the end date of the SSI variations",
    "kind": "panel_consultation",
    "summary": "The DCC asked on 23 May 2017 to **change** the end date.",
    "modification": "SECMP0099",
    "opens_at": "2017-06-07T09:00:00+01:00",
    "closes_at": f"{NEXT_YEAR}-06-21T17:00:00+01:00",
    "questions": [
        {
            "key": "q1",
            "kind": "single_choice",
            "text": "Do you agree with the proposed new end date?",
            "hint": "Choose one.",
            "options": ["Yes", "No"],
            "rationale": "Please provide your rationale",
            "required": True,
            "max_length": 5000,
        },
        {
            "key": "q2",
            "kind": "multiple_choice",
            "text": "Which systems are affected?",
            "options": ["Metering", "Billing", "Customer service"],
        },
        {"key": "q3", "kind": "text", "text": "Any other comments?", "required": False},
    ],
}


@pytest.fixture
def write_json(tmp_path):
    """Write a document (or raw text) to a file and return its path."""

    def write(document: dict | str) -> str:
        path = tmp_path / "consultation.json"
        text = document if isinstance(document, str) else json.dumps(document)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def with_changes(**changes) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document.update(changes)
    return document


def with_question_changes(index: int, **changes) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document["questions"][index].update(changes)
    return document


def test_import_prints_the_reference_and_creates_a_draft(app, db, write_json):
    result = invoke(app, "import-consultation", write_json(DOCUMENT))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "SSI-2017"
    consultation = get_by_reference(db, "SSI-2017", include_drafts=True)
    assert consultation.status_at(utcnow()) is ConsultationStatus.draft
    assert consultation.kind is ConsultationKind.panel_consultation
    assert consultation.modification == "SECMP0099"
    assert consultation.opens_at == datetime(2017, 6, 7, 8, 0, tzinfo=UTC)


def test_import_keeps_the_questions_in_order_with_every_detail(app, db, write_json):
    invoke(app, "import-consultation", write_json(DOCUMENT))

    q1, q2, q3 = get_by_reference(db, "SSI-2017", include_drafts=True).questions
    assert [q.key for q in (q1, q2, q3)] == ["q1", "q2", "q3"]
    assert (q1.kind, q1.options, q1.rationale_prompt) == (
        QuestionKind.single_choice,
        ["Yes", "No"],
        "Please provide your rationale",
    )
    assert (q1.hint, q1.required, q1.max_length) == ("Choose one.", True, 5000)
    assert (q2.kind, q2.required) == (QuestionKind.multiple_choice, True)
    assert (q3.kind, q3.options, q3.required) == (QuestionKind.text, [], False)


def test_import_with_publish_publishes_it(app, db, write_json):
    result = invoke(app, "import-consultation", write_json(DOCUMENT), "--publish")

    assert result.exit_code == 0, result.output
    consultation = get_by_reference(db, "SSI-2017")
    assert consultation.status_at(utcnow()) is ConsultationStatus.open


def test_import_reads_standard_input_given_a_dash(app, db):
    result = invoke(app, "import-consultation", "-", input=json.dumps(DOCUMENT))

    assert result.exit_code == 0, result.output
    assert db.scalar(select(Consultation.reference)) == "SSI-2017"


def test_export_then_import_gives_back_the_same_consultation(app, db):
    factories.make_consultation(db, "TEST-1")
    exported = invoke(app, "export-consultation", "TEST-1")
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.stdout)

    document["reference"] = "TEST-2"
    imported = invoke(app, "import-consultation", "-", input=json.dumps(document))
    assert imported.exit_code == 0, imported.output
    again = json.loads(invoke(app, "export-consultation", "TEST-2").stdout)

    assert again == document


def test_export_prints_the_contract_format_with_defaults_spelt_out(app, write_json):
    invoke(app, "import-consultation", write_json(DOCUMENT))

    result = invoke(app, "export-consultation", "SSI-2017")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == with_question_changes(1, required=True)


def sectioned() -> dict:
    """DOCUMENT with q1 and q3 in "Impact" and q2 in "Costs"."""
    document = copy.deepcopy(DOCUMENT)
    for question, section in zip(document["questions"], ["Impact", "Costs", "Impact"], strict=True):
        question["section"] = section
    return document


def test_import_creates_sections_in_order_of_first_appearance(app, db, write_json):
    invoke(app, "import-consultation", write_json(sectioned()))

    consultation = get_by_reference(db, "SSI-2017", include_drafts=True)
    assert [(s.position, s.title) for s in consultation.sections] == [(1, "Impact"), (2, "Costs")]
    sections = {q.key: q.section.title for q in consultation.questions}
    assert sections == {"q1": "Impact", "q2": "Costs", "q3": "Impact"}


def test_import_without_sections_creates_none(app, db, write_json):
    invoke(app, "import-consultation", write_json(DOCUMENT))

    consultation = get_by_reference(db, "SSI-2017", include_drafts=True)
    assert consultation.sections == []
    assert all(q.section_id is None for q in consultation.questions)


def test_export_writes_each_questions_section_back(app, write_json):
    invoke(app, "import-consultation", write_json(sectioned()))

    result = invoke(app, "export-consultation", "SSI-2017")

    exported = json.loads(result.stdout)
    assert [q.get("section") for q in exported["questions"]] == ["Impact", "Costs", "Impact"]


def test_export_refuses_an_unknown_reference(app):
    result = invoke(app, "export-consultation", "NOPE-1")

    assert_refused(result, "No consultation with reference NOPE-1")


def test_import_refuses_malformed_json_naming_the_line_and_column(app, write_json):
    before = row_counts(app)

    result = invoke(app, "import-consultation", write_json('{\n  "reference": "X",\n  oops\n}'))

    assert_refused(result, "not valid JSON: line 3 column 3:")
    assert row_counts(app) == before


def test_import_refuses_an_unknown_question_kind(app, write_json):
    before = row_counts(app)

    result = invoke(
        app, "import-consultation", write_json(with_question_changes(1, kind="dropdown"))
    )

    assert_refused(
        result,
        "questions[1].kind: unknown question kind 'dropdown' "
        "(use single_choice, multiple_choice, text)",
    )
    assert row_counts(app) == before


def test_import_refuses_a_duplicate_reference(app, db, write_json):
    factories.make_consultation(db, "SSI-2017")
    before = row_counts(app)

    result = invoke(app, "import-consultation", write_json(DOCUMENT))

    assert_refused(result, "a consultation with reference SSI-2017 already exists")
    assert row_counts(app) == before


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (with_changes(status="open"), "status: unknown field"),
        (with_question_changes(0, colour="red"), "questions[0].colour: unknown field"),
        (with_changes(reference="SSI 2017/a"), "reference: 'SSI 2017/a' may contain only"),
        (with_changes(kind="survey"), "kind: unknown consultation kind 'survey' (use"),
        (with_changes(opens_at="2017-06-07T09:00:00"), "opens_at: '2017-06-07T09:00:00' needs"),
        (with_changes(closes_at="21 June 2017"), "closes_at: '21 June 2017' is not an ISO 8601"),
        (
            with_changes(opens_at=f"{NEXT_YEAR}-06-21T17:00:00+01:00"),
            "closes_at: must be after opens_at",
        ),
        (with_changes(title=""), "title: must not be blank"),
        (with_changes(summary="x" * 50_001), "summary: must be 50,000 characters or fewer"),
        (with_changes(title=42), "title: must be a string"),
        (with_changes(questions="q1"), "questions: must be a list"),
        (with_question_changes(2, key="q1"), "questions: the key 'q1' is used more than once"),
        (with_question_changes(1, key="check"), "questions[1].key: 'check' is reserved for a"),
        (with_question_changes(0, options=["Yes"]), "questions[0].options: a choice question"),
        (with_question_changes(1, options=["A", "A"]), "questions[1].options: options must be"),
        (with_question_changes(2, options=["A", "B"]), "questions[2].options: a text question"),
        (with_question_changes(2, rationale="Why?"), "questions[2].rationale: a text question"),
        (with_question_changes(0, required="yes"), "questions[0].required: must be true or"),
        (with_question_changes(0, max_length=0), "questions[0].max_length: must be a whole"),
        (
            with_question_changes(0, max_length=20_001),
            "questions[0].max_length: must be a whole number from 1 to 20,000",
        ),
        (
            with_question_changes(2, key="Q1"),
            "questions: the keys 'q1' and 'Q1' differ only in case: use one of them",
        ),
        (with_question_changes(0, section=" "), "questions[0].section: must not be blank"),
        (
            {
                **DOCUMENT,
                "questions": [
                    {**DOCUMENT["questions"][0], "section": "Impact"},
                    {**DOCUMENT["questions"][1], "section": " impact "},
                    DOCUMENT["questions"][2],
                ],
            },
            "questions: the sections 'Impact' and 'impact' differ only in case: use one of them",
        ),
        (with_question_changes(0, section=7), "questions[0].section: must be a string"),
        (with_changes(questions=[{"kind": "text"}]), "questions[0].key: is required"),
        ([DOCUMENT], "must be a JSON object"),
        (with_changes(title="SSI\x00"), "the document contains a null character (\\u0000)"),
        (with_question_changes(0, options=["Yes", "N\x00o"]), "contains a null character"),
    ],
)
def test_import_refuses_invalid_values_naming_them(app, write_json, document, message):
    before = row_counts(app)

    result = invoke(app, "import-consultation", write_json(json.dumps(document)))

    assert_refused(result, message)
    assert row_counts(app) == before


def test_import_reports_every_problem_at_once_on_one_line(app, write_json):
    document = with_changes(kind="survey", extra=True)
    document["questions"][1]["kind"] = "dropdown"

    result = invoke(app, "import-consultation", write_json(document))

    assert_refused(result, "extra: unknown field", "kind: unknown", "questions[1].kind:")


def test_import_refuses_a_file_that_does_not_exist(app, tmp_path):
    result = invoke(app, "import-consultation", str(tmp_path / "missing.json"))

    assert_refused(result, "cannot read", "missing.json")
