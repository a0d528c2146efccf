"""Charts as PNG, each with a text equivalent that says the same in words.

matplotlib is imported inside the drawing function, with the Agg backend (no display), so
the bot's start-up and slash commands never pay for it.

BRAG colours are dark enough that white count labels on a bar meet WCAG's 4.5:1 for text,
and so every bar also stands out from the white page by more than WCAG's 3:1 for graphics.
"""

from __future__ import annotations

import io
import struct
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.board_status import StatusCounts
from bot.core.dates import format_day
from bot.core.statuses import Status
from bot.core.trend import TrendPoint

BRAG_COLOURS: dict[Status, str] = {
    Status.BLUE: "#1F5FAD",
    Status.GREEN: "#1E7B34",
    Status.AMBER: "#9E5A00",
    Status.RED: "#C0271C",
    Status.NOT_STARTED: "#5F6368",
}
LABEL_COLOUR = "#FFFFFF"
PAGE_COLOUR = "#FFFFFF"
# Stacked left to right: done, then on track, at risk, off track, not started.
STACK_ORDER = (Status.BLUE, Status.GREEN, Status.AMBER, Status.RED, Status.NOT_STARTED)
COLOUR_NAMES = {
    Status.BLUE: "Blue",
    Status.GREEN: "Green",
    Status.AMBER: "Amber",
    Status.RED: "Red",
    Status.NOT_STARTED: "Not started",
}
# "Blue: complete", "Green: on track", … and plain "Not started".
LEGEND_NAMES = {
    s: name if s is Status.NOT_STARTED else f"{name}: {s.label.lower()}"
    for s, name in COLOUR_NAMES.items()
}
# The impact mix beside it: evidenced, emerging, not yet evidenced. Hues none of BRAG's (teal,
# purple, dark grey), each as dark as BRAG's so white labels and the page contrast alike.
IMPACT_ORDER = ("evidenced", "emerging", "not_yet")
IMPACT_COLOURS = {"evidenced": "#00665E", "emerging": "#6B3FA0", "not_yet": "#3F3F3F"}
IMPACT_NAMES = {
    "evidenced": "Impact evidenced",
    "emerging": "Impact emerging",
    "not_yet": "Not yet evidenced",
}
THEME_LABEL_WIDTH = 32  # characters a line; a theme's name takes at most two lines
DPI = 150
SMALL_DPI = 80  # the digest's chart: about 600 pixels wide


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt_text: str
    width_px: int
    height_px: int


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header; ValueError when it isn't a PNG."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two `#RRGGBB` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _counts_words(counts: StatusCounts) -> str:
    parts = [
        f"{getattr(counts, status.value)} {status.label.lower()}"
        for status in STACK_ORDER
        if getattr(counts, status.value)
    ]
    return ", ".join(parts) if parts else "no actions"


def brag_by_theme_text(themes: Sequence[tuple[str, StatusCounts]]) -> str:
    """The chart in words: every theme's counts, then the board's."""
    if not themes:
        return "Bar chart of actions by status for each theme: there are no themes yet."
    lines = ["Bar chart of actions by status (BRAG) for each theme."]
    for name, counts in themes:
        total = counts.total
        lines.append(
            f"{name}: {total} {'action' if total == 1 else 'actions'}, "
            f"{counts.percent_complete}% complete — {_counts_words(counts)}."
        )
    return " ".join(lines)


def brag_by_theme_chart(themes: Sequence[tuple[str, StatusCounts]], *, dpi: int = DPI) -> Chart:
    """Stacked horizontal bars, one per theme (top to bottom in plan order), segments by status,
    each segment labelled with its count; a lower `dpi` for a small chart (the digest's)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [
        "\n".join(textwrap.wrap(" ".join(name.split()), THEME_LABEL_WIDTH, max_lines=2))
        for name, _ in themes
    ] or ["(no themes)"]
    rows = len(names)
    figure = Figure(
        figsize=(7.5, 1.0 + 0.42 * rows), dpi=dpi, facecolor=PAGE_COLOUR, layout="constrained"
    )
    axes = figure.add_subplot()
    positions = list(range(rows))
    left = [0] * rows
    for status in STACK_ORDER:
        values = [getattr(counts, status.value) for _, counts in themes] or [0]
        bars = axes.barh(
            positions,
            values,
            left=left,
            color=BRAG_COLOURS[status],
            edgecolor=PAGE_COLOUR,
            linewidth=0.8,
            label=LEGEND_NAMES[status],
        )
        for bar, value in zip(bars, values, strict=True):
            if value:
                axes.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(value),
                    ha="center",
                    va="center",
                    color=LABEL_COLOUR,
                    fontsize=8,
                    fontweight="bold",
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(positions, labels=names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("Actions", fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.legend(loc="outside lower center", ncol=5, fontsize=7, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor=PAGE_COLOUR, bbox_inches="tight")
    png = buffer.getvalue()
    width, height = png_size(png)
    return Chart(png=png, alt_text=brag_by_theme_text(themes), width_px=width, height_px=height)


# ---------------------------------------------------------------- the trend


def _point_name(point: TrendPoint) -> str:
    return f"Now ({format_day(point.day)})" if point.is_now else format_day(point.day)


def _impact_values(point: TrendPoint) -> dict[str, int]:
    return {
        "evidenced": point.impact.impact_evidenced,
        "emerging": point.impact.impact_emerging,
        "not_yet": point.not_yet_evidenced,
    }


def trend_text(points: Sequence[TrendPoint]) -> str:
    """The trend chart in words: each meeting's BRAG and impact mix, oldest first."""
    meetings = [p for p in points if not p.is_now]
    if not meetings:
        head = "Trend of the board's actions: no meeting yet to compare with."
    else:
        head = (
            "Trend of the board's actions by status (BRAG) and impact at "
            + (
                "the last meeting"
                if len(meetings) == 1
                else f"each of the last {len(meetings)} meetings"
            )
            + ", then now."
        )
    lines = [head]
    for point in points:
        impact = _impact_values(point)
        lines.append(
            f"{_point_name(point)}: {point.actions} "
            f"{'action' if point.actions == 1 else 'actions'} — {_counts_words(point.counts)}; "
            f"impact {impact['evidenced']} evidenced, {impact['emerging']} emerging, "
            f"{impact['not_yet']} not yet evidenced."
        )
    return " ".join(lines)


def trend_chart(points: Sequence[TrendPoint]) -> Chart:
    """Two panels of stacked columns, one column a meeting (oldest on the left, now last):
    BRAG on the left, the impact mix on the right, segments labelled with their counts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [_point_name(p).replace(" (", "\n(").replace(" 20", "\n20", 1) for p in points]
    figure = Figure(figsize=(7.5, 3.6), dpi=DPI, facecolor=PAGE_COLOUR, layout="constrained")
    brag_axes, impact_axes = figure.subplots(1, 2, sharey=True)
    positions = list(range(len(points)))

    def stack(axes: Any, series: list[tuple[str, str, list[int]]]) -> None:
        bottom = [0] * len(points)
        for label, colour, values in series:
            bars = axes.bar(
                positions, values, bottom=bottom, color=colour, edgecolor=PAGE_COLOUR,
                linewidth=0.8, label=label, width=0.7,
            )  # fmt: skip
            for bar, value in zip(bars, values, strict=True):
                if value:
                    axes.text(
                        bar.get_x() + bar.get_width() / 2,
                        bar.get_y() + bar.get_height() / 2,
                        str(value), ha="center", va="center", color=LABEL_COLOUR,
                        fontsize=7, fontweight="bold",
                    )  # fmt: skip
            bottom = [a + b for a, b in zip(bottom, values, strict=True)]
        axes.set_xticks(positions, labels=names, fontsize=6.5)
        axes.tick_params(axis="y", labelsize=7)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=6.5,
                    frameon=False)  # fmt: skip

    stack(
        brag_axes,
        [(LEGEND_NAMES[s], BRAG_COLOURS[s], [p.counts[s] for p in points]) for s in STACK_ORDER],
    )
    brag_axes.set_title("Delivery (BRAG)", fontsize=9)
    brag_axes.set_ylabel("Actions", fontsize=8)
    stack(
        impact_axes,
        [
            (IMPACT_NAMES[k], IMPACT_COLOURS[k], [_impact_values(p)[k] for p in points])
            for k in IMPACT_ORDER
        ],
    )
    impact_axes.set_title("Impact", fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor=PAGE_COLOUR, bbox_inches="tight")
    png = buffer.getvalue()
    width, height = png_size(png)
    return Chart(png=png, alt_text=trend_text(points), width_px=width, height_px=height)
