"""Terminal view of extracted claims: one row per claim, grouped by company and period."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from rich import box
from rich.table import Table
from rich.text import Text

from .errors import UsageError
from .report import (STATUS_INCONSISTENT, claim_status, format_change, format_value,
                     period_point, read_checks, read_claims)

MARKET_WIDE = "(market-wide)"
NO_PERIOD = "(no period)"
"""Written for claims without a period: a blank cell would read as the period of the row above."""


def select_claims(claims: list[Mapping[str, Any]], status: Mapping[str, str],
                  company: str | None = None, metric: str | None = None,
                  inconsistent: bool = False) -> list[Mapping[str, Any]]:
    """Pick the claims to show and put them in display order.

    Args:
        claims: claim rows.
        status: check status per claim id (:func:`pipeline.report.claim_status`).
        company: keep claims of this company (case-insensitive; ``(market-wide)``
            selects claims without a company).
        metric: keep claims of this canonical metric (case-insensitive).
        inconsistent: keep only claims that an inconsistent check names.

    Returns:
        The kept claims ordered by company, then period in time order
        (claims without a period last), then article and sentence.

    Raises:
        UsageError: ``E420`` when ``company`` or ``metric`` matches no claim
            at all; the message lists the names there are.
    """
    if company is not None:
        names = sorted({c.get("company") or MARKET_WIDE for c in claims})
        if company.casefold() not in {n.casefold() for n in names}:
            raise UsageError("E420", f"no claims for company {company!r}; companies: {names}")
    if metric is not None:
        metrics = sorted({c.get("metric") or "" for c in claims})
        if metric.casefold() not in {m.casefold() for m in metrics}:
            raise UsageError("E420", f"no claims for metric {metric!r}; metrics: {metrics}")
    kept = [c for c in claims
            if (company is None or (c.get("company") or MARKET_WIDE).casefold() == company.casefold())
            and (metric is None or (c.get("metric") or "").casefold() == metric.casefold())
            and (not inconsistent or status.get(c["claim_id"]) == STATUS_INCONSISTENT)]
    return sorted(kept, key=_order)


def _order(claim: Mapping[str, Any]) -> tuple:
    point = period_point(claim.get("period"))
    return (claim.get("company") is None, claim.get("company") or "",
            point is None, point.x if point else 0.0, claim.get("period") or "",
            claim["doc_id"], claim["sentence_index"], claim["claim_id"])


def _metric(claim: Mapping[str, Any]) -> Text:
    text = Text(claim.get("metric") or "")
    if claim.get("segment"):
        text.append(f" · {claim['segment']}", style="dim")
    return text


COLUMNS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("company", {"style": "cyan", "min_width": 8, "max_width": 24}),
    ("period", {"style": "blue", "min_width": 7, "no_wrap": True}),
    ("metric", {"min_width": 9, "max_width": 34}),
    ("value", {"justify": "right", "min_width": 9}),
    ("change", {"justify": "right", "min_width": 7, "no_wrap": True}),
    ("check", {"min_width": 6}),
    ("where", {"style": "dim", "min_width": 8}),
)
"""The table's columns in display order."""

DROP_ORDER = ("where", "check", "change")
"""Columns left out, in this order, while the table is wider than the terminal
(the check column is first shortened to counts, ``✗2 ✓1``)."""

WRAP_TO: dict[str, int] = {"company": 12, "metric": 18, "value": 14}
"""Columns whose words wrap onto more lines, and the width they may wrap down
to before any column is left out."""

GAP = 2
"""Characters between two columns (padding of the SIMPLE_HEAD box)."""


def fit_columns(widths: dict[str, int], width: int | None) -> tuple[list[str], bool]:
    """Choose the columns that fit a terminal ``width`` characters wide.

    Args:
        widths: per column the width its longest cell needs (header included),
            already capped at the column's ``max_width``.
        width: the terminal's width; ``None`` keeps every column.

    Returns:
        ``(columns, short_checks)``: the kept column names in display order,
        and whether the check column shows counts instead of kinds. Company,
        metric and value may wrap (down to :data:`WRAP_TO`); then columns go
        in :data:`DROP_ORDER` until the rest fit; ``company``, ``period``,
        ``metric`` and ``value`` always stay.
    """
    keep = [name for name, _ in COLUMNS]
    short = False
    if width is None:
        return keep, short

    for name in DROP_ORDER:
        if needed_width(widths, keep) <= width:
            break
        if name == "check" and not short:
            short = True
            widths = {**widths, "check": min(widths["check"], widths.get("check_short", 6))}
            if needed_width(widths, keep) <= width:
                break
        keep.remove(name)
    return keep, short


def needed_width(widths: dict[str, int], keep: list[str]) -> int:
    """The narrowest the ``keep`` columns print without cutting a figure: wrapping columns at
    their :data:`WRAP_TO` width, the others whole, with the gaps between them."""
    return sum(min(widths[n], WRAP_TO.get(n, widths[n])) for n in keep) + GAP * (len(keep) - 1)


def claims_table(out_dir: Path | str, company: str | None = None, metric: str | None = None,
                 inconsistent: bool = False, width: int | None = None,
                 problems: list | None = None) -> tuple[Table, list[str]]:
    """Build the rich table that ``newsfigures show`` prints.

    Args:
        out_dir: folder with ``claims.jsonl`` (and optionally ``checks.jsonl``).
        company: show only this company (see :func:`select_claims`).
        metric: show only this metric.
        inconsistent: show only claims that an inconsistent check names.
        width: the terminal's width in characters: columns are left out by
            priority (:func:`fit_columns`) so that the table fits; ``None``
            shows them all.
        problems: when given, a bad row of ``claims.jsonl`` or ``checks.jsonl``
            is left out and appended here (file and line), as ``check`` does;
            when None, it raises.

    Returns:
        ``(table, messages)``: the table, one row per claim, a section per
        company, the company written on its first row and each period on
        the first row of its group; the check column lists the failed checks
        (``✗ kind``) and the number passed (``✓n``); and the messages of the
        inconsistent checks that name a shown claim.

    Raises:
        SchemaError: ``claims.jsonl`` is missing, or malformed (without ``problems``).
        UsageError: an unknown company or metric.
    """
    claims = read_claims(out_dir, problems)
    checks = read_checks(out_dir, problems)
    status, checks_of = claim_status(claims, checks)
    shown = select_claims(claims, status, company, metric, inconsistent)

    failed_messages: dict[int, str] = {}
    group: tuple[str, str] | None = None
    rows: list[tuple[bool, dict[str, Any]]] = []
    for claim in shown:
        key = (claim.get("company") or MARKET_WIDE, claim.get("period") or NO_PERIOD)
        new_company = group is None or key[0] != group[0]
        new_period = key != group
        group = key
        check, short = Text(), Text()
        passed = failed = 0
        for i in checks_of.get(claim["claim_id"], []):
            if checks[i].get("status") == STATUS_INCONSISTENT:
                failed_messages.setdefault(i, f"{checks[i].get('check')}: {checks[i].get('message', '')}")
                check.append(f"✗ {checks[i].get('check')} ", style="bold red")
                failed += 1
            else:
                passed += 1
        if passed:
            check.append(f"✓{passed}", style="green")
        if failed:
            short.append(f"✗{failed} ", style="bold red")
        if passed:
            short.append(f"✓{passed}", style="green")
        value = format_value(claim)
        if claim.get("modality") == "forecast":
            value = f"{value} (fcst)" if value else "(fcst)"
        rows.append((new_company and bool(rows), {
            "company": key[0] if new_company else "", "period": key[1] if new_period else "",
            "metric": _metric(claim), "value": value, "change": format_change(claim), "check": check,
            "check_short": short, "where": f"{claim['doc_id']} s{claim['sentence_index']}"}))

    options = dict(COLUMNS)
    widths = {name: len(name) for name in options}
    for _, cells in rows:
        for name, cell in cells.items():
            widths[name] = max(widths.get(name, 0), len(cell.plain if isinstance(cell, Text) else cell))
    for name, opts in options.items():
        widths[name] = min(max(widths[name], opts["min_width"]), opts.get("max_width", widths[name]))
    keep, short_checks = fit_columns(widths, width)
    left_out = [name for name in options if name not in keep]
    title = f"{len(shown)} of {len(claims)} claims in {out_dir}"
    needed = needed_width({**widths, "check": min(widths["check"], widths.get("check_short", 6))}
                          if short_checks else widths, keep)
    notes = [f"{', '.join(left_out)} left out"] if left_out else []
    if width is not None and needed > width:
        # narrower than the columns that always stay: the table keeps the width it needs and its
        # lines run on (the terminal wraps them), so that no figure is cut
        notes.append(f"the table needs {needed} columns")
    if notes:
        title += f" (narrow terminal: {'; '.join(notes)})"
    table = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, width=needed if width is not None and needed > width else None)
    for name in keep:
        table.add_column(name, overflow="fold", **options[name])
    for section, cells in rows:
        if section:
            table.add_section()
        table.add_row(*(cells["check_short" if name == "check" and short_checks else name] for name in keep))
    return table, list(failed_messages.values())
