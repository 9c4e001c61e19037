"""The currency table: CLDR data from Babel, cached in models/currencies_cldr.json, with our overrides.

* the cached table is what Babel's CLDR data gives today (regenerate with
  ``python -m pipeline.lexicons`` after a Babel upgrade);
* every current ISO 4217 code is a currency mark unless blocked as an
  English word, and every override names a real code or shared mark;
* a bad override file is an error naming the file and the key.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.errors import LexiconError
from pipeline.lexicons import CLDR_CURRENCIES, MODELS_DIR, CurrencyTable, generate_cldr_currencies


@pytest.fixture(scope="module")
def table() -> CurrencyTable:
    return CurrencyTable.load()


def test_cached_cldr_table_matches_babel() -> None:
    cached = json.loads((MODELS_DIR / CLDR_CURRENCIES).read_text(encoding="utf-8"))
    assert cached == generate_cldr_currencies()


def test_every_current_code_is_read_unless_blocked(table) -> None:
    import tomllib

    cldr = json.loads((MODELS_DIR / CLDR_CURRENCIES).read_text(encoding="utf-8"))["currencies"]
    blocked = set(tomllib.loads((MODELS_DIR / "currencies.toml").read_text(encoding="utf-8"))["blocked_codes"])
    assert len(cldr) > 140  # ISO 4217 codes in use today
    for code in cldr:
        if code not in blocked:
            assert table.prefixes[code] == code and table.suffixes[code] == code


@pytest.mark.parametrize("word,code", [("kronor", "SEK"), ("roubles", "RUB"), ("reais", "BRL"), ("rupiah", "IDR"),
                                       ("naira", "NGN"), ("dong", "VND"), ("swedish kronor", "SEK"),
                                       ("indonesian rupiahs", "IDR"), ("ringgit", "MYR"), ("crowns", "?crown"),
                                       ("dirhams", "?dirham"), ("riyals", "?riyal"), ("dollars", "?dollar")])
def test_names_and_journalistic_forms(table, word, code) -> None:
    assert table.suffix_names[word] == code


def test_minor_units_divide_by_the_currency_digits(table) -> None:
    assert table.minor_units["pence"] == ("GBP", 2)
    assert table.minor_units["sen"] == ("MYR", 2)
    assert table.digits["JPY"] == 0 and table.digits["KWD"] == 3


def test_english_words_are_not_currency_marks(table) -> None:
    for word in ("marks", "gold", "real", "sol"):
        assert word not in table.suffix_names
    for code in ("ALL", "AMD", "TOP"):
        assert code not in table.prefixes


def test_a_bad_override_is_an_error_naming_file_and_key(tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    path = models / "currencies.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text('symbols = ["x"]\n' + original, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        CurrencyTable.load(models)
    assert "symbols" in str(err.value) and "currencies.toml" in str(err.value)
    path.write_text(original.replace('"₦" = "NGN"', '"₦" = "XYZ"'), encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        CurrencyTable.load(models)
    assert "XYZ" in str(err.value)
