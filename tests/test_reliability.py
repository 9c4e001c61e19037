"""Reliability (issue 10): odd inputs, interruptions and concurrent runs.

Every input is built here in ``tmp_path``. The cases that need real
processes (two runs at once, ``kill -9``, a FIFO that would block, a link
to ``/dev/zero``) run the CLI as subprocesses, each bounded by a timeout
and killed if it overruns. Each test asserts that every input file is
accounted for (claims, errors or skipped counts), that no output file is
incomplete, and, after a kill, that a re-run gives identical output.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import pipeline.reading as reading
import pipeline.report
from pipeline.build import make_nlp
from pipeline.cli import main
from pipeline.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, EXIT_WRITE
from pipeline.extract import run_extract
from pipeline.manifest import MANIFEST_NAME
from pipeline.outdir import LOCK_NAME, OutputLock
from pipeline.reading import Article, ArticleFailure, iter_articles

REPO = Path(__file__).resolve().parent.parent
ARTICLE = ("Orvane Devices reported revenue of 4.2 billion euros for the fourth quarter of 2023, "
           "up 12% year-on-year.\nThe company shipped 1.3 million laptops in the quarter.\n")
# a news line with no sentence punctuation: companies, periods, forecasts and figures
NEWS_UNIT = ("Samsung Electronics said revenue in the first quarter of 2024 rose 12 percent to 3 billion dollars "
             "and Apple expects shipments in 2025 to grow 5 million units while smartphone sales in China fell ")
TIMEOUT = 180  # seconds for any one subprocess


def cli(*args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``newsfigures ARGS`` in a subprocess (killed when it overruns ``timeout``)."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def start(*args: str) -> subprocess.Popen:
    """Start ``newsfigures ARGS`` in the background."""
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO)


def finish(proc: subprocess.Popen, timeout: float = TIMEOUT) -> tuple[int, str, str]:
    """Wait for a background run (killing it if it overruns); its status, stdout and stderr."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return proc.returncode, out, err


def strict_rows(path: Path) -> list[dict]:
    """The rows of a JSONL file, parsed strictly (no NaN/Infinity, every line an object)."""
    def no_constant(name: str):
        raise ValueError(f"{name} in {path}")
    rows = []
    for line in path.read_bytes().decode("utf-8").splitlines():
        row = json.loads(line, parse_constant=no_constant)
        assert isinstance(row, dict)
        rows.append(row)
    return rows


def assert_outputs_whole(out: Path) -> dict | None:
    """No output file in ``out`` that is not complete; the summary, if there is one, tells the truth.

    Returns:
        ``summary.json``'s content, or None when there is none.
    """
    assert b"\0" not in b"".join(p.read_bytes() for p in out.iterdir()
                                 if p.suffix in (".jsonl", ".json", ".csv", ".html"))
    claims = strict_rows(out / "claims.jsonl") if (out / "claims.jsonl").exists() else None
    for name in ("errors.jsonl", "warnings.jsonl", "checks.jsonl"):
        if (out / name).exists():
            strict_rows(out / name)
    if (out / "claims.csv").exists():
        assert claims is not None
        assert len(pd.read_csv(out / "claims.csv")) == len(claims)
    if (out / "claims.parquet").exists():
        assert len(pd.read_parquet(out / "claims.parquet")) == len(claims)
    if (out / "checks.csv").exists():
        checks = strict_rows(out / "checks.jsonl")
        assert len(pd.read_csv(out / "checks.csv")) == len(checks)
        assert len(pd.read_parquet(out / "checks.parquet")) == len(checks)
    if (out / "report.html").exists():
        assert (out / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    if not (out / "summary.json").exists():
        return None
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for name in summary.get("files", ["claims.jsonl", "errors.jsonl"]):
        assert (out / name).exists(), f"summary.json names {name}, which is not there"
    assert summary["claims"] == len(claims)
    return summary


# ---------------------------------------------------------------------------
# A folder of odd inputs


def make_odd_folder(src: Path) -> dict[str, str]:
    """Build every odd input of the issue; return {entry name: how it must be accounted for}."""
    src.mkdir()
    (src / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "latin.txt").write_bytes("Umsatz stieg um 5 % auf 2 Mrd. €".encode("cp1252"))
    os.mkfifo(src / "pipe.txt")  # would block a plain open() for ever
    (src / "zero.txt").symlink_to("/dev/zero")  # would read until memory runs out
    (src / ".notes.txt").write_text(ARTICLE, encoding="utf-8")
    (src / ".git").mkdir()
    (src / ".git" / "HEAD.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "scan.pdf").write_bytes(b"%PDF-1.4")
    with open(src / "huge.txt", "wb") as handle:  # 50 MB, sparse: refused from its size
        handle.truncate(50_000_000)
    with open(src / "page.html", "wb") as handle:  # 30 MB of HTML: refused before parsing
        handle.truncate(30_000_000)
    (src / "dead.txt").symlink_to(src / "missing.txt")
    other = src.parent / "other"
    other.mkdir()
    (src / "linked").symlink_to(other, target_is_directory=True)
    (src / "dated.md").write_text("---\ndate: March 5\n---\n" + ARTICLE, encoding="utf-8")
    (src / "year.md").write_text("---\ndate: 2024\n---\n" + ARTICLE, encoding="utf-8")
    (src / "briefs.jsonl").write_text("\n".join([
        json.dumps({"id": "ok", "text": ARTICLE, "date": "2024-02-01"}),
        json.dumps({"id": None, "text": ARTICLE}),
        "{not json",
        json.dumps({"id": "m", "text": ARTICLE, "date": "March"}),
    ]) + "\n", encoding="utf-8")
    return {"good.txt": "claims", "latin.txt": "E101", "pipe.txt": "skipped", "zero.txt": "skipped",
            ".notes.txt": "skipped", ".git": "skipped", "scan.pdf": "skipped", "huge.txt": "E104",
            "page.html": "E104", "dead.txt": "E111", "linked": "skipped", "dated.md": "claims",
            "year.md": "claims", "briefs.jsonl": "claims"}


def test_a_folder_of_odd_inputs_is_read_without_blocking_and_every_file_is_accounted_for(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    expected = make_odd_folder(src)
    assert sorted(os.listdir(src)) == sorted(expected)
    result = cli("extract", str(src), "--out", str(out), "--no-progress")
    assert result.returncode == EXIT_OK, result.stderr
    assert "Traceback" not in result.stderr
    summary = assert_outputs_whole(out)
    assert summary["complete"] is True
    assert summary["skipped_by_reason"] == {"hidden": 2, "not a regular file": 2, "not an article format": 1,
                                            "link to a folder": 1}
    errors = strict_rows(out / "errors.jsonl")
    codes = {(e["file"], e["code"]) for e in errors}
    assert codes == {("latin.txt", "E101"), ("huge.txt", "E104"), ("page.html", "E104"), ("dead.txt", "E111"),
                     ("briefs.jsonl", "E108"), ("briefs.jsonl", "E107")}
    assert "html_max_bytes" in next(e["reason"] for e in errors if e["file"] == "page.html")
    claims = strict_rows(out / "claims.jsonl")
    # every entry is in the claims, the errors or the skipped counts
    with_claims = {c["doc_id"].split("#")[0] for c in claims}
    assert with_claims == {name for name, how in expected.items() if how == "claims"}
    failed_only = {e["file"] for e in errors} - with_claims
    assert failed_only == {name for name, how in expected.items() if how.startswith("E")}
    assert len(with_claims) + len(failed_only) + summary["skipped"] == len(expected)
    # "id": null is refused, not made into "#None"; partial dates are unknown and reported
    assert not any(c["doc_id"].endswith("#None") for c in claims)
    dates = {c["doc_id"]: c["doc_date"] for c in claims}
    assert dates == {"good.txt": None, "dated.md": None, "year.md": None, "briefs.jsonl#ok": "2024-02-01",
                     "briefs.jsonl#m": None}
    warnings = {(w["doc_id"], w["code"]) for w in strict_rows(out / "warnings.jsonl")}
    assert warnings == {("dated.md", "W120"), ("year.md", "W120"), ("briefs.jsonl#m", "W120")}
    assert summary["articles_read"] == 5 and summary["warnings"] == 3


@pytest.mark.parametrize("value, missing", [("March 5", "year"), ("2024", "month or day"), ("March", "year or day"),
                                            ("5 March", "year")])
def test_a_partial_date_is_kept_unknown_and_reported(tmp_path: Path, value: str, missing: str) -> None:
    (tmp_path / "a.md").write_text(f"---\ndate: {value}\n---\n{ARTICLE}", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": 1, "text": ARTICLE, "date": value}) + "\n", encoding="utf-8")
    arts = list(iter_articles(tmp_path, default_date="2025-01-01"))
    assert [(a.doc_id, a.doc_date) for a in arts] == [("a.md", None), ("b.jsonl#1", None)]
    assert all(f"has no {missing}" in a.date_note for a in arts)


def test_a_whole_date_is_still_taken(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(f"---\ndate: March 5, 2024\n---\n{ARTICLE}", encoding="utf-8")
    [art] = list(iter_articles(tmp_path))
    assert (art.doc_date, art.date_note) == ("2024-03-05", None)


@pytest.mark.parametrize("bad_id", [None, "", True, [1], {"a": 1}])
def test_a_jsonl_line_needs_a_real_id(tmp_path: Path, bad_id: object) -> None:
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": bad_id, "text": ARTICLE}) + "\n", encoding="utf-8")
    [fail] = list(iter_articles(tmp_path))
    assert isinstance(fail, ArticleFailure) and fail.code == "E108"


def test_a_bad_byte_in_a_jsonl_file_fails_its_line_only(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "text": ARTICLE}).encode()
    (tmp_path / "b.jsonl").write_bytes(good + b"\n" + b'{"id": "b", "text": "caf\xe9"}\n'
                                       + json.dumps({"id": "c", "text": ARTICLE}).encode() + b"\n")
    items = list(iter_articles(tmp_path))
    assert [a.doc_id for a in items if isinstance(a, Article)] == ["b.jsonl#a", "b.jsonl#c"]
    [fail] = [f for f in items if isinstance(f, ArticleFailure)]
    assert fail.code == "E101" and fail.reason.startswith("line 2:")


def test_large_files_are_refused_from_their_size_without_being_read(tmp_path: Path, monkeypatch) -> None:
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(50_000_000)
    with open(tmp_path / "page.html", "wb") as handle:
        handle.truncate(30_000_000)
    (tmp_path / "small.txt").write_text(ARTICLE, encoding="utf-8")
    read_bytes = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        read_bytes.append(len(data))
        return data

    monkeypatch.setattr(reading.os, "read", counting_read)

    def no_parse(*args, **kwargs):
        raise AssertionError("an HTML page over html_max_bytes was parsed")
    import trafilatura
    monkeypatch.setattr(trafilatura, "extract", no_parse)
    items = {x.path: x for x in iter_articles(tmp_path)}
    assert items["huge.txt"].code == "E104" and "50000000 bytes" in items["huge.txt"].reason
    assert items["page.html"].code == "E104" and "html_max_bytes=2000000" in items["page.html"].reason
    assert isinstance(items["small.txt"], Article)
    assert sum(read_bytes) == len(ARTICLE.encode())  # only the small article was read


# ---------------------------------------------------------------------------
# Parts of the input that cannot be looked at


def make_too_long_path(src: Path) -> Path:
    """A folder chain under ``src`` whose full path is longer than the system allows (PATH_MAX)."""
    name = "d" * 250
    fd = os.open(src, os.O_RDONLY)
    try:
        for _ in range(20):  # 20 x 251 characters > 4096
            os.mkdir(name, dir_fd=fd)
            new = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
        with os.fdopen(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as handle:
            fd = None
            handle.write(ARTICLE)
    finally:
        if fd is not None:
            os.close(fd)
    return src / name


def test_a_path_longer_than_the_system_allows_is_an_error_row_not_a_traceback(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "good.txt").write_text(ARTICLE, encoding="utf-8")
    top = make_too_long_path(src)
    try:
        result = cli("extract", str(src), "--out", str(out), "--no-progress")
        assert "Traceback" not in result.stderr
        assert result.returncode == EXIT_INCOMPLETE, result.stderr
        summary = assert_outputs_whole(out)
        assert summary["complete"] is False and summary["unread"] == 1
        [error] = strict_rows(out / "errors.jsonl")
        assert error["code"] == "E112" and "ENAMETOOLONG" in error["reason"]
        assert {c["doc_id"] for c in strict_rows(out / "claims.jsonl")} == {"good.txt"}
        # a source path that is itself too long: a usage error naming the reason, nothing written
        result = cli("extract", str(src) + "/" + "x" * 5000, "--out", str(tmp_path / "out2"))
        assert result.returncode == EXIT_USAGE and "E402" in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "out2").exists()
    finally:
        shutil.rmtree(top)


def test_a_folder_that_cannot_be_listed_makes_the_run_incomplete(tmp_path: Path, monkeypatch) -> None:
    # the tests run as root, for whom chmod 000 hides nothing: the OS error is raised for it
    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    (src / "locked" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if Path(path).name == "secret.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(reading.os, "scandir", scandir)
    monkeypatch.setattr(reading.os, "stat", stat)
    summary = run_extract(src, tmp_path / "out", progress=False)
    monkeypatch.undo()
    assert (summary.articles_read, summary.failed, summary.unread, summary.complete) == (1, 2, 2, False)
    errors = {e["file"]: e for e in strict_rows(tmp_path / "out" / "errors.jsonl")}
    assert errors["locked"]["code"] == "E112" and "EACCES" in errors["locked"]["reason"]
    assert errors["secret.txt"]["code"] == "E113"
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["complete"] is False


# ---------------------------------------------------------------------------
# Long lines


def test_control_characters_in_an_article_are_read_as_spaces_with_a_warning(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "clean.txt").write_text(ARTICLE, encoding="utf-8")
    # a NUL between a figure and its scale word, and a NUL, an escape and a form feed elsewhere
    dirty = ARTICLE.replace("12% year", "12%\x00year").replace("1.3 million", "1.3\x00million")
    dirty = dirty.replace("of 4.2", "of\x1b4.2").replace("The company", "The\x0ccompany")
    assert len(dirty) == len(ARTICLE)
    (src / "dirty.txt").write_text(dirty, encoding="utf-8")
    summary = run_extract(src, tmp_path / "out", workers=1, progress=False)
    assert (summary.articles_read, summary.failed, summary.warnings) == (2, 0, 1)
    rows = strict_rows(tmp_path / "out" / "claims.jsonl")

    def seen(doc: str) -> list[dict]:
        return [{k: v for k, v in r.items() if k not in ("doc_id", "claim_id")} for r in rows if r["doc_id"] == doc]

    assert seen("dirty.txt") == seen("clean.txt") and len(seen("clean.txt")) == 2
    assert [r["value"] for r in rows if r["doc_id"] == "dirty.txt"] == [4.2e9, 1.3e6]  # 1.3 million, not 1.3
    [warning] = strict_rows(tmp_path / "out" / "warnings.jsonl")
    assert warning == {"doc_id": "dirty.txt", "file": "dirty.txt", "code": "W122",
                       "reason": "4 control character(s) read as spaces (the first, '\\x1b', at offset 34): "
                                 "not text; a broken export?"}
    assert strict_rows(tmp_path / "out" / "errors.jsonl") == []


def test_a_long_line_without_punctuation_is_read_in_pieces_with_every_figure_whole() -> None:
    nlp = make_nlp()
    reps = 200_000 // len(NEWS_UNIT)
    text = NEWS_UNIT * reps
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"], doc.user_data["doc_date"] = "long.txt", None
    doc = nlp(doc)
    lengths = [s.end_char - s.start_char for s in doc.sents]
    assert len(lengths) >= len(text) // 6000 and max(lengths) <= 6000 + 100
    claims = doc.user_data["claims"]
    values = [c["value_text"] for c in claims]
    # each repetition's figures are claims, none cut in two by a piece boundary
    for figure in ("3 billion dollars", "5 million"):
        assert values.count(figure) >= reps - 2
    assert set(values) == {"3 billion dollars", "5 million"}
    assert [c["change_text"] for c in claims].count("12 percent") >= reps - 2


# ---------------------------------------------------------------------------
# check, eval and report on bad rows


@pytest.fixture(scope="module")
def claim_rows(tmp_path_factory) -> list[bytes]:
    """Claim rows of a real extraction, one JSONL line each (bytes)."""
    src = tmp_path_factory.mktemp("src")
    (src / "a.txt").write_text(ARTICLE + "Services revenue rose to 1.1 billion euros in the quarter.\n",
                               encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    run_extract(src, out, force=True, progress=False)
    rows = (out / "claims.jsonl").read_bytes().splitlines()
    assert len(rows) >= 3
    return rows


def test_check_skips_a_line_with_a_bad_byte_and_names_its_true_line(tmp_path: Path, claim_rows) -> None:
    lines = list(claim_rows)
    lines[1] = lines[1].replace(b'"sentence":"', b'"sentence":"\xff', 1)
    (tmp_path / "claims.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "claims.jsonl"), "--out", str(tmp_path / "o")])
    assert result.exit_code == EXIT_INCOMPLETE
    assert "claims.jsonl:2: [E212]" in result.stdout  # the check summary lists the skipped rows
    summary = json.loads((tmp_path / "o" / "checks_summary.json").read_text())
    assert summary["claims"] == len(lines) - 1 and summary["complete"] is False


@pytest.mark.parametrize("big", ["1e400", "1" + "0" * 400, "-1e400"])
def test_a_number_out_of_range_is_a_skipped_row_for_check_eval_and_report(tmp_path: Path, claim_rows,
                                                                          big: str) -> None:
    row = json.loads(claim_rows[0])
    row["value"] = 1.5
    text = json.dumps(row).replace("1.5", big, 1)
    out = tmp_path / "o"
    out.mkdir()
    (out / "claims.jsonl").write_bytes(b"\n".join(claim_rows[1:]) + b"\n" + text.encode() + b"\n")
    n = len(claim_rows)
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(out / "claims.jsonl"), "--out", str(out)])
    assert result.exit_code == EXIT_INCOMPLETE and isinstance(result.exception, SystemExit)
    assert f"claims.jsonl:{n}: [E210]" in result.stdout
    result = runner.invoke(main, ["eval", "--gold", str(out / "claims.jsonl"), "--pred", str(out / "claims.jsonl")])
    assert result.exit_code == EXIT_INCOMPLETE and f"claims.jsonl:{n}: [E210]" in result.stderr
    assert "recall 1.000" in result.stdout
    result = runner.invoke(main, ["report", str(out), "--no-charts"])
    assert result.exit_code == EXIT_INCOMPLETE and f"claims.jsonl:{n}: [E251]" in result.stderr
    assert len(pd.read_csv(out / "claims.csv")) == n - 1  # the tables hold the other rows
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "input rows skipped: this page covers the other rows only" in page  # the page says so too


def test_report_refuses_checks_made_from_other_claims(tmp_path: Path, claim_rows) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "claims.jsonl").write_bytes(b"\n".join(claim_rows) + b"\n")
    check = {"check": "conflict", "status": "consistent", "claim_ids": ["elsewhere.txt:0:0"], "expected": None,
             "observed": None, "tolerance": None, "message": "x"}
    (out / "checks.jsonl").write_text(json.dumps(check) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(out), "--no-charts"])
    assert result.exit_code == EXIT_USAGE
    assert "E256" in result.stderr and "elsewhere.txt:0:0" in result.stderr
    assert not (out / "claims.csv").exists() and not (out / "report.html").exists()


def test_a_figure_too_large_for_a_number_never_reaches_claims_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Acme revenue rose to $1" + "0" * 400 + " billion in 2024 and shipments were "
                               "5 million units.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(src), "--out", str(tmp_path / "o"), "--check"])
    assert result.exit_code == EXIT_OK, result.output
    claims = strict_rows(tmp_path / "o" / "claims.jsonl")  # no Infinity: strict JSON
    assert [c["value_text"] for c in claims] == ["5 million"]
    [warning] = strict_rows(tmp_path / "o" / "warnings.jsonl")
    assert warning["code"] == "W121"
    assert json.loads((tmp_path / "o" / "checks_summary.json").read_text())["complete"] is True


def test_extract_check_exits_like_check_when_the_checks_skip_rows(tmp_path: Path, monkeypatch) -> None:
    import pipeline.checks as checks
    from pipeline.rows import InputProblem

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    real = checks._read_claims

    def one_bad(path, problems):
        problems.append(InputProblem(str(path), 1, "E210", "planted"))
        yield from real(path, problems)

    monkeypatch.setattr(checks, "_read_claims", one_bad)
    result = CliRunner().invoke(main, ["extract", str(src), "--out", str(tmp_path / "o"), "--check"])
    assert result.exit_code == EXIT_INCOMPLETE
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["checks_complete"] is False and summary["complete"] is False
    result = CliRunner().invoke(main, ["check", str(tmp_path / "o" / "claims.jsonl"), "--out", str(tmp_path / "p")])
    assert result.exit_code == EXIT_INCOMPLETE


# ---------------------------------------------------------------------------
# Tables written whole or not at all


def test_a_full_disk_while_writing_a_table_leaves_no_truncated_table(tmp_path: Path, claim_rows,
                                                                       monkeypatch) -> None:
    from pipeline.report import write_tables

    out = tmp_path / "o"
    out.mkdir()
    (out / "claims.jsonl").write_bytes(b"\n".join(claim_rows) + b"\n")
    import pipeline.tables as tables

    real, real_csv = pd.DataFrame.to_csv, tables._write_csv

    def full_disk(self, path, *args, **kwargs):
        real(self.head(1), path, *args, **kwargs)  # some rows reach the disk, then it is full
        raise OSError(errno.ENOSPC, "No space left on device")

    def full_disk_csv(path, columns, cells, header):  # the batches written without pandas
        real_csv(path, columns, [column[:1] for column in cells], header)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    monkeypatch.setattr(tables, "_write_csv", full_disk_csv)
    with pytest.raises(OSError):
        write_tables(out)
    monkeypatch.undo()
    assert sorted(p.name for p in out.iterdir()) == ["claims.jsonl"]  # no claims.csv, no temporary file
    write_tables(out)
    assert len(pd.read_csv(out / "claims.csv")) == len(claim_rows)


def test_a_full_disk_while_merging_the_parts_is_e412_naming_the_file_and_resume_goes_on(
        tmp_path: Path, monkeypatch) -> None:
    import pipeline.extract as extract_module

    src, out, ref = tmp_path / "in", tmp_path / "out", tmp_path / "ref"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "b.txt").write_text(ARTICLE.replace("Orvane", "Pellam"), encoding="utf-8")
    real = extract_module.append_part

    def full_disk(parts_dir, index, kind, handle):  # some bytes reach the disk, then it is full
        real(parts_dir, index, kind, handle)
        if kind == "claims":
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(extract_module, "append_part", full_disk)
    result = CliRunner().invoke(main, ["extract", str(src), "--out", str(out), "--no-progress", "--workers", "1"])
    monkeypatch.undo()
    assert result.exit_code == EXIT_WRITE and isinstance(result.exception, SystemExit), result.output
    partial = out / "claims.jsonl.partial"
    assert (f"[E412] {partial}: cannot write it: No space left on device (ENOSPC); the finished shards are kept "
            f"in parts/: make room and run `extract --resume`") in result.output
    assert "Traceback" not in result.output
    # only the *.partial file, the manifest and the parts: no row file, no summary, no lock
    assert sorted(os.listdir(out)) == ["claims.jsonl.partial", "manifest.jsonl", "parts"]
    result = CliRunner().invoke(main, ["extract", str(src), "--out", str(out), "--no-progress", "--resume"])
    assert result.exit_code == EXIT_OK, result.output
    assert CliRunner().invoke(main, ["extract", str(src), "--out", str(ref), "--no-progress"]).exit_code == EXIT_OK
    assert sorted(os.listdir(out)) == sorted(os.listdir(ref))
    assert (out / "claims.jsonl").read_bytes() == (ref / "claims.jsonl").read_bytes()
    assert json.loads((out / "summary.json").read_text())["complete"] is True


def test_a_report_stopped_among_its_renames_is_marked_and_one_stopped_before_changes_nothing(
        tmp_path: Path, claim_rows, monkeypatch) -> None:
    from pipeline.checks import run_checks
    from pipeline.report import REPORT_MARKER, write_review_outputs

    out = tmp_path / "o"
    out.mkdir()
    (out / "claims.jsonl").write_bytes(b"\n".join(claim_rows) + b"\n")
    run_checks([out / "claims.jsonl"], out)
    names = ["checks.csv", "checks.parquet", "claims.csv", "claims.parquet", "report.html"]
    write_review_outputs(out, charts=False)
    first = {name: (out / name).read_bytes() for name in names}
    (out / "claims.jsonl").write_bytes(b"\n".join(claim_rows[:-1]) + b"\n")  # the next run's tables differ
    (out / "checks.jsonl").write_bytes(b"")
    real_replace = os.replace

    # a full disk on the page, the last file written: no file of the set is replaced, no marker
    def full_disk(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline.report.Path, "write_text", full_disk)
    with pytest.raises(OSError):
        write_review_outputs(out, charts=False)
    monkeypatch.undo()
    assert {name: (out / name).read_bytes() for name in names} == first
    assert sorted(os.listdir(out)) == sorted(["claims.jsonl", "checks.jsonl", "checks_summary.json", *names])

    # killed after the tables were renamed and before the page was: the marker says so
    def killed_at_the_page(src, dst, *args, **kwargs):
        if Path(dst).name == "report.html":
            raise KeyboardInterrupt
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", killed_at_the_page)
    with pytest.raises(KeyboardInterrupt):
        write_review_outputs(out, charts=False)
    monkeypatch.undo()
    assert (out / "report.html").read_bytes() == first["report.html"]  # the old page ...
    assert (out / "claims.csv").read_bytes() != first["claims.csv"]  # ... beside the new tables
    marker = json.loads((out / REPORT_MARKER).read_text(encoding="utf-8"))
    assert marker["complete"] is False and sorted(marker["files"]) == names
    assert "newsfigures report" in marker["reason"] and "run it again" in marker["reason"]
    assert sorted(os.listdir(out)) == sorted(["claims.jsonl", "checks.jsonl", "checks_summary.json", REPORT_MARKER,
                                              *names])  # and no temporary file
    write_review_outputs(out, charts=False)  # run again: whole, and the marker gone
    assert not (out / REPORT_MARKER).exists()
    assert (out / "report.html").read_bytes() != first["report.html"]
    assert_outputs_whole(out)


# ---------------------------------------------------------------------------
# One run at a time; a kill and a re-run


def long_article(folder: Path, mb: float = 1.0) -> Path:
    """A folder with one long single-line article (several seconds to extract)."""
    folder.mkdir()
    (folder / "long.txt").write_text(NEWS_UNIT * int(mb * 1_000_000 / len(NEWS_UNIT)), encoding="utf-8")
    return folder


def test_a_run_into_a_folder_another_run_holds_is_refused_naming_it(tmp_path: Path, claim_rows) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    claims_file = tmp_path / "claims.jsonl"
    claims_file.write_bytes(b"\n".join(claim_rows) + b"\n")
    (out / "claims.jsonl").write_bytes(claims_file.read_bytes())
    # another run holds the folder until it reads a line on its stdin
    holder = subprocess.Popen([sys.executable, "-c", "import sys\nfrom pipeline.outdir import OutputLock\n"
                               f"with OutputLock({str(out)!r}, 'holder'):\n    print('held', flush=True)\n"
                               "    sys.stdin.readline()\n"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "held"
        for argv in (["extract", str(src), "--out", str(out), "--force", "--no-progress"],
                     ["check", str(claims_file), "--out", str(out)],
                     ["report", str(out), "--no-charts"]):
            result = cli(*argv)
            assert result.returncode == EXIT_USAGE, (argv, result.stderr)
            assert "E404" in result.stderr and f"process {holder.pid}" in result.stderr and "holder" in result.stderr
            assert "Traceback" not in result.stderr
        assert holder.poll() is None
        assert sorted(os.listdir(out)) == [LOCK_NAME, "claims.jsonl"]  # nothing written, nothing removed
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0 and not (out / LOCK_NAME).exists()
    result = cli("extract", str(src), "--out", str(out), "--force", "--no-progress")
    assert result.returncode == EXIT_OK, result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_during_extract_releases_the_lock_and_leaves_a_resumable_run(tmp_path: Path, workers: str) -> None:
    src, out = long_article(tmp_path / "in", mb=0.5), tmp_path / "out"
    (src / "short.txt").write_text(ARTICLE, encoding="utf-8")
    proc = start("extract", str(src), "--out", str(out), "--no-progress", "--workers", workers)
    try:
        deadline = time.monotonic() + TIMEOUT  # a bound, not a timing: the run is killed if it overruns
        while not (out / MANIFEST_NAME).exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (out / MANIFEST_NAME).exists() and (out / LOCK_NAME).exists() and proc.poll() is None
        proc.send_signal(signal.SIGTERM)  # the long article is seconds of work: the run is still going
    finally:
        status, _, err = finish(proc)
    assert status == 1 and "Aborted!" in err and "Traceback" not in err, err
    assert not (out / LOCK_NAME).exists()  # released, as Ctrl-C releases it
    assert not (out / "summary.json").exists() and not (out / "claims.jsonl").exists()
    result = cli("extract", str(src), "--out", str(out), "--no-progress", "--resume", "--workers", workers)
    assert result.returncode == EXIT_OK, result.stderr
    summary = assert_outputs_whole(out)
    assert summary["complete"] is True and summary["articles_read"] == 2


def test_two_extract_runs_started_together_leave_one_whole_output(tmp_path: Path) -> None:
    src, out = long_article(tmp_path / "in"), tmp_path / "out"
    runs = [start("extract", str(src), "--out", str(out), "--force", "--no-progress") for _ in range(2)]
    results = [finish(run) for run in runs]
    statuses = sorted(status for status, _, _ in results)
    assert statuses in ([EXIT_OK, EXIT_USAGE], [EXIT_OK, EXIT_OK])  # refused, or one after the other
    for status, _, err in results:
        assert "Traceback" not in err
        if status == EXIT_USAGE:
            assert "E404" in err
    summary = assert_outputs_whole(out)
    assert summary["complete"] is True and summary["articles_read"] == 1
    assert not (out / LOCK_NAME).exists()


def test_a_stale_lock_is_taken_over_and_a_live_one_refused(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=60)
    import socket
    (out / LOCK_NAME).write_text(json.dumps({"pid": gone.pid, "host": socket.gethostname(), "command": "x",
                                             "started": "then"}), encoding="utf-8")
    summary = run_extract(src, out, progress=False)
    assert summary.complete and summary.articles_read == 1
    assert not (out / LOCK_NAME).exists()
    # a live owner (this test's own process, seen from a child run) is refused
    (out / LOCK_NAME).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": "pytest",
                                             "started": "now"}), encoding="utf-8")
    result = cli("extract", str(src), "--out", str(out), "--force", "--no-progress")
    assert result.returncode == EXIT_USAGE and f"process {os.getpid()}" in result.stderr
    (out / LOCK_NAME).unlink()


def test_the_lock_is_reentrant_in_one_process_and_released(tmp_path: Path) -> None:
    with OutputLock(tmp_path, "outer"):
        with OutputLock(tmp_path, "inner"):
            assert (tmp_path / LOCK_NAME).exists()
        assert (tmp_path / LOCK_NAME).exists()
    assert not (tmp_path / LOCK_NAME).exists()


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory) -> Path:
    """An uninterrupted ``extract --check --report`` of the corpus."""
    ref = tmp_path_factory.mktemp("ref") / "out"
    result = cli("extract", str(REPO / "corpus" / "articles"), "--out", str(ref), "--check", "--report",
                 "--no-progress")
    assert result.returncode == EXIT_OK, result.stderr
    return ref


@pytest.mark.parametrize("delay", [0.8, 2.0, 3.0, 4.0])
def test_kill_9_at_any_point_leaves_no_output_passed_off_as_complete_and_a_rerun_is_identical(
        tmp_path: Path, delay: float, reference_run: Path) -> None:
    src = REPO / "corpus" / "articles"
    ref, out = reference_run, tmp_path / "out"
    proc = start("extract", str(src), "--out", str(out), "--check", "--report", "--no-progress")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    finish(proc)
    if out.exists():
        summary = assert_outputs_whole(out)
        if summary is not None:  # the run had ended: then everything is there
            assert summary["complete"] is True and set(summary["files"]) <= set(os.listdir(out))
    result = cli("extract", str(src), "--out", str(out), "--check", "--report", "--force", "--no-progress")
    assert result.returncode == EXIT_OK, result.stderr
    for name in ("claims.jsonl", "errors.jsonl", "checks.jsonl", "claims.csv", "checks.csv"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert sorted(os.listdir(out)) == sorted(os.listdir(ref))  # no leftover partial or temporary file


# ---------------------------------------------------------------------------
# The README's exit-status table is what the commands do


def readme_exit_table() -> dict[int, set[str]]:
    """{status: commands} from the README's "Exit status" table."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Exit status", 1)[1].split("\n#", 1)[0]
    table = {}
    for line in section.splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|(.*)\|([^|]*)\|\s*$", line)
        if m:
            table[int(m[1])] = {c.strip(" `") for c in m[3].split(",")}
    return table


def test_the_readme_exit_status_table_is_true(tmp_path: Path, claim_rows, monkeypatch) -> None:
    table = readme_exit_table()
    commands = {"extract", "check", "eval", "report", "show"}
    assert table == {EXIT_OK: commands, EXIT_USAGE: commands, EXIT_INCOMPLETE: commands, EXIT_WRITE: {"extract"}}
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "exits 1 on a usage" not in text
    good = tmp_path / "good"
    good.mkdir()
    (good / "claims.jsonl").write_bytes(b"\n".join(claim_rows) + b"\n")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "claims.jsonl").write_bytes(b"\n".join(claim_rows) + b"\n[1]\n")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[reading]\nmax_chars = 0\n", encoding="utf-8")
    deep_src = tmp_path / "deep"
    deep_src.mkdir()
    top = make_too_long_path(deep_src)
    runs = {
        EXIT_OK: [["extract", str(src), "--out", str(tmp_path / "o1")],
                  ["check", str(good / "claims.jsonl"), "--out", str(good)],
                  ["eval", "--gold", str(good / "claims.jsonl"), "--pred", str(good / "claims.jsonl")],
                  ["report", str(good), "--no-charts"],
                  ["show", str(good)]],
        EXIT_USAGE: [["extract", str(src), "--out", str(tmp_path / "o2"), "--config", str(bad_config)],
                     ["extract", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o3")],
                     ["check", str(tmp_path / "nowhere.jsonl"), "--out", str(tmp_path / "o4")],
                     ["eval", "--gold", str(tmp_path / "nowhere.jsonl"), "--pred", str(good / "claims.jsonl")],
                     ["report", str(tmp_path / "nowhere")],
                     ["show", str(tmp_path / "nowhere")]],
        EXIT_INCOMPLETE: [["extract", str(deep_src), "--out", str(tmp_path / "o5")],
                          ["check", str(bad / "claims.jsonl"), "--out", str(bad)],
                          ["eval", "--gold", str(good / "claims.jsonl"), "--pred", str(bad / "claims.jsonl")],
                          ["report", str(bad), "--no-charts"],
                          ["show", str(bad)]],
    }
    try:
        for status, argvs in runs.items():
            assert {argv[0] for argv in argvs} == table[status]
            for argv in argvs:
                result = CliRunner().invoke(main, argv)
                assert result.exit_code == status, (argv, result.output, result.exception)
                assert result.exception is None or isinstance(result.exception, SystemExit), argv
    finally:
        shutil.rmtree(top)
    import pipeline.parts as parts

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(parts.shutil, "copyfileobj", full_disk)  # the parts' merge
    result = CliRunner().invoke(main, ["extract", str(src), "--out", str(tmp_path / "o6"), "--workers", "1"])
    assert result.exit_code == EXIT_WRITE and "[E412]" in result.output, (result.output, result.exception)


def test_a_file_name_that_is_not_utf8_fails_alone(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (src / os.fsdecode(b"bad\xffname.txt")).write_text(ARTICLE, encoding="utf-8")
    (src / os.fsdecode(b"dir\xfe")).mkdir()
    (src / os.fsdecode(b"dir\xfe") / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (src / os.fsdecode(b"scan\xfe.pdf")).write_bytes(b"%PDF-1.4")
    result = cli("extract", str(src), "--out", str(out), "--no-progress")
    assert result.returncode == EXIT_OK, result.stderr
    assert "Traceback" not in result.stderr
    summary = assert_outputs_whole(out)
    assert summary["complete"] is True and summary["skipped_by_reason"] == {"not an article format": 1}
    errors = strict_rows(out / "errors.jsonl")
    assert {(e["file"], e["code"]) for e in errors} == {("bad\\xffname.txt", "E116"), ("dir\\xfe/a.txt", "E116")}
    assert {c["doc_id"] for c in strict_rows(out / "claims.jsonl")} == {"good.txt"}
