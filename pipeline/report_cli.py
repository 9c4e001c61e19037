"""The ``report`` and ``show`` commands (thin: they check arguments and call
:mod:`pipeline.report` and :mod:`pipeline.show`).

Wire them into the ``newsfigures`` group with ``main.add_command(report)`` and
``main.add_command(show)``.
"""
from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console

from .errors import FiguresError
from .report import build_report, write_tables
from .show import claims_table

_OUT_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command("report")
@click.argument("out_dir", type=_OUT_DIR)
@click.option("--charts/--no-charts", default=True, show_default=True,
              help="Draw the per-company charts (the slowest part on large outputs).")
def report(out_dir: Path, charts: bool) -> None:
    """Write OUT_DIR/report.html and the claims/checks tables (CSV, Parquet).

    OUT_DIR is an output folder of `newsfigures extract` (claims.jsonl, and
    checks.jsonl when checks were run).
    """
    began = time.perf_counter()
    try:
        paths = write_tables(out_dir)
        paths.append(build_report(out_dir, charts=charts))
    except FiguresError as err:
        raise click.ClickException(str(err)) from err
    for path in paths:
        click.echo(f"wrote {path}")
    click.echo(f"report built in {time.perf_counter() - began:.2f} s")


@click.command("show")
@click.argument("out_dir", type=_OUT_DIR)
@click.option("--company", help="Only this company (case-insensitive; '(market-wide)' for none).")
@click.option("--metric", help="Only this canonical metric, e.g. 'revenue'.")
@click.option("--inconsistent", is_flag=True, help="Only claims that an inconsistent check names.")
def show(out_dir: Path, company: str | None, metric: str | None, inconsistent: bool) -> None:
    """Print the claims of OUT_DIR as a table, grouped by company and period."""
    try:
        table, failed = claims_table(out_dir, company=company, metric=metric,
                                     inconsistent=inconsistent)
    except FiguresError as err:
        raise click.ClickException(str(err)) from err
    console = Console()
    console.print(table)
    for message in failed:
        console.print(f"[bold red]✗[/] {message}", highlight=False)
