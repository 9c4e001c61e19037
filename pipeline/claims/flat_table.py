"""Flattened tables: a header of column titles, then rows of a name and one figure per column.

"Company May 2023 Deliveries Year-on-Year Growth Month-on-Month Growth Li Auto 28,277 146% +9.8%
Nio 6,155 -12.4% -7.6% ..." is a table whose borders were lost when the page became text. Its
n-th figure in a row is the n-th column's: the column's title gives the metric, the period, and
whether the cell is a level or a change (with the change's basis); the row's name gives the
company ("Others" and "Total" name none). The grammar decides: read once per article after its
sentences' rows are built, and the rows of the table's figures are set from it. A change
column's figures are changes of the first level column of their metric, and the first of them is
also the change of that level (as the gold conventions give "5.7 million, up 4%" one claim).

A table is found only where it is unambiguous: a header that starts with the first column's
title ("Company", "Vendor", "Brand" ...), then at least two rows with the same number of figures
(two or more), and as many column titles in the header (metric words and growth words) as figures
in a row.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from ..periods import PeriodContext, resolve
from .patterns import _is_ratio_metric

_FIRST_COLUMN = regex.compile(r"\b(?:Company|Companies|Vendor|Vendors|Brand|Brands|Maker|Makers|Automaker|Carmaker|"
                              r"Manufacturer|Operator|Firm)\b")
_TOKEN = regex.compile(r"\S+")
_NUMBER = regex.compile(r"[-+−–]?\d[\d,]*(?:\.\d+)?%?")
_GROWTH = regex.compile(r"(?i)\b(?:growth|expansion|change|increase|decline)\b")
_BASES = (("yoy", regex.compile(r"(?i)\b(?:year[- ]on[- ]year|year[- ]over[- ]year|yoy|annual|y/y)\b")),
          ("qoq", regex.compile(r"(?i)\b(?:quarter[- ]on[- ]quarter|quarter[- ]over[- ]quarter|qoq|sequential|q/q)\b")),
          ("mom", regex.compile(r"(?i)\b(?:month[- ]on[- ]month|month[- ]over[- ]month|mom|m/m)\b")))
_NO_COMPANY = {"others": "others", "other": "others", "total": None, "overall": None}
_MAX_HEADER = 400   # characters between the first column's title and the first row
_MAX_NAME_WORDS = 4


@dataclass
class Column:
    """One column: a level of ``metric`` for ``period``, or a change (``basis``) of that level."""

    change: bool
    metric: str | None
    period: str | None
    basis: str | None = None


def read_tables(text: str, rows: list[dict], metrics: list, periods: list, companies: list,
                doc_date, ref_year: int | None) -> None:
    """Set the rows of every flattened table's figures from its columns and row names (in place).

    Args:
        text: the article's text; rows: its claim rows (``start``/``end`` offsets in ``text``);
        metrics, periods, companies: the article's mentions (``start``, ``end``, ``label``/
        ``spec``/``id``), in text order; doc_date, ref_year: for resolving the columns' periods.
    """
    by_start = {}
    for row in rows:
        by_start.setdefault(row["start"], []).append(row)
    for m in _FIRST_COLUMN.finditer(text):
        table = _table_after(text, m.end(), metrics, periods, companies, doc_date, ref_year)
        if table is None:
            continue
        columns, body = table
        for name, company, cells in body:
            _set_row(columns, name, company, cells, by_start)


def _table_after(text: str, h0: int, metrics, periods, companies, doc_date, ref_year):
    """The columns and rows of a table whose header starts at ``h0``, or None."""
    tokens = [(t.start(), t.end(), bool(_NUMBER.fullmatch(t.group()))) for t in _TOKEN.finditer(text, h0, h0 + 3000)]
    body, i = [], 0
    width = None
    # the first run of numbers after the header starts the rows; the header is before its name
    while i < len(tokens) and tokens[i][0] - h0 <= _MAX_HEADER and not _row_numbers_at(tokens, i):
        i += 1
    if i >= len(tokens) or tokens[i][0] - h0 > _MAX_HEADER:
        return None
    first_name_start = None
    while i < len(tokens):
        j = i
        while j < len(tokens) and tokens[j][2]:
            j += 1
        cells = tokens[i:j]
        if len(cells) < 2 or (width is not None and len(cells) != width):
            break
        # the row's name: the words right before its numbers, back to the previous row or a line break
        k = i
        while k > 0 and not tokens[k - 1][2] and i - k < _MAX_NAME_WORDS \
                and (k == i or "\n" not in text[tokens[k - 1][1]:tokens[k][0]]):
            k -= 1  # (a name is on one line; its figures may follow on the next lines)
        start = tokens[k][0] if k < i else None
        if start is None:
            break
        company = next((c for c in companies if c.end <= cells[0][0] and c.start >= start
                        and text[c.end:cells[0][0]].strip() == ""), None)
        if company is not None:
            start = company.start
        elif not body:
            start = tokens[i - 1][0]  # the first row: its name is one word unless a lexicon name is longer
        body.append((text[start:cells[0][0]].strip(), company, [(a, b) for a, b, _ in cells]))
        if first_name_start is None:
            first_name_start = start
        width = len(cells)
        # the next row's name: words up to the next run of numbers
        i = j
        while i < len(tokens) and not tokens[i][2]:
            i += 1
        if i - j > _MAX_NAME_WORDS:
            break
    if len(body) < 2:
        return None
    columns = _columns(text, h0, first_name_start, width, metrics, periods, doc_date, ref_year)
    return (columns, body) if columns is not None else None


def _row_numbers_at(tokens, i: int) -> bool:
    """Whether two or more numbers start at token ``i`` after a word (a row's figures)."""
    return i > 0 and not tokens[i - 1][2] and i + 1 < len(tokens) and tokens[i][2] and tokens[i + 1][2]


def _columns(text: str, h0: int, h1: int, width: int, metrics, periods, doc_date, ref_year) -> list[Column] | None:
    """The header ``text[h0:h1]`` read as ``width`` columns, or None when its titles do not count ``width``."""
    anchors = [(m.start, m.end, m.label) for m in metrics if h0 <= m.start and m.end <= h1]
    anchors += [(g.start(), g.end(), None) for g in _GROWTH.finditer(text, h0, h1)
                if not any(a <= g.start() < b for a, b, _ in anchors)]
    anchors.sort()
    if len(anchors) != width:
        return None
    heads = [p for p in periods if h0 <= p.start and p.end <= h1]
    starts = []
    for a, _, _ in anchors:
        before = [p for p in heads if p.end <= a and text[p.end:a].strip() == ""]
        starts.append(before[-1].start if before else a)
    bounds = list(zip(starts, starts[1:] + [h1]))
    columns, first_level = [], None
    for (a, b), (_, _, label) in zip(bounds, anchors):
        if label is None:
            title = text[max(h0, a - 30):b]
            basis = next((name for name, pat in _BASES if pat.search(text, a, b) or pat.search(title)), None)
            columns.append(Column(True, None, None, basis))
            continue
        column = Column(False, label, _period(heads, a, b, doc_date, ref_year))
        columns.append(column)
        if first_level is None and not _is_ratio_metric(label) and not label.endswith("share"):
            first_level = column
    if first_level is None:
        return None
    for c in columns:
        if c.change:
            c.metric, c.period = first_level.metric, first_level.period
    return columns


def _period(heads: list, a: int, b: int, doc_date, ref_year: int | None) -> str | None:
    """The period a column's title names: its period words, a yearless quarter taking the title's year."""
    inside = [p for p in heads if a <= p.start and p.end <= b]
    year = next((p.spec.year for p in inside if p.spec.kind == "Y" and p.spec.year), None)
    ctx = PeriodContext(doc_date, ref_year, None, None, False)
    for p in inside:
        spec = p.spec
        if spec.kind in ("Q", "H", "M") and spec.year is None and year is not None:
            spec = replace(spec, year=year)
        if spec.kind != "Y" or len(inside) == 1:
            found = resolve(spec, ctx)
            if found:
                return found
    return resolve(inside[0].spec, ctx) if inside else None


def _set_row(columns: list[Column], name: str, company, cells: list[tuple[int, int]], by_start: dict) -> None:
    """Set the rows of one table row's figures from the columns."""
    no_company = name.lower() in _NO_COMPANY
    first_change = next((k for k, c in enumerate(columns) if c.change), None)
    for (a, b), column in zip(cells, columns):
        for row in _rows_in(by_start, a, b):
            if no_company:
                row["company"], row["company_text"] = None, None
                if _NO_COMPANY[name.lower()]:
                    row["segment"] = _NO_COMPANY[name.lower()]
            elif company is not None:
                row["company"], row["company_text"] = company.id, name
            row["metric"], row["period"] = column.metric, column.period
            if column.change:
                pct = row["value"] if row.get("value") is not None else row.get("change")
                if pct is None:
                    continue
                row.update(value=None, value_text=None, unit=None, value_high=None, change=pct, change_unit="%",
                           change_text=row.get("value_text") or row.get("change_text"),
                           direction="increase" if pct > 0 else "decrease" if pct < 0 else "flat",
                           change_basis=column.basis)
            elif first_change is not None and columns[first_change].metric == column.metric \
                    and not _is_ratio_metric(column.metric):
                pct = _percent(by_start, *cells[first_change])
                if pct is not None and row.get("change") is None:
                    row.update(change=pct, change_unit="%", change_basis=columns[first_change].basis,
                               direction="increase" if pct > 0 else "decrease" if pct < 0 else "flat")


def _rows_in(by_start: dict, a: int, b: int) -> list[dict]:
    """The rows whose figure starts inside a cell ``[a, b)`` (a sign may stand before the figure)."""
    return [row for x in range(a, b) for row in by_start.get(x, ())]


def _percent(by_start: dict, a: int, b: int) -> float | None:
    """The percentage of the row whose figure is in the cell ``[a, b)``, as read before the table."""
    for row in _rows_in(by_start, a, b):
        if row.get("value") is not None and row.get("unit") == "%":
            return row["value"]
        if row.get("change") is not None and row.get("change_unit") == "%":
            return row["change"]
    return None
