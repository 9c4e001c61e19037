"""The other forms of the direction verbs of ``models/cues.toml``, from lemminflect's English data.

The hand-written ``increase`` and ``decrease`` lists name a verb in the forms someone met
("advanced", "upped" missing beside "raised"); this module derives the rest of each verb's
forms (past, participles, third person) so that every form of a listed verb is a cue. The
forms go to the ``increase_forms`` and ``decrease_forms`` keys of ``models/cues.toml`` (read
at run time like the other lists, so lemminflect is needed only to make them again)::

    pip install -e ".[lexicon]"
    python -m pipeline.cue_forms            # print the two generated lines
    python -m pipeline.cue_forms --write    # and replace them in models/cues.toml

A form is left out when it may also read as a noun (it has a noun lemma, or it is the plural
lemminflect makes of the lemma: "advances", "tops", "contracts"), as the cue matcher does not
see parts of speech; so third-person forms ("improves") are mostly left out.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from .lexicons import MODELS_DIR, Cues

_FORM_TAGS = ("VBD", "VBN", "VBG", "VBZ")
"""Penn Treebank tags of the forms made: past, past participle, gerund, third person singular."""
_PARTICLES = ("up", "down")
"""The particles of the phrasal direction verbs ("edged up", "ticked down") whose forms are made."""


def verb_forms(words: list[str]) -> list[str]:
    """The forms of the verbs among ``words`` (single words read as verb forms) that ``words``
    lacks and that do not read as nouns, in the order met; for a phrasal verb ("edged up"),
    every form of its verb with the particle ("edging up", "edges up": the particle makes
    each one a verb).

    Raises:
        ImportError: lemminflect is not installed (``pip install -e ".[lexicon]"``).
    """
    from lemminflect import getAllInflections, getAllLemmas, getInflection

    known, out = set(words), []
    for w in words:
        verb, _, particle = w.partition(" ")
        if particle and particle not in _PARTICLES:
            continue  # "more than doubled", "record high": no verb with its particle
        lemmas = getAllLemmas(verb, upos="VERB").get("VERB")
        if not lemmas:
            continue
        # "tops": also the plural of a noun "top" (a phrasal verb's particle makes each form a verb)
        plurals = set() if particle else set(getInflection(lemmas[0], tag="NNS"))
        for tag, forms in getAllInflections(lemmas[0], upos="VERB").items():
            if tag not in _FORM_TAGS:
                continue
            for v in forms:
                f = f"{v} {particle}" if particle else v
                if f in known or (not particle and (v in plurals or getAllLemmas(v, upos="NOUN"))):
                    continue
                known.add(f)
                out.append(f)
    return out


def generated_lines(cues: Cues) -> dict[str, str]:
    """The TOML lines ``increase_forms = [...]`` and ``decrease_forms = [...]`` for ``cues``."""
    return {key: f"{key}_forms = [" + ", ".join(f'"{w}"' for w in verb_forms(getattr(cues, key))) + "]"
            for key in ("increase", "decrease")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the lines in models/cues.toml")
    args = parser.parse_args(argv)
    path = MODELS_DIR / "cues.toml"
    lines = generated_lines(Cues.load())
    for line in lines.values():
        print(line)
    if args.write:
        text = path.read_text(encoding="utf-8")
        for key, line in lines.items():
            text, n = re.subn(rf"^{key}_forms = \[.*\]$", line, text, flags=re.M)
            if n != 1:
                raise SystemExit(f"{path}: no single '{key}_forms = [...]' line to replace")
        Path(path).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
