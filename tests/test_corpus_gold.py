"""Tests for ``corpus/make_gold.py``: anchors become the right offsets, bad ones fail loudly."""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_gold", ROOT / "corpus" / "make_gold.py")
make_gold = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_gold)


def test_anchor_not_matched_inside_longer_figure():
    text = "Overseas revenue was 27 billion yuan; services made 7 billion yuan."
    start, end = make_gold.find_anchor(text, "7 billion yuan", None)
    assert (start, end) == (52, 66)
    assert text[start:end] == "7 billion yuan"


def test_percent_not_matched_inside_decimal():
    text = "Sales rose 1.5% while costs rose 5%."
    start, _ = make_gold.find_anchor(text, "5%", None)
    assert start == text.rindex("5%")


def test_ambiguous_anchor_needs_occurrence():
    text = "Both vendors took 18% of the market; vivo also 18%."
    with pytest.raises(make_gold.GoldError, match="occurs 2 times"):
        make_gold.find_anchor(text, "18%", None)
    assert make_gold.find_anchor(text, "18%", 1)[0] == text.rindex("18%")


def test_missing_anchor_names_doc_and_anchor(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Revenue was $5 billion.\n", encoding="utf-8")
    ann = tmp_path / "annotations.jsonl"
    ann.write_text(json.dumps({"doc_id": "a.txt", "anchor": "$6 billion", "metric": "revenue",
                               "value": 6e9, "unit": "USD"}) + "\n", encoding="utf-8")
    with pytest.raises(make_gold.GoldError) as err:
        make_gold.build(ann, articles)
    assert "a.txt" in str(err.value) and "'$6 billion'" in str(err.value)


def test_md_offsets_are_into_body_and_jsonl_into_text(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "b.md").write_text("---\ndate: 2024-01-02\ntitle: T\n---\nSales hit $3 billion.\n",
                                   encoding="utf-8")
    (articles / "c.jsonl").write_text(json.dumps({"id": "x", "date": "2023-05-06",
                                                  "text": "It raised ₹45 crore."}) + "\n",
                                      encoding="utf-8")
    ann = tmp_path / "annotations.jsonl"
    rows = [{"doc_id": "b.md", "anchor": "$3 billion", "metric": "revenue", "value": 3e9, "unit": "USD"},
            {"doc_id": "c.jsonl#x", "anchor": "₹45 crore", "metric": "funding", "value": 4.5e8, "unit": "INR"}]
    ann.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    gold = make_gold.build(ann, articles)
    assert (gold[0]["start"], gold[0]["end"], gold[0]["doc_date"]) == (10, 20, "2024-01-02")
    assert (gold[1]["start"], gold[1]["end"], gold[1]["doc_date"]) == (10, 19, "2023-05-06")


def test_corpus_gold_is_up_to_date():
    assert make_gold.main(["--check"]) == 0
