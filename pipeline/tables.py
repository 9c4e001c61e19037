"""Claims and checks as CSV and Parquet tables, written as the rows stream past.

The writers hold one batch of rows at a time (:data:`BATCH_ROWS`), so the
memory a table takes does not grow with the run: each batch becomes a
pandas frame appended to the CSV (the header once) and an Arrow table
written as one row group of the Parquet file. Each file is written to a
temporary name and renamed when complete (:func:`pipeline.outdir.atomic_path`),
so an interruption or a full disk leaves the old table or none.

The cells are those ``pandas.DataFrame(rows).to_csv`` writes for the rows of
one batch: null is an empty cell, floats are written with Python's
shortest round-trip repr (``pandas.read_csv`` gives back the exact values).
A batch whose columns each hold one plain kind of value (text, numbers,
booleans, with or without nulls: every batch ``extract`` and ``check``
write) is written by the standard library's ``csv`` writer with pandas'
rules (:func:`csv_cells`), about four times faster than building a frame;
any other batch is written by pandas itself.
"""
from __future__ import annotations

import csv
import json
import operator
from contextlib import ExitStack
from dataclasses import fields
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .claim import FIELD_NAMES, Claim
from .errors import SchemaError
from .outdir import StagedFiles, atomic_path

CHECK_FIELDS: tuple[str, ...] = (
    "check", "status", "claim_ids", "expected", "observed", "tolerance", "message")
"""The check row's columns in the schema's order."""

BATCH_ROWS = 20_000
"""Rows held at once by a table writer (one Parquet row group, one CSV append)."""

_PARQUET_TYPES = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}


def claims_arrow_schema() -> pa.Schema:
    """Return the Parquet schema of the claims table, built from :class:`Claim`.

    Returns:
        One field per claim field in :data:`FIELD_NAMES` order: ``str`` as
        string, ``int`` as int64, ``float`` as float64; a field typed
        ``X | None`` is nullable, the others are not.

    Raises:
        SchemaError: E254 when a claim field has a type the writer does not know.
    """
    arrow_fields = []
    for spec in fields(Claim):
        parts = [p.strip() for p in str(spec.type).split("|")]
        nullable = "None" in parts
        base = [p for p in parts if p != "None"]
        if len(base) != 1 or base[0] not in _PARQUET_TYPES:
            raise SchemaError("E254", f"claim field {spec.name} has type {spec.type!r}; "
                              f"the table writer knows {sorted(_PARQUET_TYPES)}")
        arrow_fields.append(pa.field(spec.name, _PARQUET_TYPES[base[0]], nullable=nullable))
    return pa.schema(arrow_fields)


class ClaimTables:
    """Write ``claims.csv`` and ``claims.parquet`` from claim rows added one at a time.

    Use as a context manager: the files appear (renamed from their temporary
    names) only when the block ends without error.

    Args:
        out_dir: the folder to write the two tables in.
        stage: when given, the whole files are handed to it to be renamed with
            the rest of its set (:class:`~pipeline.outdir.StagedFiles`).
    """

    def __init__(self, out_dir: Path, stage: StagedFiles | None = None) -> None:
        self.out = Path(out_dir)
        self.stage = stage
        self.schema = claims_arrow_schema()
        self._batch: list[dict[str, Any]] = []
        self._stack = ExitStack()
        self._header = True
        self._parquet: pq.ParquetWriter | None = None

    def __enter__(self) -> "ClaimTables":
        self._csv_path = self._stack.enter_context(atomic_path(self.out / "claims.csv", self.stage))
        self._parquet_path = self._stack.enter_context(atomic_path(self.out / "claims.parquet", self.stage))
        return self

    def add(self, claim: Mapping[str, Any]) -> None:
        """Add one claim row (every field of :data:`FIELD_NAMES`)."""
        self._batch.append(claim)
        if len(self._batch) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._batch and not self._header:
            return
        columns = _columns(self._batch, FIELD_NAMES)
        cells = [csv_cells(column) for column in columns]
        if all(c is not None for c in cells) and self._batch:
            _write_csv(self._csv_path, list(FIELD_NAMES), cells, self._header)
        else:
            frame = pd.DataFrame(self._batch, columns=list(FIELD_NAMES))
            frame.to_csv(self._csv_path, index=False, header=self._header, mode="w" if self._header else "a")
        self._header = False
        table = pa.Table.from_arrays(columns, schema=self.schema)  # as Table.from_pylist makes it
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._parquet_path, self.schema)
        self._parquet.write_table(table)
        self._batch = []

    def __exit__(self, kind, value, traceback) -> bool:
        if kind is None:
            try:
                self._flush()
            except BaseException as exc:  # a full disk on the last batch: no file is left
                self._close()
                if not self._stack.__exit__(type(exc), exc, exc.__traceback__):
                    raise
                return False
        self._close()
        return self._stack.__exit__(kind, value, traceback)

    def _close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    @property
    def paths(self) -> list[Path]:
        """The two tables' final paths."""
        return [self.out / "claims.csv", self.out / "claims.parquet"]


class CheckTables:
    """Write ``checks.csv`` and ``checks.parquet`` from check rows that stream past twice.

    The columns (:data:`CHECK_FIELDS` first, then further keys in first-seen
    order) and each column's Parquet type are known only once every row is
    seen: the first pass hands each row to :meth:`see` (one batch held at a
    time, its types learnt as pandas converts them), the second writes them
    (:meth:`rows` or :meth:`write`). ``claim_ids`` is a list in Parquet and a
    JSON list in the CSV.

    Args:
        out_dir: the folder to write the two tables in.
        stage: as :class:`ClaimTables`.
    """

    def __init__(self, out_dir: Path, stage: StagedFiles | None = None) -> None:
        self.out = Path(out_dir)
        self.stage = stage
        self.columns = list(CHECK_FIELDS)
        self._known = set(self.columns)
        self._batch: list[Mapping[str, Any]] = []
        self._schemas: list[pa.Schema] = []

    def see(self, row: Mapping[str, Any]) -> None:
        """First pass: learn one row's columns and types."""
        for key in row:
            if key not in self._known:
                self._known.add(key)
                self.columns.append(key)
        self._batch.append(row)
        if len(self._batch) >= BATCH_ROWS:
            self._learn()

    def _learn(self) -> None:
        if self._batch:
            self._schemas.append(check_batch_schema(self._batch, self.columns))
            self._batch = []

    def rows(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """Second pass: write each row of ``rows`` (the same rows, in the same order) and yield it on.

        The files are renamed into place when ``rows`` is exhausted.
        """
        self._learn()
        schema = None
        if self._schemas:
            unified = pa.unify_schemas(self._schemas, promote_options="permissive")
            schema = pa.schema([unified.field(name) for name in self.columns])
        with atomic_path(self.out / "checks.parquet", self.stage) as parquet_tmp, \
                atomic_path(self.out / "checks.csv", self.stage) as csv_tmp:
            writer = pq.ParquetWriter(parquet_tmp, schema) if schema is not None else None
            header = True
            batch: list[Mapping[str, Any]] = []
            try:
                for row in rows:
                    batch.append(row)
                    yield row
                    if len(batch) >= BATCH_ROWS:
                        self._write(batch, writer, schema, csv_tmp, header)
                        header, batch = False, []
                if batch:
                    self._write(batch, writer, schema, csv_tmp, header)
                    header = False
                if header:  # no check row: the tables have their columns and no row
                    frame = pd.DataFrame([], columns=self.columns)
                    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet_tmp)
                    frame.to_csv(csv_tmp, index=False)
            finally:
                if writer is not None:
                    writer.close()

    def write(self, rows: Iterable[Mapping[str, Any]]) -> list[Path]:
        """Second pass: write every row of ``rows``; returns the paths written."""
        for _ in self.rows(rows):
            pass
        return self.paths

    def _write(self, batch: list[Mapping[str, Any]], writer: pq.ParquetWriter, schema: pa.Schema,
               csv_tmp: Path, header: bool) -> None:
        plain = self._plain_batch(batch, schema)
        if plain is not None:
            table, cells = plain
            writer.write_table(table)
            _write_csv(csv_tmp, self.columns, cells, header)
            return
        frame = pd.DataFrame(batch, columns=self.columns)
        writer.write_table(pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None).cast(schema))
        frame["claim_ids"] = [json.dumps(ids, ensure_ascii=False) for ids in frame["claim_ids"]]
        frame.to_csv(csv_tmp, index=False, header=header, mode="w" if header else "a")

    def _plain_batch(self, batch: list[Mapping[str, Any]], schema: pa.Schema
                     ) -> tuple[pa.Table, list[list[Any]]] | None:
        """The batch's Arrow table and CSV cells, made column by column without a frame when every
        column holds one plain kind of value (:func:`csv_cells`) and ``claim_ids`` lists of ids; else None."""
        columns = _columns(batch, self.columns)
        cells = []
        for name, column in zip(self.columns, columns):
            if name == "claim_ids":
                if not all(type(ids) is list and all(type(i) is str for i in ids) for ids in column):
                    return None
                cells.append([_ids_json(ids) for ids in column])
            else:
                cells.append(csv_cells(column))
        if any(c is None for c in cells):
            return None
        try:
            arrays = [pa.array(column, type=spec.type) for column, spec in zip(columns, schema)]
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            return None
        return pa.Table.from_arrays(arrays, schema=schema), cells

    @property
    def paths(self) -> list[Path]:
        """The two tables' final paths."""
        return [self.out / "checks.csv", self.out / "checks.parquet"]


def _columns(batch: list[Mapping[str, Any]], names: Sequence[str]) -> list[list[Any]]:
    """The batch's rows as columns, one list per name in ``names`` order (None where a row lacks the key).

    Rows that hold exactly ``names`` (every row ``extract`` and ``check`` write) are taken with one
    ``itemgetter`` call each and transposed by ``zip``; any other batch key by key.
    """
    names = list(names)
    if len(names) > 1 and all(len(row) == len(names) for row in batch):
        take = operator.itemgetter(*names)
        try:
            return [list(column) for column in zip(*map(take, batch))] or [[] for _ in names]
        except KeyError:  # a row of as many keys, but other ones
            pass
    return [[row[name] if name in row else None for row in batch] for name in names]


_NONE = type(None)
_ids_json = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps(ids, ensure_ascii=False)``, its encoder made once."""
_EXACT_INT = 2 ** 53
"""Integers up to this size are exact as floats (pandas makes a number column with a null float64)."""
_INT64 = 2 ** 63


def csv_cells(column: list[Any]) -> list[Any] | None:
    """The cells ``DataFrame.to_csv`` writes for one column of a batch, or None when this does not know.

    Follows pandas' types: a column of text (or nothing but nulls) is written as it is, null as an
    empty cell; numbers with a float or a null among them are float64 (``repr`` of the float, so
    ``5`` is ``5.0``); integers alone are int64 (``str``); booleans alone are bool, with nulls
    objects (``True``, ``False``, empty). Anything else (mixed kinds, huge integers) is None.
    """
    kinds = set(map(type, column))
    has_null = _NONE in kinds
    kinds.discard(_NONE)
    if not kinds or kinds == {str}:
        return ["" if v is None else v for v in column] if has_null else column
    if kinds <= {int, float}:
        if int in kinds and any(type(v) is int and not -_EXACT_INT < v < _EXACT_INT for v in column):
            return None
        if kinds == {int} and not has_null:
            return [str(v) for v in column]
        return ["" if v is None else repr(float(v)) for v in column]
    if kinds == {bool}:
        return ["" if v is None else str(v) for v in column]
    return None


def _write_csv(path: Path, columns: list[str], cells: list[list[Any]], header: bool) -> None:
    """Append rows given as columns of cells to ``path`` as ``to_csv`` does (``csv`` module, pandas' dialect)."""
    with path.open("w" if header else "a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if header:
            writer.writerow(columns)
        writer.writerows(zip(*cells))


_STANDARD_KINDS = {"check": str, "status": str, "expected": float, "observed": float, "tolerance": float,
                   "message": str}
"""The one kind of value each column but ``claim_ids`` holds in a row ``newsfigures check`` writes."""
_standard_schema: list[pa.Schema] = []


def check_batch_schema(batch: list[Mapping[str, Any]], columns: list[str]) -> pa.Schema:
    """The Arrow schema pandas gives one batch of check rows (:func:`_check_batch_table`, metadata removed).

    A batch of rows as ``newsfigures check`` writes them (exactly :data:`CHECK_FIELDS`, each column of
    one kind with no null, ``claim_ids`` non-empty lists of ids) has the schema of any one such row:
    pandas converts one such row once per process, not each batch. Any other batch is converted whole.
    """
    if tuple(columns) == CHECK_FIELDS and batch:
        cells = _columns(batch, columns)
        if (all(set(map(type, column)) == {_STANDARD_KINDS[name]}
                for name, column in zip(columns, cells) if name != "claim_ids")
                and all(type(ids) is list and ids and all(type(i) is str for i in ids)
                        for ids in cells[columns.index("claim_ids")])):
            if not _standard_schema:
                _standard_schema.append(_check_batch_table([batch[0]], columns).schema.remove_metadata())
            return _standard_schema[0]
    return _check_batch_table(batch, columns).schema.remove_metadata()


def _check_batch_table(batch: list[Mapping[str, Any]], columns: list[str]) -> pa.Table:
    """One batch of check rows as Arrow, converted as ``pandas`` converts them."""
    return pa.Table.from_pandas(pd.DataFrame(batch, columns=columns), preserve_index=False)


def _batches(rows: Iterable[Mapping[str, Any]]) -> Iterable[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch
