"""models/cues.toml's generated verb forms are the ones pipeline.cue_forms makes from its lists."""
import re

import pytest

from pipeline.cue_forms import generated_lines, verb_forms
from pipeline.lexicons import MODELS_DIR, Cues

pytest.importorskip("lemminflect")


def test_the_generated_lines_in_cues_toml_are_up_to_date():
    text = (MODELS_DIR / "cues.toml").read_text(encoding="utf-8")
    for key, line in generated_lines(Cues.load()).items():
        assert re.search(rf"^{key}_forms = \[.*\]$", text, re.M).group(0) == line, \
            f"run: python -m pipeline.cue_forms --write ({key})"


def test_forms_of_listed_verbs_are_made_and_nouns_left_out():
    forms = verb_forms(["advanced", "upped", "topped", "growth", "loss of"])
    assert {"advancing", "upping"} <= set(forms)
    assert "advances" not in forms and "tops" not in forms  # nouns as well
    assert "advanced" not in forms  # already listed
