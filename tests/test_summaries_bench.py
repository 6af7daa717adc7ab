"""`make bench` keeps working: its generated data loads, and every figure it measures runs
(on a dozen responses, so the test is quick)."""

import pytest

from bench import data, probe
from bench.__main__ import Figure
from consult.consultations.service import get_by_reference
from consult.db import make_engine
from consult.summaries.service import Version, iter_response_rows, summary_questions


@pytest.fixture
def generated(database_url: str) -> str:
    engine = make_engine(database_url)
    data.generate(engine, 12)
    engine.dispose()
    return database_url


def test_generated_consultation_has_the_responses_asked_for(app, db, generated):
    consultation = get_by_reference(db, data.REFERENCE)
    questions = summary_questions(consultation)
    rows = list(iter_response_rows(db, data.REFERENCE, consultation.id, questions, Version.panel))
    assert len(rows) == 12
    assert [q.kind.value for q in questions].count("text") == 4
    rationale = rows[0].cell(questions[0]).rationale
    assert 300 <= len(rationale) <= 460


@pytest.mark.parametrize("what", sorted(probe.MEASURES))
def test_every_bench_figure_runs(generated, what):
    result = probe.measure(generated, what)
    assert result["size"] > 0
    assert result["queries"] >= 1
    assert result["seconds"] >= 0 and result["peak_mb"] >= 0


def test_bench_lines_have_the_agreed_fields():
    with_bare = Figure("sqlite", "csv", 100, 0.5, 0.25, 3.0, 10, 1000)
    assert with_bare.line() == "BENCH sqlite csv 100 0.5000 0.2500 2.00 3.0 10"
    without = Figure("postgresql", "bare-dump", 100, 0.25, None, 1.0, 1, 100)
    assert without.line() == "BENCH postgresql bare-dump 100 0.2500 - - 1.0 1"
