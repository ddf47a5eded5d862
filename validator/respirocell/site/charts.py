"""The home page's charts, drawn once at build time as SVG by matplotlib.

Output is deterministic: a fixed hash salt for the SVG's ids, no date or creator in its
metadata, text kept as text (``svg.fonttype: none``, so no glyph outlines and the reader's
sans-serif draws it) and DejaVu Sans, which ships with matplotlib, for the layout. Labels from
records are drawn as written (``parse_math=False``): a name holding '$' is not mathtext, which
would draw it otherwise or stop the build. Every
chart has a text alternative and a data table beside it on the page; the evidence map's
markers are also an HTML image map (``areas``), so each cell links to the filtered study list
with a keyboard and without JavaScript.

A study's forest-style chart is HTML (``templates/_forest.html``), not matplotlib: at 40 ms
a figure it would cost minutes on a large corpus, and as a table it is readable as it is.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Phase groups, most advanced last: (label, the StudyPhase values in it, colour); no phase is
#: the empty string.
#: Colours have at least 3:1 contrast on white (WCAG 1.4.11) and stay apart for colour-blind readers.
PHASE_GROUPS: list[tuple[str, tuple[str, ...], str]] = [
    ("No phase given", ("", "not_applicable"), "#767676"),
    ("Phase 1", ("early_phase_1", "phase_1"), "#0072B2"),
    ("Phase 1/2", ("phase_1_2",), "#009E73"),
    ("Phase 2", ("phase_2",), "#B8860B"),
    ("Phase 2/3 to 4", ("phase_2_3", "phase_3", "phase_4"), "#C0392B"),
]
_RC: dict[str, Any] = {
    "svg.hashsalt": "respirocell",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_METADATA = {"Date": None, "Creator": None}


def phase_group(phase: str | None) -> tuple[str, str]:
    """(label, colour) of the group holding ``phase`` (a StudyPhase value, or None)."""
    return next(((name, colour) for name, phases, colour in PHASE_GROUPS if (phase or "") in phases),
                (PHASE_GROUPS[0][0], PHASE_GROUPS[0][2]))


@dataclass(frozen=True)
class Area:
    """One clickable circle of an image map, in the image's pixels."""

    x: int
    y: int
    r: int
    href: str
    alt: str


@dataclass(frozen=True)
class Chart:
    svg: bytes
    width: int
    height: int
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True)
class MapCell:
    row: int
    col: int
    studies: int
    participants: int
    top_phase: str | None
    results: bool
    href: str
    alt: str


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(cast(Any, _RC)):
        yield Figure(figsize=(width, height), dpi=72)  # 72 dpi: one SVG point is one pixel


def _svg(fig: Figure, title: str) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={**_METADATA, "Title": title})
    return buffer.getvalue()


def marker_area(participants: int) -> float:
    """Marker area in points²: grows with the square root of participants so that a
    1,000-participant trial does not hide a 10-participant one."""
    return 40 + 28 * math.sqrt(max(participants, 0))


def evidence_map(rows: list[str], cols: list[str], cells: list[MapCell]) -> Chart:
    """Conditions (rows) by product types (columns): one circle per pair with studies, sized by
    participants, coloured by the most advanced phase, filled when any study has results."""
    # Margins from the longest labels (about 0.08 in a character at 11 pt; column labels are
    # turned 40 degrees), so no label is cut off.
    left = 0.3 + 0.08 * max((len(r) for r in rows), default=10)
    bottom = 0.9 + 0.055 * max((len(c) for c in cols), default=10)
    width = max(7.0, left + 0.6 + 0.42 * len(cols))
    height = max(3.5, bottom + 0.5 + 0.42 * len(rows))
    with _figure(width, height) as fig:
        ax = fig.add_axes((left / width, bottom / height, 1 - (left + 0.4) / width, 1 - (bottom + 0.3) / height))
        for name, _ranks, colour in PHASE_GROUPS:  # one invisible point per group, for the legend
            ax.scatter([], [], s=80, color=colour, label=name)
        ax.scatter([], [], s=80, facecolors="white", edgecolors="#333333", label="no results yet (hollow)")
        for cell in cells:
            colour = phase_group(cell.top_phase)[1]
            ax.scatter([cell.col], [cell.row], s=marker_area(cell.participants), color=colour,
                       facecolors=colour if cell.results else "white", edgecolors=colour, linewidths=2.2,
                       zorder=3)
        ax.set_xticks(range(len(cols)), cols, rotation=40, ha="right", rotation_mode="anchor", fontsize=11,
                      parse_math=False)
        ax.set_yticks(range(len(rows)), rows, fontsize=11, parse_math=False)
        ax.set_xlim(-0.7, len(cols) - 0.3)
        ax.set_ylim(len(rows) - 0.4, -0.6)
        ax.grid(True, color="#dddddd", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        fig.legend(loc="lower left", bbox_to_anchor=(0.1 / width, 0.05 / height), ncol=6, fontsize=10, frameon=False,
                   markerscale=0.8)
        svg = _svg(fig, "respirocell evidence map: conditions by product type")
        areas = []
        for cell in cells:
            x, y = ax.transData.transform((cell.col, cell.row))
            radius = max(10, round(math.sqrt(marker_area(cell.participants)) / 2 + 2))
            areas.append(Area(round(x), round(height * 72 - y), radius, cell.href, cell.alt))
    return Chart(svg, round(width * 72), round(height * 72), tuple(areas))


def timeline(years: list[str], counts: dict[str, list[int]]) -> Chart:
    """Studies by start year, stacked by phase group (``counts``: group label -> count per year)."""
    from matplotlib.ticker import MaxNLocator

    width = max(7.0, 1.6 + 0.35 * len(years))
    with _figure(width, 3.6) as fig:
        ax = fig.add_axes((0.9 / width, 0.75 / 3.6, 1 - 1.2 / width, 1 - 1.2 / 3.6))
        bottom = [0] * len(years)
        for name, _ranks, colour in PHASE_GROUPS:
            values = counts.get(name, [0] * len(years))
            ax.bar(range(len(years)), values, bottom=bottom, color=colour, label=name, width=0.75)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xticks(range(len(years)), years, rotation=0 if len(years) < 12 else 60, fontsize=10, parse_math=False)
        ax.set_ylabel("studies")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=10, frameon=False, loc="upper left")
        return Chart(_svg(fig, "respirocell: studies by start year and phase"), round(width * 72), round(3.6 * 72))

