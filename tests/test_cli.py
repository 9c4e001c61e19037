"""The command line (pipeline/cli.py), driven with click's CliRunner."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

ARTICLE = ("Orvane Devices reported revenue of 4.2 billion euros for the fourth quarter of 2023, "
           "up 12% year-on-year.\nThe company shipped 1.3 million laptops in the quarter.\n")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Two good articles, one that is not UTF-8 and one file that is not an article."""
    src = tmp_path / "articles"
    src.mkdir()
    (src / "orvane.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "second.txt").write_text("Kestrel Semiconductor said it would cut 300 jobs.\n", encoding="utf-8")
    (src / "latin.txt").write_bytes("Umsatz: 5 Mio. €".encode("cp1252"))
    (src / "notes.docx").write_bytes(b"PK\x03\x04")
    return src


def lines(path: Path) -> list[dict]:
    """The rows of a JSONL file."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_extract_prints_the_summary_line_and_writes_claims(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["extract", str(folder), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    m = re.search(r"articles read (\d+), skipped (\d+), failed (\d+), claims (\d+)", result.stdout)
    assert m, result.stdout
    n_claims = len(lines(out / "claims.jsonl"))
    assert tuple(int(g) for g in m.groups()) == (2, 1, 1, n_claims)
    assert n_claims >= 2
    assert re.search(r"[\d,]+ words/s", result.stdout)
    assert f"wrote {out / 'claims.jsonl'}" in result.stdout
    # the failure is reported on stderr with its file and code
    assert "latin.txt: [E101]" in result.stderr


def test_extract_refuses_existing_output_without_force(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["extract", str(folder), "--out", str(out)]).exit_code == 0
    again = runner.invoke(main, ["extract", str(folder), "--out", str(out)])
    assert again.exit_code == 2
    assert "E401" in again.stderr
    forced = runner.invoke(main, ["extract", str(folder), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output


def test_extract_date_option_sets_doc_date(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["extract", str(folder), "--out", str(out), "--date", "2024-01-31"])
    assert result.exit_code == 0, result.output
    assert {c["doc_date"] for c in lines(out / "claims.jsonl")} == {"2024-01-31"}


def test_extract_rejects_a_date_that_is_not_one(folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", str(folder), "--out", str(tmp_path / "o"), "--date", "someday"])
    assert result.exit_code == 2
    assert "--date" in result.stderr
    assert not (tmp_path / "o" / "claims.jsonl").exists()


def test_extract_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "E402" in result.stderr


GOLD = [
    {"doc_id": "a.txt", "start": 10, "end": 20, "value": 100.0, "company": "Orvane", "metric": "revenue",
     "segment": None, "unit": "EUR", "period": "2023-Q4", "direction": None, "change": None},
    {"doc_id": "a.txt", "start": 40, "end": 50, "value": 5.0, "company": "Orvane", "metric": "gross margin",
     "segment": None, "unit": "%", "period": "2023-Q4", "direction": None, "change": None},
]
PRED = [
    {"doc_id": "a.txt", "start": 12, "end": 18, "value": 100.2, "company": "Orvane", "metric": "revenue",
     "segment": None, "unit": "EUR", "period": "2023-Q4", "direction": None, "change": None},
    {"doc_id": "a.txt", "start": 70, "end": 75, "value": 7.0, "company": "Orvane", "metric": "revenue",
     "segment": None, "unit": "EUR", "period": "2023-Q4", "direction": None, "change": None},
]


@pytest.fixture()
def gold_pred(tmp_path: Path) -> tuple[Path, Path]:
    """GOLD and PRED written as JSONL files."""
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in GOLD) + "\n", encoding="utf-8")
    pred.write_text("\n".join(json.dumps(r) for r in PRED) + "\n", encoding="utf-8")
    return gold, pred


def test_eval_prints_recall_precision_and_writes_json(gold_pred: tuple[Path, Path], tmp_path: Path) -> None:
    gold, pred = gold_pred
    out = tmp_path / "score.json"
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--pred", str(pred), "--json", str(out)])
    assert result.exit_code == 0, result.output
    # one of two gold claims found, one of two predictions right; the found one is right in full
    assert "gold 2 pred 2 matched 1" in result.stdout
    assert "recall 0.500 precision 0.500 f1 0.500 full_f1 0.500" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["gold"], data["pred"], data["matched"]) == (2, 2, 1)
    assert data["recall"] == pytest.approx(0.5) and data["precision"] == pytest.approx(0.5)
    assert data["fields"]["company"] == pytest.approx(1.0)
    assert "misses" not in data


def test_eval_json_to_stdout_and_show_misses(gold_pred: tuple[Path, Path]) -> None:
    gold, pred = gold_pred
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--pred", str(pred), "--json", "-",
                                       "--show-misses"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # with --json -, stdout is the JSON alone
    assert [m["value"] for m in data["misses"]] == [5.0]
    assert data["misses"][0]["metric"] == "gross margin"


def test_eval_skips_and_names_the_line_of_a_bad_row(gold_pred: tuple[Path, Path], tmp_path: Path) -> None:
    gold, _ = gold_pred
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(PRED[0]) + "\n[1, 2]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--pred", str(bad)])
    assert result.exit_code == 3  # scored on the good rows, the bad one skipped and listed (issue 10)
    assert "E210" in result.stderr and "bad.jsonl:2" in result.stderr
    assert "recall" in result.stdout


@pytest.mark.parametrize("bad", ["May 1", "2024/05/01", "20240501", "2024-13-45", "2024-05-01T10:00"])
def test_extract_date_must_be_iso(tmp_path: Path, bad: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Revenue was $5 billion in 2023.", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(src), "--out", str(tmp_path / "out"), "--date", bad])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


@pytest.mark.parametrize("args", [
    ["eval", "--pred", "{claims}", "--gold", "{claims}", "--json", "{missing}/scores.json"],
    ["eval", "--cv", "2", "--articles", "{folder}", "--gold", "{claims}", "--pred-out", "{missing}/pred.jsonl"],
    ["train", "--out", "{missing}/model.json"],
])
def test_a_file_option_in_a_missing_folder_is_refused_before_any_work(folder: Path, tmp_path: Path,
                                                                        args: list[str]) -> None:
    claims = tmp_path / "claims.jsonl"
    claims.write_text("", encoding="utf-8")
    filled = [a.format(claims=claims, folder=folder, missing=tmp_path / "nowhere") for a in args]
    result = CliRunner().invoke(main, filled)
    assert result.exit_code == 2, result.output
    assert "E409" in result.stderr and "nowhere" in result.stderr


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_extract_rejects_a_placeholder_date(folder: Path, tmp_path: Path, date: str) -> None:
    result = CliRunner().invoke(main, ["extract", str(folder), "--out", str(tmp_path / "o"), "--date", date])
    assert result.exit_code == 2 and "1900-2100" in result.stderr


def test_eval_refuses_claims_and_gold_of_other_articles(gold_pred: tuple[Path, Path], tmp_path: Path) -> None:
    gold, _ = gold_pred
    other = tmp_path / "other.jsonl"
    other.write_text("\n".join(json.dumps(dict(r, doc_id="z.txt")) for r in PRED) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--pred", str(other)])
    assert result.exit_code == 2 and "E411" in result.stderr
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--pred", str(other), "--doc-prefix", "zzz"])
    assert result.exit_code == 2 and "E411" in result.stderr and "zzz" in result.stderr
    inside = tmp_path / "inside.jsonl"  # a folder before the id is the same article
    inside.write_text("\n".join(json.dumps(dict(r, doc_id="dev/a.txt")) for r in PRED) + "\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["eval", "--gold", str(gold), "--pred", str(inside)]).exit_code == 0


def test_train_refuses_a_gold_file_of_other_articles(folder: Path, gold_pred: tuple[Path, Path]) -> None:
    gold, _ = gold_pred
    other = gold.with_name("other_gold.jsonl")
    other.write_text("\n".join(json.dumps(dict(r, doc_id="z.txt")) for r in GOLD) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["train", "--articles", str(folder), "--gold", str(other),
                                       "--out", str(gold.with_name("m.json"))])
    assert result.exit_code == 2 and "E411" in result.stderr
    assert not gold.with_name("m.json").exists()


def test_eval_refuses_more_folds_than_articles_with_gold() -> None:
    root = Path(__file__).resolve().parent.parent
    result = CliRunner().invoke(main, ["eval", "--cv", "50", "--articles", str(root / "corpus" / "articles"),
                                       "--gold", str(root / "corpus" / "gold.jsonl")])
    assert result.exit_code == 2 and "E413" in result.stderr and "at most 29" in result.stderr


def test_extract_refuses_one_file_of_a_kind_not_read(tmp_path: Path) -> None:
    note = tmp_path / "note.pdf"
    note.write_text("Revenue rose 5% to $1 billion.", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(note), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "E402" in result.stderr and ".txt" in result.stderr
    assert not (tmp_path / "o").exists()


def test_eval_unknown_companies_needs_cv(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--pred", str(gold), "--unknown-companies"])
    assert result.exit_code == 2 and "--unknown-companies needs --cv" in result.stderr


def test_unknown_companies_leave_the_gold_companies_and_their_aliases_out_of_the_lexicon(tmp_path: Path) -> None:
    from pipeline.attachment.crossval import without_gold_companies
    from pipeline.config import load_settings

    settings = load_settings()
    # "Google" is an alias of Alphabet: the entry goes whichever name the gold writes
    hidden, dropped = without_gold_companies(settings, [{"company": "xiaomi"}, {"company": "Google"}, {"company": None}],
                                             tmp_path / "models")
    assert hidden.models_dir == tmp_path / "models" and settings.models_dir != hidden.models_dir
    kept = (tmp_path / "models" / "companies.jsonl").read_text(encoding="utf-8").splitlines()
    before = (settings.models_dir / "companies.jsonl").read_text(encoding="utf-8").splitlines()
    names = [json.loads(x)["name"] for x in kept if x.startswith("{")]
    assert "Xiaomi" not in names and "Alphabet" not in names and "Apple" in names
    assert dropped == 2 and len(kept) == len(before) - 2
    assert kept[0].startswith("//")  # the comment lines stay
    assert (tmp_path / "models" / "metrics.jsonl").read_bytes() == (settings.models_dir / "metrics.jsonl").read_bytes()


def test_a_change_whose_sign_disagrees_with_its_from_figure_is_inconsistent(tmp_path: Path) -> None:
    # "fell 5% to 812,000 from 760,000": the stated change is measured against the figure the text
    # gives (from_value), so change_vs_prior checks it (it is +6.8%)
    art = tmp_path / "in" / "a.md"
    art.parent.mkdir()
    art.write_text("---\ndate: 2024-05-02\n---\nIn the first quarter, Orvane Devices said its shipments fell 5% "
                   "to 812,000 units from 760,000 units a year earlier.\n\nOrvane's revenue rose 26.8% to 520 "
                   "million euros from 410 million euros.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(art.parent), "--out", str(tmp_path / "out"), "--check",
                                       "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (tmp_path / "out" / "checks.jsonl").read_text(encoding="utf-8").splitlines()]
    found = {(r["check"], r["status"], round(r["expected"], 2)) for r in rows if r["check"] == "change_vs_prior"}
    assert found == {("change_vs_prior", "inconsistent", 6.84), ("change_vs_prior", "consistent", 26.83)}


def test_eval_refuses_a_folder_as_gold_or_claims(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("", encoding="utf-8")
    for argv in (["--gold", str(gold), "--pred", str(tmp_path)], ["--gold", str(tmp_path), "--pred", str(gold)]):
        result = CliRunner().invoke(main, ["eval", *argv])
        assert result.exit_code == 2 and "is a directory" in result.output, result.output


def test_a_sigterm_swallowed_by_a_finalizer_still_stops_the_run() -> None:
    # the handler's KeyboardInterrupt is lost when it lands inside a __del__ (CI saw a run go on to
    # exit 0 after "Exception ignored in: <function Group.__del__>"); the request is kept, and the
    # run's loops raise it again (pipeline.interrupt.check)
    import signal as _signal

    from pipeline import cli, interrupt

    interrupt.clear()

    class Finalized:
        def __del__(self):
            cli._terminated(_signal.SIGTERM, None)

    Finalized()  # Python prints "Exception ignored in ..." and goes on
    try:
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()
    finally:
        interrupt.clear()
    interrupt.check()  # cleared: no stop requested


def test_extract_with_a_models_dir_lacking_files_writes_nothing(tmp_path: Path) -> None:
    # a copy of config.toml elsewhere: its relative models_dir points at a folder without the models
    root = Path(__file__).resolve().parent.parent
    config = tmp_path / "c.toml"
    config.write_text((root / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Orvane's revenue rose 5% to $1 billion.", encoding="utf-8")
    for extra in ([], ["--check", "--report"]):
        out = tmp_path / ("out" + str(len(extra)))
        result = CliRunner().invoke(main, ["extract", str(src), "--out", str(out), "--config", str(config), *extra])
        assert result.exit_code == 2 and "E300" in result.stderr and "models_dir" in result.stderr, result.output
        assert not out.exists()  # nothing written, so the next run is not refused (E401) or sent to --resume
