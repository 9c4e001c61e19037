"""extract --workers N (pipeline/workers.py): the same bytes as one process; failures stay per article."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import pipeline.build as build_mod
from pipeline.extract import run_extract

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus" / "articles"
ROW_FILES = ("claims.jsonl", "errors.jsonl", "warnings.jsonl")
TIMING = {"seconds", "words_per_second", "workers"}


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_two_workers_write_the_same_bytes_as_one_on_the_corpus(tmp_path: Path) -> None:
    outs = {}
    for n in (1, 2):
        outs[n] = tmp_path / f"w{n}"
        summary = run_extract(CORPUS, outs[n], progress=False, workers=n)
        assert summary.workers == n and f"workers {n}" in summary.line()
    for name in ROW_FILES:
        assert (outs[1] / name).read_bytes() == (outs[2] / name).read_bytes(), name
    one, two = _summary(outs[1]), _summary(outs[2])
    assert (one["workers"], two["workers"]) == (1, 2)
    assert {k: v for k, v in one.items() if k not in TIMING} == {k: v for k, v in two.items() if k not in TIMING}
    assert one["claims"] > 300 and one["complete"] is True


@pytest.fixture()
def many(tmp_path: Path) -> Path:
    """The corpus's .txt articles three times (about 70 articles: several chunks per worker), plus one bad file."""
    src = tmp_path / "many"
    src.mkdir()
    for copy in range(3):
        for path in sorted(CORPUS.glob("*.txt")):
            shutil.copy(path, src / f"{copy}_{path.name}")
    (src / "1_broken.txt").write_bytes(b"Revenue rose \xff\xfe 5%")  # a reading failure between articles
    return src


def _with(monkeypatch, action) -> None:
    """Build pipelines that run ``action(doc)`` first, in every process that builds one."""
    real = build_mod.make_nlp

    def make_nlp(settings=None):
        nlp = real(settings)
        name = f"test_workers_{action.__name__}"
        from spacy.language import Language

        if name not in Language.factories:
            Language.component(name, func=action)
        nlp.add_pipe(name, first=True)
        return nlp

    monkeypatch.setattr(build_mod, "make_nlp", make_nlp)


PARENT = os.getpid()
MARK = "WORKER-TEST-MARK"


def _explode(doc):
    if MARK in doc.text:
        raise ValueError("exploded on purpose")
    return doc


def _die(doc):
    if MARK in doc.text and os.getpid() != PARENT:
        os._exit(9)  # the worker process dies, as when the kernel kills it
    return doc


def _marked(src: Path, name: str) -> None:
    (src / name).write_text(f"{MARK}: Orvane revenue rose 5% to $2 billion in 2023.", encoding="utf-8")


@pytest.mark.parametrize("workers", [1, 2])
def test_an_exception_in_one_article_fails_that_article_only(many: Path, tmp_path: Path, monkeypatch,
                                                             workers: int) -> None:
    clean = tmp_path / "clean"
    run_extract(many, clean, progress=False, workers=1)
    _marked(many, "1_explodes.txt")
    _with(monkeypatch, _explode)
    out = tmp_path / "out"
    summary = run_extract(many, out, progress=False, workers=workers)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["file"], e["code"]) for e in errors] == [("1_broken.txt", "E101"), ("1_explodes.txt", "E110")]
    assert "exploded on purpose" in errors[1]["reason"]
    assert (out / "claims.jsonl").read_bytes() == (clean / "claims.jsonl").read_bytes()
    assert summary.failed == 2 and summary.complete


def test_a_worker_that_dies_fails_its_article_with_e114_and_the_rest_keep_their_claims(
        many: Path, tmp_path: Path, monkeypatch) -> None:
    clean = tmp_path / "clean"
    run_extract(many, clean, progress=False, workers=1)
    _marked(many, "1_dies.txt")
    _with(monkeypatch, _die)
    out = tmp_path / "out"
    summary = run_extract(many, out, progress=False, workers=2)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["file"], e["code"]) for e in errors] == [("1_broken.txt", "E101"), ("1_dies.txt", "E114")]
    assert "worker process died" in errors[1]["reason"]
    # every other article's claims, in the same order and bytes as a run without the killer article
    assert (out / "claims.jsonl").read_bytes() == (clean / "claims.jsonl").read_bytes()
    assert (out / "warnings.jsonl").read_bytes() == (clean / "warnings.jsonl").read_bytes()
    assert summary.failed == 2 and summary.articles_read == _summary(clean)["articles_read"]


def test_a_bad_setting_is_the_same_usage_error_with_two_workers(tmp_path: Path) -> None:
    from pipeline.config import Settings
    from pipeline.errors import LexiconError

    settings = Settings(ner_model="no_such_spacy_package_for_this_test")
    with pytest.raises(LexiconError):  # raised before any worker starts, not E114 for every article
        run_extract(CORPUS, tmp_path / "out", settings, progress=False, workers=2)
    assert not (tmp_path / "out" / "summary.json").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_an_exception_outside_any_one_article_still_fails_only_the_article_that_raises_it(
        many: Path, tmp_path: Path, monkeypatch, workers: int) -> None:
    import pipeline.extract as extract_mod

    clean = tmp_path / "clean"
    run_extract(many, clean, progress=False, workers=1)
    _marked(many, "1_raises.txt")
    real = extract_mod.extract_claims

    def extract_claims(articles, *args, **kwargs):
        articles = list(articles)
        if any(MARK in art.text for art in articles):  # the whole chunk's run raises, as a library bug could
            raise RuntimeError("the chunk failed on purpose")
        return real(articles, *args, **kwargs)

    monkeypatch.setattr(extract_mod, "extract_claims", extract_claims)
    out = tmp_path / "out"
    summary = run_extract(many, out, progress=False, workers=workers)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["file"], e["code"]) for e in errors] == [("1_broken.txt", "E101"), ("1_raises.txt", "E110")]
    assert "the chunk failed on purpose" in errors[1]["reason"]
    assert (out / "claims.jsonl").read_bytes() == (clean / "claims.jsonl").read_bytes()
    assert summary.failed == 2
