"""extract --workers N (pipeline/workers.py, pipeline/engines.py): the same bytes as one process; failures
stay per article; a worker that dies has its shard retried once, then failed."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import pipeline.build as build_mod
from pipeline.config import Settings
from pipeline.extract import run_extract

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus" / "articles"
ROW_FILES = ("claims.jsonl", "errors.jsonl", "warnings.jsonl")
TIMING = {"seconds", "words_per_second", "workers"}
SMALL = Settings(shard_bytes=8_000)  # shards of a few articles: several per worker


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("settings", [Settings(), SMALL], ids=["one shard", "small shards"])
def test_two_workers_write_the_same_bytes_as_one_on_the_corpus(tmp_path: Path, settings: Settings) -> None:
    outs = {}
    for n in (1, 2):
        outs[n] = tmp_path / f"w{n}"
        summary = run_extract(CORPUS, outs[n], settings, progress=False, workers=n)
        assert summary.workers == n and f"workers {n}" in summary.line()
        assert summary.shards == _summary(outs[n])["shards"]
        assert (summary.shards > 2) == (settings is SMALL)
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
    run_extract(many, clean, SMALL, progress=False, workers=1)
    _marked(many, "1_explodes.txt")
    _with(monkeypatch, _explode)
    out = tmp_path / "out"
    summary = run_extract(many, out, SMALL, progress=False, workers=workers)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["file"], e["code"]) for e in errors] == [("1_broken.txt", "E101"), ("1_explodes.txt", "E110")]
    assert "exploded on purpose" in errors[1]["reason"]
    assert (out / "claims.jsonl").read_bytes() == (clean / "claims.jsonl").read_bytes()
    assert summary.failed == 2 and summary.complete


def _die_once(doc):
    """Die the first time a worker meets the marked article (a flag file remembers it), not again."""
    flag = Path(os.environ["WORKER_TEST_FLAG"])
    if MARK in doc.text and os.getpid() != PARENT and not flag.exists():
        flag.write_text("died", encoding="utf-8")
        os._exit(9)
    return doc


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_worker_that_dies_twice_fails_its_shard_listing_its_files_and_resume_retries_it(
        many: Path, tmp_path: Path, monkeypatch) -> None:
    from pipeline.manifest import read_manifest

    _marked(many, "1_dies.txt")
    clean = tmp_path / "clean"
    run_extract(many, clean, SMALL, progress=False, workers=1)
    _with(monkeypatch, _die)
    out = tmp_path / "out"
    summary = run_extract(many, out, SMALL, progress=False, workers=2)
    manifest = read_manifest(out)
    lost = next(s for s in manifest.shards if "1_dies.txt" in s.files())
    assert len(lost.files()) > 1  # the whole shard is lost, not only the article
    errors = _rows(out / "errors.jsonl")
    assert [(e["file"], e["code"]) for e in errors if e["code"] == "E114"] == [(f, "E114") for f in lost.files()]
    assert all(f"shard {lost.index} failed twice" in e["reason"] for e in errors if e["code"] == "E114")
    # every other shard's claims, in order and the same as a run without the killer
    kept = [line for line in (clean / "claims.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
            if json.loads(line)["doc_id"].split("#")[0] not in lost.files()]
    assert (out / "claims.jsonl").read_text(encoding="utf-8") == "".join(kept)
    assert (summary.retries, summary.shards_failed, summary.complete) == (1, 1, False)
    data = _summary(out)
    assert (data["retries"], data["shards_failed"], data["complete"]) == (1, 1, False)
    assert (out / "parts").is_dir()  # kept, so that --resume can run the failed shard again

    monkeypatch.undo()  # the worker no longer dies: --resume runs only the failed shard
    again = run_extract(many, out, SMALL, progress=False, workers=2, resume=True)
    for name in ROW_FILES:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    assert (again.shards_resumed, again.shards_failed, again.complete) == (again.shards - 1, 0, True)
    assert not (out / "parts").exists()


def test_a_worker_that_dies_once_is_retried_and_the_output_is_whole(many: Path, tmp_path: Path,
                                                                   monkeypatch) -> None:
    _marked(many, "1_dies.txt")
    clean = tmp_path / "clean"
    run_extract(many, clean, SMALL, progress=False, workers=1)
    monkeypatch.setenv("WORKER_TEST_FLAG", str(tmp_path / "died"))
    _with(monkeypatch, _die_once)
    out = tmp_path / "out"
    summary = run_extract(many, out, SMALL, progress=False, workers=2)
    assert (tmp_path / "died").exists()  # it did die once
    for name in ROW_FILES:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    assert (summary.retries, summary.shards_failed, summary.complete) == (1, 0, True)
    assert "retries 1" in summary.line()


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
    run_extract(many, clean, SMALL, progress=False, workers=1)
    _marked(many, "1_raises.txt")
    real = extract_mod.extract_claims

    def extract_claims(articles, *args, **kwargs):
        articles = list(articles)
        if any(MARK in art.text for art in articles):  # the whole chunk's run raises, as a library bug could
            raise RuntimeError("the chunk failed on purpose")
        return real(articles, *args, **kwargs)

    monkeypatch.setattr(extract_mod, "extract_claims", extract_claims)
    out = tmp_path / "out"
    summary = run_extract(many, out, SMALL, progress=False, workers=workers)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["file"], e["code"]) for e in errors] == [("1_broken.txt", "E101"), ("1_raises.txt", "E110")]
    assert "the chunk failed on purpose" in errors[1]["reason"]
    assert (out / "claims.jsonl").read_bytes() == (clean / "claims.jsonl").read_bytes()
    assert summary.failed == 2


def test_workers_default_to_one_a_core_and_the_setting_or_the_option_sets_them(tmp_path: Path, monkeypatch) -> None:
    import pipeline.extract as extract_mod
    from pipeline.engines import default_workers

    assert default_workers() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(extract_mod, "default_workers", lambda: 3)
    src = tmp_path / "one"
    src.mkdir()
    shutil.copy(next(CORPUS.glob("*.txt")), src)
    assert run_extract(src, tmp_path / "a", Settings(), progress=False).workers == 3  # workers = 0: one a core
    assert run_extract(src, tmp_path / "b", Settings(workers=2), progress=False).workers == 2
    assert run_extract(src, tmp_path / "c", Settings(workers=2), progress=False, workers=1).workers == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_one_progress_bar_counts_every_entry_and_shard_over_all_workers(many: Path, tmp_path: Path, monkeypatch,
                                                                      workers: int) -> None:
    import pipeline.extract as extract_mod
    from pipeline.manifest import read_manifest

    seen: list[tuple[int, int]] = []

    class Recorder:
        def __init__(self, show: bool, entries: int, shards: int) -> None:
            self.totals = (entries, shards)

        def __enter__(self):
            seen.append(self.totals)
            return lambda entries, shards: seen.append((entries, shards))

        def __exit__(self, *exc) -> None:
            pass

    monkeypatch.setattr(extract_mod, "RunProgress", Recorder)
    out = tmp_path / "out"
    summary = run_extract(many, out, SMALL, progress=True, workers=workers, write_summary=False)
    manifest = read_manifest(out)
    totals, updates = seen[0], seen[1:]
    assert totals == (manifest.entries, summary.shards) == (len(list(many.iterdir())), len(manifest.shards))
    assert updates[-1] == totals
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(updates, updates[1:]))  # never goes back
    assert len({shards for _, shards in updates}) == summary.shards + 1  # every shard's end is shown
