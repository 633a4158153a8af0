"""Charts for the report, drawn with matplotlib and embedded as base64 PNG data URIs."""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: the report is built on servers and in tests
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

COLOUR = "#1f6f5c"
HIDDEN = "#c9c9c9"


def _data_uri(figure, layout: bool = True) -> str:
    buffer = io.BytesIO()
    # tight_layout once, rather than savefig's bbox_inches="tight", which draws every chart twice
    # (a third of the page's time in the report benchmark). The bar charts set their own margins
    # from their labels' measured widths (no layout pass at all: half of each chart's time).
    if layout:
        figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _margins(figure, labels: Sequence[str], size: float, horizontal: bool, unit: str) -> None:
    """Room for the tick labels, measured (not drawn), so no layout pass is needed."""
    renderer = figure.canvas.get_renderer()
    font = FontProperties(size=size)
    widest = max((renderer.get_text_width_height_descent(label, font, ismath=False)[0] for label in labels),
                 default=0.0) / figure.dpi
    width, height = figure.get_size_inches()
    line = 0.25 if unit else 0.0
    if horizontal:
        figure.subplots_adjust(left=min(0.7, (widest + 0.25) / width), right=0.97,
                               bottom=(0.35 + line) / height, top=1 - 0.1 / height)
    else:
        # Labels turned 45 degrees: their height is their width over the square root of two.
        figure.subplots_adjust(left=(0.55 + line) / width, right=0.98,
                               bottom=min(0.6, (widest * 0.71 + 0.25) / height), top=1 - 0.1 / height)


def bars(labels: Sequence[str], values: Sequence[int | None], hidden_label: str, *,
         horizontal: bool = True, unit: str = "") -> str:
    """A bar per category; a suppressed count gets a grey stub marked "<5", never its value.

    Drawn once for the same figures: a chart with no translated words (the weeks) serves both languages.
    """
    return _bars(tuple(labels), tuple(values), hidden_label, horizontal, unit)


@lru_cache(maxsize=64)
def _bars(labels: tuple[str, ...], values: tuple[int | None, ...], hidden_label: str, horizontal: bool,
          unit: str) -> str:
    shown = [v for v in values if v]
    stub = max(shown, default=1) * 0.02 or 0.02
    heights = [v if v is not None else stub for v in values]
    colours = [COLOUR if v is not None else HIDDEN for v in values]
    if horizontal:
        figure, axes = plt.subplots(figsize=(6.2, 0.3 * len(labels) + 0.8))
        positions = range(len(labels))[::-1]
        axes.barh(list(positions), heights, color=colours)
        axes.set_yticks(list(positions), labels)
        for y, v, h in zip(positions, values, heights):
            axes.text(h, y, f" {v}" if v is not None else f" {hidden_label}", va="center", fontsize=9)
        axes.set_xlabel(unit)
        axes.margins(x=0.12)
    else:
        figure, axes = plt.subplots(figsize=(7.6, 3.0))
        axes.bar(range(len(labels)), heights, color=colours)
        step = max(1, len(labels) // 14)
        axes.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)],
                        rotation=45, ha="right", fontsize=8)
        for x, v in enumerate(values):
            if v is None:
                axes.text(x, stub, hidden_label, ha="center", va="bottom", fontsize=7, rotation=90)
        axes.set_ylabel(unit)
    if not shown:
        # Every count is hidden: a scale would only measure the grey stubs.
        (axes.set_xticks if horizontal else axes.set_yticks)([])
        (axes.set_xlim if horizontal else axes.set_ylim)(0, 1)
    axes.spines[["top", "right"]].set_visible(False)
    _margins(figure, labels, 10 if horizontal else 8, horizontal, unit)
    return _data_uri(figure, layout=False)


def changes(labels: Sequence[str], means: Sequence[float], lows: Sequence[float], highs: Sequence[float]) -> str:
    """Mean change with its confidence interval, one row per measure, around a zero line."""
    figure, axes = plt.subplots(figsize=(6.2, 0.4 * len(labels) + 0.8))
    positions = list(range(len(labels)))[::-1]
    errors = [[m - lo for m, lo in zip(means, lows)], [hi - m for m, hi in zip(means, highs)]]
    axes.errorbar(means, positions, xerr=errors, fmt="o", color=COLOUR, capsize=4)
    axes.axvline(0, color="#666666", linewidth=0.8)
    axes.set_yticks(positions, labels)
    axes.spines[["top", "right"]].set_visible(False)
    return _data_uri(figure)


def change_panels(panels: Sequence[dict], better_word: str, worse_word: str) -> str:
    """One small panel per measure, each on its own scale, with "better" always to the right.

    A panel dict: label, change, ci_low, ci_high, better ("higher"/"lower"), threshold (or None).
    Measures where lower is better (loneliness, anxiety) are drawn with the axis reversed, so an
    improvement never reads as harm; the reliable-change threshold is marked either side of zero.
    """
    count = len(panels)
    figure, axes_list = plt.subplots(count, 1, figsize=(6.2, 1.05 * count + 0.5), squeeze=False)
    for axes, panel in zip((a[0] for a in axes_list), panels):
        mean, low, high = panel["change"], panel["ci_low"], panel["ci_high"]
        reach = max(abs(low), abs(high), panel.get("threshold") or 0, 0.5) * 1.25
        axes.errorbar([mean], [0], xerr=[[mean - low], [high - mean]], fmt="o", color=COLOUR, capsize=5)
        axes.axvline(0, color="#666666", linewidth=0.8)
        if panel.get("threshold"):
            for x in (-panel["threshold"], panel["threshold"]):
                axes.axvline(x, color="#999999", linewidth=0.8, linestyle=":")
        axes.set_xlim(-reach, reach)
        if panel.get("better") == "lower":
            axes.invert_xaxis()
        axes.set_yticks([])
        axes.set_title(panel["label"], fontsize=9, loc="left")
        axes.text(1.0, -0.55, f"{better_word} →", transform=axes.transAxes, ha="right", fontsize=7, color="#1f6f5c")
        axes.text(0.0, -0.55, f"← {worse_word}", transform=axes.transAxes, ha="left", fontsize=7, color="#8a3b12")
        axes.spines[["top", "right", "left"]].set_visible(False)
        axes.tick_params(axis="x", labelsize=8)
    # Fixed margins (no layout pass): each panel has a title above and tick labels and the
    # better/worse words below, and no labels at its sides.
    height = 1.05 * count + 0.5
    figure.subplots_adjust(left=0.05, right=0.95, top=1 - 0.3 / height, bottom=0.55 / height,
                           hspace=(1.05 * count + 0.5 - 0.85) / count / 0.4 - 1)
    return _data_uri(figure, layout=False)
