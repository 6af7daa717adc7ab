"""A horizontal stacked bar chart of a choice question's tally, drawn as inline SVG.

The geometry is worked out here, in plain Python, so the template only places shapes.
Colours are SVG presentation attributes (``fill``), not ``style`` attributes, which the
Content-Security-Policy forbids. Each party category keeps its colour in every chart.
"""

from dataclasses import dataclass

from consult.models import PartyCategory
from consult.summaries.service import CATEGORIES, Tally

# Colours from the GOV.UK palette, each at least 3:1 against white (WCAG 1.4.11).
COLOURS = {
    PartyCategory.large_supplier: "#1d70b8",
    PartyCategory.small_supplier: "#00703c",
    PartyCategory.electricity_network: "#4c2c92",
    PartyCategory.gas_network: "#d4351c",
    PartyCategory.other_sec_party: "#003078",
    PartyCategory.dcc: "#a8325e",
    PartyCategory.non_party: "#505a5f",
}

WIDTH = 640
BAR_AREA = 540  # the longest bar; the rest holds its count
BAR_HEIGHT = 22
LABEL_HEIGHT = 20
ROW_GAP = 12
MAX_LABEL = 80


@dataclass(frozen=True)
class Segment:
    """One category's part of a bar."""

    category: PartyCategory
    count: int
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    """One option: its label above, its bar below, the count at the bar's end."""

    label: str
    total: int
    label_y: int
    bar_y: int
    segments: list[Segment]
    total_x: float
    total_y: int


@dataclass(frozen=True)
class Chart:
    """Everything the template needs to draw a tally."""

    key: str
    label: str
    width: int
    height: int
    bars: list[Bar]
    legend: list[tuple[PartyCategory, str]]
    description: str


def bar_chart(tally: Tally) -> Chart:
    """The chart of one choice question's counts per option, stacked by party category."""
    question = tally.question
    longest = max((tally.option_total(o) for o in question.options), default=0)
    scale = BAR_AREA / longest if longest else 0
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    bars = []
    for position, option in enumerate(question.options):
        top = position * row_height
        bar_y = top + LABEL_HEIGHT
        segments, x = [], 0.0
        for category in CATEGORIES:
            count = tally.count(option, category)
            if count:
                width = round(count * scale, 2)
                segments.append(Segment(category, count, round(x, 2), width, COLOURS[category]))
                x += width
        total = tally.option_total(option)
        bars.append(
            Bar(_short(option), total, top + 15, bar_y, segments, round(x + 6, 2), bar_y + 16)
        )
    used = [c for c in CATEGORIES if tally.category_total(c)]
    return Chart(
        key=question.key,
        label=question.label,
        width=WIDTH,
        height=max(row_height * len(bars), row_height),
        bars=bars,
        legend=[(c, COLOURS[c]) for c in used],
        description=_describe(tally),
    )


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _describe(tally: Tally) -> str:
    counts = ", ".join(f"{o}: {tally.option_total(o)}" for o in tally.question.options)
    return (
        f"Bar chart of the answers to {tally.question.label.lower()}, by party category. {counts}. "
        "The table that follows gives every figure."
    )
