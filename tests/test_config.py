"""Settings: config.toml is read, and every bad value names the file, the key and what is wanted."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import DEFAULT_CONFIG, Settings, load_settings
from pipeline.errors import LexiconError


def test_the_shipped_config_loads_with_its_documented_defaults() -> None:
    settings = load_settings(DEFAULT_CONFIG)
    assert settings.batch_size == 64 and settings.workers == 0
    assert settings.html_min_words == 10
    assert settings.claims["max_sentence_figures"] == 400
    assert settings.models_dir == Settings.models_dir


def test_a_config_elsewhere_without_models_dir_uses_the_projects_models(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("[pipeline]\nbatch_size = 8\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.batch_size == 8
    assert settings.models_dir == Settings.models_dir
    assert settings.config_path == path


@pytest.mark.parametrize("text, key", [
    ('[pipeline]\nbatch_size = "lots"\n', "batch_size"),
    ("[pipeline]\nworkers = -1\n", "workers"),
    ("[pipeline]\nshard_bytes = 0\n", "shard_bytes"),
    ("[pipeline]\nworkers = 1.5\n", "workers"),
    ("[pipeline]\nworkers = true\n", "workers"),
    ('[reading]\nextensions = ["txt"]\n', "extensions"),
    ("[reading]\nmax_chars = -5\n", "max_chars"),
    ('[claims]\ncarry_company = "yes"\n', "carry_company"),
    ("[claims]\nmax_sentence_figures = 0\n", "max_sentence_figures"),
    ('[pipeline]\nlang = "xx-nonexist"\n', "lang"),  # no such spaCy language: E313, not a traceback later
])
def test_a_bad_value_is_e313_naming_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_settings(path)
    assert info.value.code == "E313"
    assert info.value.path == str(path)
    assert key in info.value.reason and "expected" in info.value.reason


def test_a_section_that_is_not_a_table_is_e312(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("pipeline = 5\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_settings(path)
    assert info.value.code == "E312"


def test_the_old_n_process_key_is_refused_naming_workers(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text("[pipeline]\nn_process = 2\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_settings(path)
    assert info.value.code == "E312" and "workers" in info.value.reason


def test_workers_is_read(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("[pipeline]\nworkers = 2\n", encoding="utf-8")
    assert load_settings(path).workers == 2


@pytest.mark.parametrize("kind", ["toml", "jsonl"])
def test_a_missing_model_file_is_e300_naming_its_absolute_resolved_path(tmp_path: Path, monkeypatch,
                                                                       kind: str) -> None:
    from pipeline.lexicons import read_jsonl, read_toml

    (tmp_path / "models").mkdir()
    monkeypatch.chdir(tmp_path / "models")
    relative = Path("..") / "models" / f"missing.{kind}"  # relative, with '..': not where it was looked for
    with pytest.raises(LexiconError) as info:
        read_toml(relative, set()) if kind == "toml" else read_jsonl(relative, set(), set())
    wanted = str((tmp_path / "models" / f"missing.{kind}").resolve())
    assert info.value.code == "E300" and info.value.path == wanted
    assert str(info.value) == f"[E300] {wanted}: file not found"
