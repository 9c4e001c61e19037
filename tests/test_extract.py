"""The batch job (pipeline/extract.py): streamed output, failures recorded, no silent overwrite."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

import pipeline.build as build_mod
from pipeline.build import make_nlp
from pipeline.config import load_settings
from pipeline.claim import FIELD_NAMES, Claim
from pipeline.errors import UsageError
from pipeline.extract import OUTPUT_FILES, run_extract

GOOD_A = ("Orvane Devices reported revenue of 4.2 billion euros for the fourth quarter of 2023, "
          "up 12% year-on-year.\nThe company shipped 1.3 million laptops in the quarter.\n")
GOOD_B = ("Paysetu, a payments startup, has raised $45 million in a Series C round.\n"
          "The round values the company at $600 million.\n")
BOOM = "BOOM"


@Language.component("test_extract_boom")
def _boom(doc):
    """A component that fails on one article, as a library bug would."""
    if BOOM in doc.text:
        raise ValueError("component exploded on purpose")
    return doc


def jsonl(path: Path) -> list[dict]:
    """The rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    """Two good articles, one that is not UTF-8 and one file that is not an article."""
    src = tmp_path / "articles"
    (src / "b").mkdir(parents=True)
    (src / "orvane.txt").write_text(GOOD_A, encoding="utf-8")
    (src / "b" / "paysetu.md").write_text("---\ndate: 2024-03-05\n---\n" + GOOD_B, encoding="utf-8")
    (src / "broken.txt").write_bytes(b"Revenue rose \xff\xfe 5%")
    (src / "image.png").write_bytes(b"\x89PNG\r\n")
    return src


def test_run_extract_writes_claims_errors_and_summary(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_extract(articles, out, progress=False)

    assert sorted(p.name for p in out.iterdir()) == sorted((*OUTPUT_FILES, "manifest.jsonl"))
    claims = jsonl(out / "claims.jsonl")
    texts = {"orvane.txt": GOOD_A, "b/paysetu.md": GOOD_B}
    assert {c["doc_id"] for c in claims} == set(texts)
    for row in claims:
        assert tuple(row) == FIELD_NAMES  # every schema field, in schema order
        Claim.from_dict(row)
        figure = row["value_text"] if row["value"] is not None else row["change_text"]
        assert texts[row["doc_id"]][row["start"]:row["end"]] == figure
    by_value = {(c["doc_id"], c["value"], c["unit"]) for c in claims}
    assert ("orvane.txt", 4.2e9, "EUR") in by_value
    assert ("orvane.txt", 1.3e6, "laptops") in by_value or ("orvane.txt", 1.3e6, "units") in by_value
    assert ("b/paysetu.md", 45e6, "USD") in by_value
    assert {c["doc_date"] for c in claims if c["doc_id"] == "b/paysetu.md"} == {"2024-03-05"}

    errors = jsonl(out / "errors.jsonl")
    assert len(errors) == 1
    assert errors[0]["file"] == "broken.txt"
    assert errors[0]["code"] == "E101"
    assert "UTF-8" in errors[0]["reason"]

    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["complete"] is True
    assert (data["articles_read"], data["skipped"], data["failed"]) == (2, 1, 1)
    assert data["claims"] == len(claims) == summary.claims
    assert data["words"] == len(GOOD_A.split()) + len(GOOD_B.split())
    assert data["seconds"] > 0
    assert summary.complete is True


def test_no_partial_file_is_left_behind(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_extract(articles, out, progress=False)
    assert list(out.glob("*.partial")) == []


def test_refuses_to_overwrite_without_force(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_extract(articles, out, progress=False)
    before = (out / "claims.jsonl").read_bytes()
    with pytest.raises(UsageError) as err:
        run_extract(articles, out, progress=False)
    assert err.value.code == "E401"
    assert "claims.jsonl" in err.value.reason and "--force" in err.value.reason
    assert (out / "claims.jsonl").read_bytes() == before

    (articles / "orvane.txt").unlink()
    summary = run_extract(articles, out, force=True, progress=False)
    assert summary.articles_read == 1
    assert {c["doc_id"] for c in jsonl(out / "claims.jsonl")} == {"b/paysetu.md"}
    assert list(out.glob("*.partial")) == []


def test_refuses_when_only_one_output_file_exists(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "errors.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        run_extract(articles, out, progress=False)
    assert err.value.code == "E401"
    assert not (out / "claims.jsonl").exists()


def test_missing_source_is_usage_error_e402(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        run_extract(tmp_path / "nowhere", tmp_path / "out", progress=False)
    assert err.value.code == "E402"


def test_default_date_reaches_articles_without_one(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_extract(articles, out, default_date="2024-01-31", progress=False)
    dates = {c["doc_id"]: c["doc_date"] for c in jsonl(out / "claims.jsonl")}
    assert dates == {"orvane.txt": "2024-01-31", "b/paysetu.md": "2024-03-05"}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_component_fails_one_article_and_the_batch_goes_on(articles: Path, tmp_path: Path,
                                                                     monkeypatch, workers: int) -> None:
    def make_nlp_with_boom(settings=None):
        nlp = make_nlp(settings)
        nlp.add_pipe("test_extract_boom", first=True)
        return nlp

    # the pipeline is built where it runs (pipeline/workers.py, in each worker process)
    monkeypatch.setattr(build_mod, "make_nlp", make_nlp_with_boom)
    (articles / "explodes.txt").write_text(f"{BOOM}: revenue rose 5% to $2 billion.", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_extract(articles, out, progress=False, workers=workers)
    errors = {e["file"]: e for e in jsonl(out / "errors.jsonl")}
    assert set(errors) == {"broken.txt", "explodes.txt"}
    assert errors["explodes.txt"]["code"] == "E110"
    assert "component exploded on purpose" in errors["explodes.txt"]["reason"]
    assert (summary.articles_read, summary.failed) == (2, 2)
    assert {c["doc_id"] for c in jsonl(out / "claims.jsonl")} == {"orvane.txt", "b/paysetu.md"}
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["complete"] is True


def test_earlier_check_and_report_files_block_a_run_and_go_with_force(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Xiaomi's revenue was 59.5 billion yuan in the first quarter of 2023.", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "checks.jsonl").write_text("precious\n", encoding="utf-8")
    (out / "report.html").write_text("<html></html>", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        run_extract(src, out, progress=False)
    assert err.value.code == "E401" and "checks.jsonl" in err.value.reason
    run_extract(src, out, force=True, progress=False)
    assert not (out / "checks.jsonl").exists() and not (out / "report.html").exists()
    assert (out / "claims.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_an_output_path_that_is_a_file_is_refused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Revenue was $5 billion in 2023.", encoding="utf-8")
    target = tmp_path / "README.md"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        run_extract(src, target, progress=False)
    assert err.value.code == "E403"


def test_hard_wrapped_lines_stay_one_sentence(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "w.txt").write_text("Orbitel said revenue rose 12% to $4.5 billion\nin the second quarter of 2024.\n\n"
                               "Net income was $610 million.", encoding="utf-8")
    out = tmp_path / "out"
    run_extract(src, out, progress=False)
    rows = [json.loads(line) for line in (out / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    first = next(r for r in rows if r["value"] == 4.5e9)
    assert first["period"] == "2024-Q2" and first["change"] == 12.0
    assert first["sentence_index"] != next(r for r in rows if r["value"] == 6.1e8)["sentence_index"]


def test_duplicate_jsonl_ids_are_failures_not_colliding_claims(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    line = json.dumps({"id": "a", "text": "Revenue was $5 billion in 2023."})
    (src / "m.jsonl").write_text(line + "\n" + line + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_extract(src, out, progress=False)
    assert summary.articles_read == 1 and summary.failed == 1
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert errors[0]["code"] == "E109" and "line 2" in errors[0]["reason"]


def test_a_sentence_with_very_many_figures_is_read_in_pieces() -> None:
    """A flattened table: every figure is still a claim, ids stay unique, offsets stay true."""
    nlp = make_nlp()
    n = 1000
    text = "Xiaomi revenue by region was " + ", ".join(f"{i}.5 billion yuan in area {i}" for i in range(n)) + "."
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"], doc.user_data["doc_date"] = "table.txt", None
    claims = nlp(doc).user_data["claims"]
    money = [c for c in claims if c["unit"] == "CNY"]
    assert len(money) == n
    assert len({c["claim_id"] for c in claims}) == len(claims)
    assert all(text[c["start"]:c["end"]] == c["value_text"] for c in money)
    assert len({c["sentence_index"] for c in claims}) >= n // 400
    for c in claims:  # each piece is a clause-bounded slice of the text that holds its figure
        assert c["sentence"] in text and c["value_text"] in c["sentence"]


def test_bare_numbers_in_later_pieces_keep_the_metric_named_before() -> None:
    # the carry-over of the rules, which the attachment model reads as a feature
    settings = load_settings()
    settings.claims["attachment_model"] = ""
    nlp = make_nlp(settings)
    numbers = [str(2100 + i) for i in range(900)]
    text = "Revenue " + " ".join(numbers) + "."
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"], doc.user_data["doc_date"] = "list.txt", None
    claims = nlp(doc).user_data["claims"]
    assert [c["value_text"] for c in claims] == numbers
    assert len({c["metric"] for c in claims}) == 1  # one metric for the whole list, as in its first piece


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_lone_cr_and_crlf_lines_break_sentences_like_lf(newline: str) -> None:
    nlp = make_nlp()

    def sentences(text: str) -> list[tuple[int, str]]:
        doc = nlp.make_doc(text)
        doc.user_data["doc_id"], doc.user_data["doc_date"] = "t.txt", None
        return [(c["sentence_index"], c["sentence"]) for c in nlp(doc).user_data["claims"]]

    lines = ["Xiaomi results", "Xiaomi revenue rose 5% to 10 billion yuan in 2023.", "Its profit fell 3%."]
    got = sentences(newline.join(lines))
    assert [s for _, s in got] == lines[1:]
    assert [s for _, s in got] == [s for _, s in sentences("\n".join(lines))]


def test_a_change_before_respectively_among_listed_levels_does_not_stop_the_article() -> None:
    # a word salad once made the rules' "respectively" segment list look up a change among the levels
    text = ("down Europe rose and shares CEO ended Q2 rose FY24 $ yen the 12.5% H1 ( customers , + rose earlier "
            "China ended 3 compared fell 10,000 up to in Canalys ) 10,000 rose respectively per $ customers shares")
    nlp = make_nlp(load_settings())
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"], doc.user_data["doc_date"] = "salad.txt", None
    claims = nlp(doc).user_data["claims"]
    assert [c["value_text"] or c["change_text"] for c in claims] == ["12.5%", "10,000", "10,000"]


def test_force_never_removes_a_file_it_did_not_write(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "parts").mkdir(parents=True)
    (out / "parts" / "important.docx").write_text("mine", encoding="utf-8")
    (out / "thesis.partial").write_text("mine too", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        run_extract(articles, out, force=True, progress=False)
    assert err.value.code == "E403" and "important.docx" in str(err.value)
    assert (out / "parts" / "important.docx").read_text(encoding="utf-8") == "mine"
    (out / "parts" / "important.docx").unlink()
    run_extract(articles, out, force=True, progress=False)
    assert (out / "claims.jsonl").exists() and (out / "thesis.partial").read_text(encoding="utf-8") == "mine too"


def test_the_articles_folder_is_no_output_folder(articles: Path) -> None:
    before = sorted(p.name for p in articles.iterdir())
    with pytest.raises(UsageError) as err:
        run_extract(articles, articles, force=True, progress=False)
    assert err.value.code == "E408"
    assert sorted(p.name for p in articles.iterdir()) == before


def test_force_removes_the_temporary_files_of_a_killed_run(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in (".manifest.jsonl.4242.tmp", ".claims.jsonl.4242.tmp", "claims.jsonl.partial"):
        (out / name).write_text("half", encoding="utf-8")
    run_extract(articles, out, force=True, progress=False)
    assert not [p.name for p in out.iterdir() if p.name.endswith((".tmp", ".partial"))]
