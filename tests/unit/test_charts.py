"""Charts: BRAG colours people can tell apart from the page and read numbers on, a PNG of the
right shape, and a text equivalent that says the same in words."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from bot.core.board_status import StatusCounts
from bot.core.impact import ActionImpact, Impact
from bot.core.statuses import Status
from bot.core.trend import trend_point
from bot.render.charts import (
    BRAG_COLOURS,
    IMPACT_COLOURS,
    LABEL_COLOUR,
    PAGE_COLOUR,
    SMALL_DPI,
    brag_by_theme_chart,
    brag_by_theme_text,
    contrast_ratio,
    png_size,
    trend_chart,
    trend_text,
)

THEMES = [
    ("1 Leadership and governance", StatusCounts(green=3, blue=2)),
    ("2 Placement stability", StatusCounts(not_started=1, amber=2, red=1)),
    ("3 A theme whose title runs on far longer than a chart label can hold", StatusCounts()),
]


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("status", list(Status))
def test_count_labels_are_readable_on_every_bar(status: Status) -> None:
    assert contrast_ratio(LABEL_COLOUR, BRAG_COLOURS[status]) >= 4.5  # WCAG 1.4.3, text


@pytest.mark.parametrize("status", list(Status))
def test_every_bar_stands_out_from_the_page(status: Status) -> None:
    assert contrast_ratio(PAGE_COLOUR, BRAG_COLOURS[status]) >= 3.0  # WCAG 1.4.11, graphics


@pytest.mark.parametrize("kind", list(IMPACT_COLOURS))
def test_impact_colours_meet_wcag_too(kind: str) -> None:
    assert contrast_ratio(LABEL_COLOUR, IMPACT_COLOURS[kind]) >= 4.5
    assert contrast_ratio(PAGE_COLOUR, IMPACT_COLOURS[kind]) >= 3.0
    assert IMPACT_COLOURS[kind] not in BRAG_COLOURS.values()


POINTS = (
    trend_point(dt.date(2019, 4, 9), [ActionImpact("1.1", Status.NOT_STARTED)] * 3),
    trend_point(
        dt.date(2019, 5, 14),
        [
            ActionImpact("1.1", Status.RED),
            ActionImpact("1.2", Status.BLUE, Impact.EVIDENCED, "audit"),
            ActionImpact("1.3", Status.GREEN, Impact.EMERGING),
        ],
    ),
    trend_point(
        dt.date(2019, 5, 16),
        [
            ActionImpact("1.1", Status.AMBER),
            ActionImpact("1.2", Status.BLUE, Impact.EVIDENCED, "audit"),
            ActionImpact("1.3", Status.GREEN, Impact.EVIDENCED),  # said, with no evidence
            ActionImpact("1.4", Status.NOT_STARTED),
        ],
        is_now=True,
    ),
)


def test_the_trend_in_words_gives_every_meeting_and_now() -> None:
    assert trend_text(POINTS) == (
        "Trend of the board's actions by status (BRAG) and impact at each of the last 2 "
        "meetings, then now. "
        "9 April 2019: 3 actions — 3 not started; impact 0 evidenced, 0 emerging, 3 not yet "
        "evidenced. "
        "14 May 2019: 3 actions — 1 complete, 1 on track, 1 off track; impact 1 evidenced, "
        "1 emerging, 1 not yet evidenced. "
        "Now (16 May 2019): 4 actions — 1 complete, 1 on track, 1 at risk, 1 not started; "
        "impact 1 evidenced, 0 emerging, 3 not yet evidenced."
    )
    assert trend_text(POINTS[-1:]).startswith("Trend of the board's actions: no meeting yet")
    assert trend_text(POINTS[1:]).startswith(
        "Trend of the board's actions by status (BRAG) and impact at the last meeting, then now."
    )


def test_the_trend_chart_is_a_png_sized_for_a_page() -> None:
    chart = trend_chart(POINTS)
    assert png_size(chart.png) == (chart.width_px, chart.height_px)
    assert 900 <= chart.width_px <= 1400 and 350 <= chart.height_px <= 800
    assert len(chart.png) > 10_000
    assert chart.alt_text == trend_text(POINTS)


def test_the_digest_chart_is_small() -> None:
    chart = brag_by_theme_chart(THEMES, dpi=SMALL_DPI)
    assert 450 <= chart.width_px <= 750
    assert len(chart.png) < 60_000


def test_the_chart_is_a_png_sized_for_a_page() -> None:
    chart = brag_by_theme_chart(THEMES)
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_size(chart.png) == (chart.width_px, chart.height_px)
    assert 900 <= chart.width_px <= 1400
    assert 250 <= chart.height_px <= 900
    assert chart.alt_text == brag_by_theme_text(THEMES)


def test_the_text_equivalent_says_every_count_in_words() -> None:
    text = brag_by_theme_text(THEMES)
    assert text == (
        "Bar chart of actions by status (BRAG) for each theme. "
        "1 Leadership and governance: 5 actions, 40% complete — 2 complete, 3 on track. "
        "2 Placement stability: 4 actions, 0% complete — 2 at risk, 1 off track, 1 not started. "
        "3 A theme whose title runs on far longer than a chart label can hold: 0 actions, "
        "0% complete — no actions."
    )
    assert brag_by_theme_text([]).endswith("there are no themes yet.")


def test_png_size_refuses_what_is_not_a_png() -> None:
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + b"\0" * 30)


def test_matplotlib_stays_out_of_start_up() -> None:
    code = (
        "import sys, bot.cli, bot.app, bot.render.paper; "
        "print('matplotlib' in sys.modules, 'docx' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"]
