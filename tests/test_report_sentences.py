"""Every sentence of the drawn articles (``pipeline/report_sentences.py``)."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from pipeline.report_sentences import read_texts, sentence_spans

ROOT = Path(__file__).parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "review"


def _by_doc(rows: list[dict]) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for row in rows:
        out[row["doc_id"]].append(row)
    return out


def test_the_extractors_sentences_are_found_and_confirmed_by_its_claims(tmp_path: Path) -> None:
    from pipeline.extract import run_extract

    articles = tmp_path / "articles"
    (articles / "sub").mkdir(parents=True)
    names = ("tesla_q2_2023_deliveries.txt", "sub/alibaba_june_quarter_2023.md")
    for name in names:
        (articles / name).write_text((ROOT / "corpus" / "articles" / Path(name).name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    run_extract(articles, tmp_path / "out", progress=False)
    claims = _by_doc([json.loads(x) for x in (tmp_path / "out" / "claims.jsonl").read_text().splitlines()])
    assert sorted(claims) == sorted(names)
    texts = read_texts(articles, names)
    assert sorted(texts) == sorted(names)
    spans = sentence_spans(texts, claims)
    assert sorted(spans) == sorted(names)
    for doc, rows in claims.items():
        for row in rows:
            start, end = spans[doc][row["sentence_index"]]
            assert texts[doc][start:end] == row["sentence"]
            assert start <= row["start"] < row["end"] <= end
        # the sentences cover the text in order, with no claim sentence left out
        assert all(a[1] <= b[0] for a, b in zip(spans[doc], spans[doc][1:]))
        assert len(spans[doc]) > len({r["sentence_index"] for r in rows})


def test_an_article_whose_claims_number_sentences_otherwise_is_left_out() -> None:
    """The review fixture numbers sentences without the blank lines the extractor counts."""
    claims = _by_doc([json.loads(x) for x in (FIXTURE / "claims.jsonl").read_text().splitlines()])
    texts = read_texts(FIXTURE / "articles", claims)
    assert sorted(texts) == sorted(claims)
    assert sentence_spans(texts, claims) == {}


def test_only_the_asked_articles_are_read_and_a_missing_one_is_skipped(tmp_path: Path, monkeypatch) -> None:
    from pipeline import reading

    (tmp_path / "a.txt").write_text("One. Two.", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "x", "text": "Line text."}) + "\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Not asked.", encoding="utf-8")
    opened = []
    real = reading.iter_articles
    monkeypatch.setattr(reading, "iter_articles", lambda path, **kw: opened.append(path.name) or real(path, **kw))
    assert read_texts(tmp_path, ["a.txt", "b.jsonl#x", "gone.txt"]) == {"a.txt": "One. Two.",
                                                                       "b.jsonl#x": "Line text."}
    assert sorted(opened) == ["a.txt", "b.jsonl"]
    assert read_texts(tmp_path / "a.txt", ["a.txt"]) == {"a.txt": "One. Two."}
