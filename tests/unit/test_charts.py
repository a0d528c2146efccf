"""Charts: BRAG colours people can tell apart from the page and read numbers on, a PNG of the
right shape, and a text equivalent that says the same in words."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.core.board_status import StatusCounts
from bot.core.statuses import Status
from bot.render.charts import (
    BRAG_COLOURS,
    LABEL_COLOUR,
    PAGE_COLOUR,
    brag_by_theme_chart,
    brag_by_theme_text,
    contrast_ratio,
    png_size,
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
