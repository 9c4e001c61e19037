"""Per-company charts for the report: each metric over its periods, as inline SVG.

Drawn server-side with matplotlib's object API (no pyplot state, Agg-free SVG
backend), text kept as SVG ``<text>`` so the page needs no font file. One
figure per company; one panel per (metric, unit) with at least
``MIN_POINTS`` points; one line per (segment, period granularity), so
quarterly and yearly figures are never joined by a line. Periods sit in time
order at even steps. Claims that an
inconsistent check names are marked with a red cross; forecasts are hollow.
"""
from __future__ import annotations

import io
import math
import re
from collections import defaultdict
from typing import Any, Mapping

from markupsafe import Markup
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .report import STATUS_INCONSISTENT, PeriodPoint, format_number, period_point

MIN_POINTS = 2
"""A panel is drawn only for a (metric, unit) with at least this many points."""
MAX_PANELS = 12
"""Panels per company; the metrics with most points are kept."""
MAX_TICKS = 10
PANEL_SIZE = (4.9, 2.6)
"""Inches per panel (width, height), legend included."""
PANEL_MARGINS = (0.65, 0.6, 0.3, 1.65)
"""Inches around each panel's axes: left (y labels), bottom (period labels),
top (title), right (legend)."""
LEGEND_CHARS = 24
COLUMNS = 3
SERIES_COLORS = ("#2f6fb0", "#d98c1f", "#3a9a5b", "#8a5cc2", "#c2477a", "#5b6b7a", "#1aa3a3",
                 "#a0652a")
FAIL_COLOR = "#d62728"

def company_charts(claims: list[Mapping[str, Any]], status: Mapping[str, str]
                   ) -> list[dict[str, Any]]:
    """Draw one chart per company of each metric over its periods.

    Args:
        claims: claim rows; those with a company, a value and a readable
            period are plotted.
        status: check status per claim id (``inconsistent`` points are
            marked).

    Returns:
        One dict per company with at least one panel, most plotted claims
        first: ``company``, ``svg`` (inline SVG markup), ``points``,
        ``inconsistent``, ``panels`` (titles) and ``omitted`` (panels left
        out by :data:`MAX_PANELS`).
    """
    by_company: dict[str, dict[tuple[str, str], list[tuple[PeriodPoint, Mapping[str, Any]]]]]
    by_company = defaultdict(lambda: defaultdict(list))
    for claim in claims:
        point = period_point(claim.get("period"))
        if not claim.get("company") or claim.get("value") is None or point is None:
            continue
        by_company[claim["company"]][(claim.get("metric") or "", claim.get("unit") or "")].append(
            (point, claim))
    charts = []
    for number, (company, panels) in enumerate(
            sorted(by_company.items(), key=lambda kv: -sum(map(len, kv[1].values())))):
        kept = sorted(((k, v) for k, v in panels.items() if len(v) >= MIN_POINTS),
                      key=lambda kv: (-len(kv[1]), kv[0]))
        if not kept:
            continue
        shown = kept[:MAX_PANELS]
        svg = _draw(shown, status, prefix=f"nfc{number}-")
        points = [claim for _, rows in shown for _, claim in rows]
        charts.append({
            "company": company, "svg": Markup(svg), "points": len(points),
            "inconsistent": sum(status.get(c["claim_id"]) == STATUS_INCONSISTENT for c in points),
            "panels": [_panel_title(m, u) for (m, u), _ in shown],
            "omitted": len(kept) - len(shown),
        })
    return charts


def _panel_title(metric: str, unit: str) -> str:
    return f"{metric} ({unit})" if unit else metric


def _draw(panels: list[tuple[tuple[str, str], list[tuple[PeriodPoint, Mapping[str, Any]]]]],
          status: Mapping[str, str], prefix: str) -> str:
    columns = min(COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    width, height = PANEL_SIZE[0] * columns, PANEL_SIZE[1] * rows
    left, bottom, top, legend = PANEL_MARGINS
    # axes.titley fixed: the title stays where matplotlib would place it (no tick labels above the axes),
    # without its measuring every tick label of every panel first
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": prefix, "font.size": 8, "axes.titley": 1.0,
                     "axes.titlesize": 9, "axes.spines.top": False, "axes.spines.right": False}):
        # Fixed axes rectangles (inches -> figure fractions): much faster than a
        # layout engine, and every panel lines up.
        figure = Figure(figsize=(width, height))
        axes_w = PANEL_SIZE[0] - left - legend
        axes_h = PANEL_SIZE[1] - bottom - top
        for n, ((metric, unit), points) in enumerate(panels):
            row, col = divmod(n, columns)
            x0 = col * PANEL_SIZE[0] + left
            y0 = height - (row + 1) * PANEL_SIZE[1] + bottom
            ax = figure.add_axes((x0 / width, y0 / height, axes_w / width, axes_h / height))
            _draw_panel(ax, metric, unit, points, status)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _inline_svg(buffer.getvalue(), prefix)


def _draw_panel(ax: Any, metric: str, unit: str,
                points: list[tuple[PeriodPoint, Mapping[str, Any]]],
                status: Mapping[str, str]) -> None:
    series: dict[tuple[str, str], list[tuple[PeriodPoint, Mapping[str, Any]]]] = defaultdict(list)
    for point, claim in points:
        series[(claim.get("segment") or "total", point.granularity)].append((point, claim))
    granularities = {g for _, g in series}
    # Periods are evenly spaced in time order (not at their dates), so that one
    # far-off period does not squash the others and labels never overlap.
    order = sorted({(point.x, claim["period"]) for point, claim in points})
    slot = {period: i for i, (_, period) in enumerate(order)}
    # a point is drawn once however many claims state it (a large run repeats figures),
    # so the chart's size is bounded by its distinct points, not by the run
    failed: dict[tuple[int, float], None] = {}
    ordered_series = sorted(series.items(), key=lambda kv: (kv[0][0] != "total", kv[0]))
    for i, ((segment, granularity), members) in enumerate(ordered_series):
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        label = segment if len(granularities) == 1 else f"{segment}, {granularity}"
        if len(label) > LEGEND_CHARS:
            label = label[:LEGEND_CHARS - 1] + "…"
        by_x: dict[int, list[float]] = defaultdict(list)
        for point, claim in members:
            by_x[slot[claim["period"]]].append(claim["value"])
            if status.get(claim["claim_id"]) == STATUS_INCONSISTENT:
                failed.setdefault((slot[claim["period"]], claim["value"]))
        xs = sorted(by_x)
        ax.plot(xs, [sorted(by_x[x])[len(by_x[x]) // 2] for x in xs], color=color, linewidth=1.4,
                label=label, zorder=2)
        for forecast in (False, True):
            chosen = list(dict.fromkeys((slot[c["period"]], c["value"]) for _, c in members
                                        if (c.get("modality") == "forecast") == forecast))
            if chosen:
                ax.plot([x for x, _ in chosen], [y for _, y in chosen], marker="o", markersize=5,
                        color=color, markerfacecolor="white" if forecast else color,
                        linestyle="none", zorder=3)
    if failed:
        ax.plot([x for x, _ in failed], [y for _, y in failed], marker="X", markersize=10, color=FAIL_COLOR, linestyle="none",
                zorder=4, label="inconsistent check")
    ax.set_title(_panel_title(metric, unit), loc="left")
    ticks = [period for _, period in order]
    step = max(1, math.ceil(len(ticks) / MAX_TICKS))
    ax.set_xticks(range(0, len(ticks), step), ticks[::step], rotation=30, ha="right")
    ax.set_xlim(-0.5, max(len(ticks) - 0.5, 1.5))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{format_number(v)}%" if unit == "%" else format_number(v)))
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.margins(y=0.15)
    if len(series) > 1 or failed:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _inline_svg(svg: str, prefix: str) -> str:
    """Strip the XML prologue and make every id unique within the page."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', svg)
    return svg
