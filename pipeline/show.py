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


def claims_table(out_dir: Path | str, company: str | None = None, metric: str | None = None,
                 inconsistent: bool = False) -> tuple[Table, list[str]]:
    """Build the rich table that ``newsfigures show`` prints.

    Args:
        out_dir: folder with ``claims.jsonl`` (and optionally ``checks.jsonl``).
        company: show only this company (see :func:`select_claims`).
        metric: show only this metric.
        inconsistent: show only claims that an inconsistent check names.

    Returns:
        ``(table, messages)``: the table, one row per claim, a section per
        company, the company written on its first row and each period on
        the first row of its group; the check column lists the failed checks
        (``✗ kind``) and the number passed (``✓n``); and the messages of the
        inconsistent checks that name a shown claim.

    Raises:
        SchemaError: ``claims.jsonl`` is missing or malformed.
        UsageError: an unknown company or metric.
    """
    claims = read_claims(out_dir)
    checks = read_checks(out_dir)
    status, checks_of = claim_status(claims, checks)
    shown = select_claims(claims, status, company, metric, inconsistent)

    table = Table(title=f"{len(shown)} of {len(claims)} claims in {out_dir}", title_justify="left",
                  header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    columns = (("company", {"style": "cyan", "min_width": 8, "max_width": 24}),
               ("period", {"style": "blue", "min_width": 7, "no_wrap": True}),
               ("metric", {"min_width": 9, "max_width": 34}),
               ("value", {"justify": "right", "min_width": 9}),
               ("change", {"justify": "right", "min_width": 7}),
               ("check", {"min_width": 6}),
               ("where", {"style": "dim", "min_width": 8}))
    for name, options in columns:
        table.add_column(name, overflow="fold", **options)
    failed_messages: dict[int, str] = {}
    group: tuple[str, str] | None = None
    for claim in shown:
        key = (claim.get("company") or MARKET_WIDE, claim.get("period") or "")
        new_company = group is None or key[0] != group[0]
        if group is not None and new_company:
            table.add_section()
        new_period = key != group
        group = key
        check = Text()
        passed = 0
        for i in checks_of.get(claim["claim_id"], []):
            if checks[i].get("status") == STATUS_INCONSISTENT:
                failed_messages.setdefault(i, f"{checks[i].get('check')}: {checks[i].get('message', '')}")
                check.append(f"✗ {checks[i].get('check')} ", style="bold red")
            else:
                passed += 1
        if passed:
            check.append(f"✓{passed}", style="green")
        value = format_value(claim)
        if claim.get("modality") == "forecast":
            value = f"{value} (fcst)" if value else "(fcst)"
        table.add_row(key[0] if new_company else "", key[1] if new_period else "",
                      _metric(claim), value, format_change(claim), check,
                      f"{claim['doc_id']} s{claim['sentence_index']}")
    return table, list(failed_messages.values())
