"""Hostile documents to import-consultation: random JSON, and valid documents with
fields dropped, retyped or filled with hostile values. Either the consultation is
imported, or the command exits non-zero with one line and nothing is saved."""

import json
from copy import deepcopy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import assert_refused, invoke, row_counts
from tests.fuzz_helpers import HOSTILE, VALUES

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

VALID = {
    "reference": "SSI-2017",
    "title": "Changing the end date of the SSI variations",
    "kind": "panel_consultation",
    "summary": "Markdown text",
    "opens_at": "2017-06-07T09:00:00+01:00",
    "closes_at": "2017-06-21T17:00:00+01:00",
    "questions": [
        {
            "key": "q1",
            "kind": "single_choice",
            "text": "Do you agree?",
            "hint": "Say why",
            "options": ["Yes", "No"],
            "rationale": "Please provide your rationale",
            "required": True,
        },
        {"key": "q2", "kind": "multiple_choice", "text": "Which?", "options": ["A", "B"]},
        {"key": "q3", "kind": "text", "text": "Any other comments?", "required": False},
    ],
}

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | VALUES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_document(draw) -> object:
    """A valid document with a few of its fields (top level or in a question) spoiled."""
    document = deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        target = document
        questions = document.get("questions")
        if draw(st.booleans()) and isinstance(questions, list) and questions:
            candidate = questions[draw(st.integers(0, len(questions) - 1))]
            target = candidate if isinstance(candidate, dict) else document
        key = draw(st.sampled_from(sorted(target) + ["unknown_field"]))
        action = draw(st.sampled_from(["drop", "hostile", "any"]))
        if action == "drop":
            target.pop(key, None)
        else:
            target[key] = draw(HOSTILE if action == "hostile" else JSON_VALUES)
    questions = document.get("questions")
    if draw(st.booleans()) and isinstance(questions, list) and questions:
        questions.append(deepcopy(questions[0]))  # a duplicate question key
    return document


def import_text(app, tmp_path, text: str):
    path = tmp_path / "consultation.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return invoke(app, "import-consultation", str(path))


def check(app, tmp_path, text: str) -> None:
    before = row_counts(app)
    result = import_text(app, tmp_path, text)
    if result.exit_code == 0:
        assert result.output.strip(), "an import prints the reference"
        return
    assert_refused(result)
    assert row_counts(app) == before, f"refused but saved something: {result.stderr}"


def test_the_valid_document_imports(app, tmp_path):
    assert import_text(app, tmp_path, json.dumps(VALID)).output.strip() == "SSI-2017"


@FUZZ
@given(document=JSON_VALUES)
def test_random_json_is_refused_cleanly(app, tmp_path, document):
    check(app, tmp_path, json.dumps(document))


@FUZZ
@given(document=mutated_document())
def test_spoiled_documents_are_imported_or_refused_cleanly(app, tmp_path, document):
    check(app, tmp_path, json.dumps(document, ensure_ascii=False))


@FUZZ
@given(text=st.one_of(HOSTILE, st.text(max_size=300), st.binary(max_size=200).map(repr)))
def test_text_that_is_not_json_is_refused_cleanly(app, tmp_path, text):
    check(app, tmp_path, text)
