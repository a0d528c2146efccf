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

from bot.core.board_status import StatusCounts
from bot.core.statuses import Status

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
THEME_LABEL_WIDTH = 32  # characters a line; a theme's name takes at most two lines
DPI = 150


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


def brag_by_theme_chart(themes: Sequence[tuple[str, StatusCounts]]) -> Chart:
    """Stacked horizontal bars, one per theme (top to bottom in plan order), segments by status,
    each segment labelled with its count."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    names = [
        "\n".join(textwrap.wrap(" ".join(name.split()), THEME_LABEL_WIDTH, max_lines=2))
        for name, _ in themes
    ] or ["(no themes)"]
    rows = len(names)
    figure = Figure(
        figsize=(7.5, 1.3 + 0.5 * rows), dpi=DPI, facecolor=PAGE_COLOUR, layout="constrained"
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
    axes.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.legend(loc="outside lower center", ncol=5, fontsize=7, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor=PAGE_COLOUR, bbox_inches="tight")
    png = buffer.getvalue()
    width, height = png_size(png)
    return Chart(png=png, alt_text=brag_by_theme_text(themes), width_px=width, height_px=height)
