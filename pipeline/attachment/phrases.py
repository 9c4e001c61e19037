"""Phrases read from the text around a figure: names, subjects, modifiers, business units."""
from __future__ import annotations

import bisect
import re

from spacy.lang.en.stop_words import STOP_WORDS

from ..mentions import PLACED_FIRM_HEADS, UNIT_HEAD_END
from .features import WordLists
from .pool import NEAREST

_CAP_PHRASE = re.compile(r"(?<![\w'’])(?:[A-Z][\w&.'’-]*|[a-z]+[A-Z][\w&.-]*)(?:\s+(?:[A-Z][\w&.-]*|&|of|de))*(?<![\s.,])")
_LEGAL_WORDS = ("Inc", "Corp", "Corporation", "Ltd", "Limited", "plc", "PLC", "Co", "LLC", "AG", "SA", "SE", "NV",
                "Holdings", "Group")
_LEGAL = re.compile(rf"(?:[\s,]+(?:{'|'.join(_LEGAL_WORDS)})\.?)+$")
_LEGAL_ENDS = tuple(w + dot for w in _LEGAL_WORDS for dot in ("", "."))
"""A phrase that ``_LEGAL`` strips ends with one of these (checked first: most phrases do not)."""
_POSSESSIVE = re.compile(r"['’]s?$")
_POSSESSIVE_ENDS = ("'", "’", "'s", "’s")
_UNIT_PHRASE = re.compile(r"\b(?:its|the|their)\s+((?:[a-z][\w&-]*\s+){0,3}?[a-z][\w&-]*)\s+"
                          r"(?:business|unit|division|segment|group|arm)\b" + UNIT_HEAD_END)
_FROM_PHRASE = re.compile(r"\b(?:revenue|revenues|sales|income)\s+(?:from|in|of|at)\s+(?:its\s+|the\s+|their\s+)?"
                          r"((?:[a-z][\w&-]*\s+){0,2}?[a-z][\w&-]*)\b(?=\s*(?:business|unit|division|segment)?\s*"
                          r"(?:[,.;(]|rose|fell|grew|was|were|increased|decreased|jumped|climbed|declined|dropped|came|reached|totalled|totaled|stood|$))")
_VERBS = frozenset("was were is are rose fell grew increased decreased jumped climbed declined dropped slipped reached "
                   "totaled totalled stood came amounted hit surged soared plunged slumped improved narrowed widened "
                   "expanded rises falls grows reaches hits doubled tripled halved rebounded recovered shrank "
                   "contracted edged increases decreases stands remained".split())
_OF_BEFORE = re.compile(r"((?:[a-z][a-z&-]*\s+){0,3}[a-z][a-z&-]*)\s+of\s+$")
"""The words before "of" right before a figure: what the figure is an amount of."""
_AMOUNT_NOUNS = frozenset("range total tune sum amount band record high low peak maximum minimum average".split())
"""Nouns that say how much, not of what ("in the range of 260,000 to 300,000 yuan", "a total of 23")."""
_NUMBER_TOKEN = re.compile(r"[$€£¥]?\d[\d.,]*%?")
"""A figure's token between a subject's verb and the figure ("expanded 83.2% year over year to")."""
_HEAD_WORD = re.compile(r"[a-z][a-z&-]*(?:['’]s\b)?|[^a-z\s]+")
_MODIFIER_WORD = re.compile(r"[A-Za-z][\w&-]*(?:['’]s)?|[^\w\s]")
_PAREN_END = re.compile(r"\s*\([^()]{1,12}\)\s*$")
_NOUNS_AFTER = re.compile(r"[ ]((?:[A-Za-z][\w&-]*[ ]){0,3}[A-Za-z][\w&-]*)(?=[ ]*(?:[,.;:()]|$)|[ ]+[a-z]+\b)")
"""Words right after a figure, up to four ("1.5 billion daily Ernie API calls and ...", "a $200 million
greenshoe option"): the nouns it counts or measures, when no unit noun took them."""
_IN_OF_AFTER = re.compile(r"\s*(?:\([^()]{0,40}\)\s*)?(?:in|of|for)\s+(?P<np>(?:[a-z][a-z&-]*\s+){0,3}[a-z][a-z&-]*)")


def cap_phrases(view, taken: list[tuple[int, int]], lists: WordLists):
    """Capitalised phrases of the sentence that no lexicon named: ``(start, end, name)``."""
    periods = view.periods
    for a, b, name in name_phrases(view.norm, view.s0, view.s1, lists):
        if _overlaps(taken, a, b):
            continue
        for p in periods:
            if p.start <= a and b <= p.end:
                break
        else:
            yield a, b, name


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether one of ``spans`` (``[start, end)`` pairs) overlaps ``[a, b)``."""
    for x, y in spans:
        if x < b and a < y:
            return True
    return False


def name_phrases(text: str, lo: int, hi: int, lists: WordLists):
    """Name-like capitalised phrases in ``text[lo:hi]``: ``(start, end, name)``.

    Leading and trailing words of ``not_names`` are dropped, as are a wire's
    tag ("BRIEF-"), a possessive and legal suffixes (Inc, Corp, Ltd ...).
    """
    for m in _CAP_PHRASE.finditer(text, lo, hi):
        a = m.start()
        parts = m.group(0).split()
        while parts and parts[0] in lists.not_names:
            a += len(parts[0]) + 1
            parts = parts[1:]
        while parts and parts[-1] in lists.not_names:
            parts = parts[:-1]
        if not parts:
            continue
        if "-" in parts[0] and parts[0].split("-")[0].isupper() and parts[0].split("-", 1)[1][:1].isupper():
            head = parts[0].split("-")[0]
            a += len(head) + 1  # "BRIEF-ServiceNow": a wire's tag, then the name
            parts = [parts[0][len(head) + 1:]] + parts[1:]
        name = " ".join(parts)  # no space at either end: a possessive or a suffix ends it, if any
        if name.endswith(_POSSESSIVE_ENDS):
            name = _POSSESSIVE.sub("", name)
        if name.endswith(_LEGAL_ENDS):
            name = _LEGAL.sub("", name)
        name = name.strip(" ,.&")
        b = a + len(" ".join(parts))
        if not name or name in lists.not_names or name[:1].isdigit() or len(name) < 2:
            continue
        if text[m.end():m.end() + 1] == "$":
            continue  # a currency's prefix: "NT$", "HK$", "US$"
        yield a, b, name


def unit_phrases(view, fa: int) -> list[tuple[int, int, str, str]]:
    """Business-unit phrases of the sentence ("its client computing unit", "revenue from its
    cloud business") nearest a figure: ``(start, end, phrase, source)``; found once per sentence."""
    found = view.cache.get("unit_phrases")
    if found is None:
        lower = view.norm[view.s0:view.s1].lower()
        found = []
        for pat, src in ((_UNIT_PHRASE, "unit_phrase"), (_FROM_PHRASE, "from_phrase")):
            for m in pat.finditer(lower):
                phrase = m.group(1).strip()
                if phrase and phrase not in ("same", "whole", "entire", "company", "overall", "total"):
                    found.append((view.s0 + m.start(1), view.s0 + m.end(1), phrase, src))
        found.sort()
        view.cache["unit_phrases"] = found
        view.cache["unit_phrase_starts"] = [a for a, _, _, _ in found]
    if len(found) > 2 * NEAREST:
        i = bisect.bisect_left(view.cache["unit_phrase_starts"], fa)
        found = found[max(0, i - NEAREST):i + NEAREST]
    return found


def _trim(words_: list[str]) -> list[str]:
    """Drop function words at either end of a phrase (spaCy's English stop words)."""
    while words_ and words_[0] in STOP_WORDS:
        words_ = words_[1:]
    while words_ and words_[-1] in STOP_WORDS:
        words_ = words_[:-1]
    return words_


def subject_phrases(view, fa: int, fb: int, lists: WordLists):
    """Noun phrases that may name a figure's metric: the subject of the verb before it
    ("cash balance dropped to ..."), the noun before "of" ("a penetration rate of 35%") and the
    phrase after it ("$5.4B in cash and equivalents").

    Yields ``(phrase, start, end, source)``; offsets into the article text.
    """
    lo = max(view.s0, fa - 90)
    head = view.norm[lo:fa].lower()
    toks = _HEAD_WORD.findall(head)
    for i in range(len(toks) - 1, -1, -1):  # the last verb before the figure, within its clause
        w = toks[i]
        if not w[0].isalpha() and w not in ("$", "-") and not _NUMBER_TOKEN.fullmatch(w):
            break  # (a change figure may stand between: "The credit portfolio expanded 83.2% year over year to")
        if w in _VERBS:
            at_ = [m.start() for m in _HEAD_WORD.finditer(head)]  # the words' offsets, needed only now
            np_words = []
            for w2, at in reversed(list(zip(toks, at_))[max(0, i - 5):i]):
                if not w2[0].isalpha() or w2 in lists.modifier_stops or w2.endswith(("'s", "’s")):
                    break  # "The company said average paid memberships rose", "Orvane's revenue is": after "said", the owner
                np_words.insert(0, (w2, at))
            ws = _trim([w2 for w2, _ in np_words])
            if len(ws) > 2 and ws[:2] == ["number", "of"]:
                ws = ws[2:]  # "the number of active customers grew": a count of active customers
            if ws:
                first = next(at for w2, at in np_words if w2 == ws[0])
                phrase = " ".join(ws)
                yield phrase, lo + first, lo + first + len(phrase), "np_subject"
            break
    m = _OF_BEFORE.search(head)
    if m:  # "a penetration rate of 35%", "Remaining performance obligations of $1.8 billion"
        ws = m.group(1).split()
        for k in range(len(ws) - 1, -1, -1):  # the words after the last function word or verb
            if ws[k] in STOP_WORDS or ws[k] in _VERBS or ws[k] in lists.modifier_stops:
                ws = ws[k + 1:]
                break
        if ws and ws[-1] not in _AMOUNT_NOUNS:
            phrase = " ".join(ws)
            a = lo + m.end(1) - len(phrase)
            yield phrase, a, a + len(phrase), "np_of"
    tail = view.norm[fb:min(view.s1, fb + 80)]
    m = _NOUNS_AFTER.match(tail)
    if m:  # "15 million daily conversation rounds with AI agents", "$3 billion annual revenue run rate"
        ws = m.group(1).lower().split()
        for k, w in enumerate(ws):
            if w in STOP_WORDS or w in _VERBS:
                ws = ws[:k]
                break
        if ws and len(ws) <= 4:
            phrase = " ".join(ws)
            a = fb + m.start(1)
            yield phrase, a, a + len(phrase), "np_noun_after"
    m = _IN_OF_AFTER.match(tail.lower())
    if m:
        ws = _trim(m.group("np").split())
        if ws:
            phrase = " ".join(ws)
            a = fb + m.start("np") + m.group("np").find(ws[0])
            yield phrase, a, a + len(phrase), "np_after"


def modifier_before(view, pos: int, lists: WordLists) -> tuple[int, int, str | None]:
    """The content words right before ``pos`` (up to four, no punctuation): ``(start, end, phrase)``.

    A parenthesised acronym right before ``pos`` is stepped over
    ("Infrastructure Solutions Group (ISG) revenue"); a possessive, a verb or
    reporting word (``modifier_stops``) and a company, source or period
    mention end the phrase ("Meituan's food delivery revenue" -> "food
    delivery"; "IDC expects smartphone shipments" -> "smartphone"). Found once per
    sentence and position (cached in ``view.cache``).
    """
    key = ("modifier", pos)
    found = view.cache.get(key)
    if found is None:
        found = view.cache[key] = _modifier_before(view, pos, lists)
    return found


def _modifier_before(view, pos: int, lists: WordLists) -> tuple[int, int, str | None]:
    lo = max(view.s0, pos - 70)
    head = _PAREN_END.sub("", view.norm[lo:pos])
    taken = view.cache.get("modifier_taken")
    if taken is None:
        taken = view.cache["modifier_taken"] = sorted(
            (m.start, m.end) for group in (view.companies, view.sources, view.periods) for m in group)
    words = list(_MODIFIER_WORD.finditer(head))
    out: list[tuple[str, int]] = []
    for m in reversed(words):
        w, lw, at = m.group(0), m.group(0).lower(), lo + m.start()
        if not w[0].isalpha() or lw.endswith(("'s", "’s")) or (lw in STOP_WORDS and lw != "and") \
                or lw in lists.modifier_stops or len(out) == 4 or _inside(taken, at):
            break
        out.insert(0, (lw, at))
    while out and (out[0][0] == "and" or out[0][0] in lists.not_segment_words):
        out = out[1:]
    if out and out[-1][0] in PLACED_FIRM_HEADS:
        return -1, -1, None  # "The US EV maker delivered": what the firm is, not a part of it
    while out and (out[-1][0] == "and" or out[-1][0] in lists.not_segment_words):
        out = out[:-1]
    if not out:
        return -1, -1, None
    phrase = " ".join(w for w, _ in out)
    a = out[0][1]
    return a, out[-1][1] + len(out[-1][0]), phrase


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether offset ``at`` lies in one of the sorted ``[start, end)`` spans."""
    i = bisect.bisect_right(spans, (at, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]
