"""Candidates for each claim slot (company, metric, segment, period), with their features.

A candidate is a value the slot could take: a mention in the sentence, what
carry-over holds from earlier sentences, the headline's and lead's
mentions, the article's most-named company, a variant of a period (fiscal or
calendar naming, a year earlier), the value the rules of
:mod:`pipeline.claims` chose, and NONE. Candidates with the same value are
merged into one whose features are the union, so the softmax is over
distinct values.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field, replace

from spacy.lang.en.stop_words import STOP_WORDS

from ..periods import PeriodContext, resolve, shift
from .features import WordLists, bucket, person_like, position, words

_CAP_PHRASE = re.compile(r"(?<![\w'’])(?:[A-Z][\w&.'’-]*|[a-z]+[A-Z][\w&.-]*)(?:\s+(?:[A-Z][\w&.-]*|&|of|de))*(?<![\s.,])")
_LEGAL = re.compile(r"(?:[\s,]+(?:Inc|Corp|Corporation|Ltd|Limited|plc|PLC|Co|LLC|AG|SA|SE|NV|Holdings|Group)\.?)+$")
_POSSESSIVE = re.compile(r"['’]s?$")
_UNIT_PHRASE = re.compile(r"\b(?:its|the|their)\s+((?:[a-z][\w&-]*\s+){0,3}?[a-z][\w&-]*)\s+"
                          r"(?:business|unit|division|segment|group|arm)\b")
_FROM_PHRASE = re.compile(r"\b(?:revenue|revenues|sales|income)\s+(?:from|in|of|at)\s+(?:its\s+|the\s+|their\s+)?"
                          r"((?:[a-z][\w&-]*\s+){0,2}?[a-z][\w&-]*)\b(?=\s*(?:business|unit|division|segment)?\s*"
                          r"(?:[,.;(]|rose|fell|grew|was|were|increased|decreased|jumped|climbed|declined|dropped|came|reached|totalled|totaled|stood|$))")
_VERBS = frozenset("was were is are rose fell grew increased decreased jumped climbed declined dropped slipped reached "
                   "totaled totalled stood came amounted hit surged soared plunged slumped improved narrowed widened "
                   "expanded rises falls grows reaches hits doubled tripled halved rebounded recovered shrank "
                   "contracted edged increases decreases stands remained".split())
_HEAD_WORD = re.compile(r"[a-z][a-z&-]*|[^a-z\s]+")
_MODIFIER_WORD = re.compile(r"[A-Za-z][\w&-]*(?:['’]s)?|[^\w\s]")
_PAREN_END = re.compile(r"\s*\([^()]{1,12}\)\s*$")
_IN_OF_AFTER = re.compile(r"\s*(?:\([^()]{0,40}\)\s*)?(?:in|of|for)\s+(?P<np>(?:[a-z][a-z&-]*\s+){0,3}[a-z][a-z&-]*)")
_COMPARISON = re.compile(r"(?i)\b(?:from|compared\s+(?:with|to)|than|versus|vs\.?|over|against|since)\s+(?:the\s+|a\s+)?$")
_Q_OR_H = re.compile(r"(FY)?(\d{4})-(Q|H)(\d)")
_YEAR = re.compile(r"(FY)?(\d{4})")
_MONTH_VALUE = re.compile(r"\d{4}-\d\d")
_CURRENCY = re.compile(r"[A-Z]{3}")
_PER_SHARE = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?(?:per|a)\s+(?:diluted\s+|basic\s+|adjusted\s+)?(?:share|ads|ads\b)")
_EPS_AFTER = re.compile(r"\s*(?:in\s+)?(?:adjusted\s+|diluted\s+|non-gaap\s+)?eps\b")
_SHARES_MOVE = re.compile(r"\b(?:shares|stock|share\s+price)\b[^.;]{0,40}$")
_MARKET_METRICS = ("shipments", "market share", "deliveries", "sales volume", "share of shipments")
_RATIO_WORDS = ("margin", "rate", "ratio", "penetration", "proportion", "yield")


@dataclass
class Candidate:
    """One value a slot may take.

    Attributes:
        value: the slot's value (None = NONE).
        text: the words it came from, or None (carried, inferred).
        feats: feature name -> value.
        dist: character distance of its nearest mention to the figure (None: not in the sentence).
    """

    value: str | None
    text: str | None = None
    feats: dict[str, float] = field(default_factory=dict)
    dist: int | None = None


def _fold_case(v):
    return v.lower() if isinstance(v, str) else v


_CROSSES: dict[tuple[str, str, str], tuple[str, str]] = {}


class _Pool:
    """Candidates keyed by value; entries with the same value are merged when the pool is done.

    A merged candidate has the position features of its nearest mention,
    the other features of every entry that has no position (carried,
    article-level, the rules' choice), and one ``src=`` feature per entry.
    """

    __slots__ = ("entries", "fold")

    def __init__(self, fold=_fold_case) -> None:
        self.entries: dict = {}
        self.fold = fold

    def add(self, value: str | None, src: str, text: str | None = None, feats: dict | None = None,
            dist: int | None = None) -> None:
        if isinstance(value, str) and not value.strip():
            return
        key = self.fold(value)
        group = self.entries.get(key)
        if group is None:
            self.entries[key] = group = (value, [], [])
        (group[1] if dist is not None else group[2]).append((src, text, feats, dist))

    def done(self, row: dict, slot: str, role: str, kind: str) -> list[Candidate]:
        out = []
        rule = self.fold(row.get(slot))
        for key, (value, placed, other) in self.entries.items():
            text = dist = None
            feats: dict[str, float] = {}
            srcs = []
            if placed:
                best = min(placed, key=lambda e: e[3])
                if best[2]:
                    feats.update(best[2])
                text, dist = best[1], best[3]
                srcs.extend(e[0] for e in placed)
            for src, t, fs, _ in other:
                srcs.append(src)
                if fs:
                    for k, v in fs.items():
                        if v > feats.get(k, 0.0):
                            feats[k] = v
                if text is None:
                    text = t
            for src in srcs:
                cross = _CROSSES.get((src, role, kind))
                if cross is None:
                    cross = _CROSSES[(src, role, kind)] = (f"src={src}", f"src={src}|role={role}", f"src={src}|kind={kind}")
                for k in cross:
                    feats[k] = 1.0
            feats[f"n_src={min(len(set(srcs)), 4)}"] = 1.0
            if key == rule:
                feats["rule_choice"] = 1.0
            if value is None:
                feats["none"] = 1.0
            out.append(Candidate(value, text, feats, dist))  # indicators only: every value is 1.0
        return out


NEAREST = 5
"""Mentions of one kind a figure considers: the nearest this many on each side (a sentence of a
flattened table may hold hundreds; the far ones are never the figure's)."""


def nearest(view, group: str, fa: int, fb: int) -> list:
    """The mentions of ``group`` in the sentence nearest a figure at ``[fa, fb)``, in text order."""
    mentions = getattr(view, group)
    if len(mentions) <= 2 * NEAREST:
        return mentions
    starts = view.cache.get(("starts", group))
    if starts is None:
        starts = view.cache[("starts", group)] = [m.start for m in mentions]
    i = bisect.bisect_left(starts, fa)
    return mentions[max(0, i - NEAREST):i + NEAREST]


def _mention_feats(view, m, fa: int, fb: int, lists: WordLists) -> tuple[dict, int]:
    f = position(view, m.start, m.end, fa, fb, lists)
    dist = fa - m.end if m.end <= fa else m.start - fb if m.start >= fb else 0
    return f, dist


# -- company -----------------------------------------------------------------
def company_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Companies the figure could be about. See the module docstring."""
    fa, fb = row["start"], row["end"]
    art = view.article
    pool = _Pool()
    taken = [(m.start, m.end) for m in view.companies + view.sources]
    places = [(s.start, s.end) for s in view.segments if s.id == "geography"]
    first = view.companies[0].start if view.companies else None
    for m in nearest(view, "companies", fa, fb):
        f, dist = _mention_feats(view, m, fa, fb, lists)
        f.update(_company_facts(m.id, art, lists))
        if m.start == first:
            f["first_in_sentence"] = 1.0
        if person_like(view, m.start, m.end, lists):
            f["person_like"] = 1.0
        if any(a < m.end and m.start < b for a, b in places):
            f["place_like"] = 1.0
        pool.add(m.id, "mention", m.text, f, dist)
    for m in nearest(view, "sources", fa, fb):
        f, dist = _mention_feats(view, m, fa, fb, lists)
        pool.add(m.id, "source", m.text, f, dist)
    phrases = view.cache.get("cap_phrases")
    if phrases is None:
        phrases = view.cache["cap_phrases"] = list(_cap_phrases(view, taken, lists))
        view.cache["cap_starts"] = [a for a, _, _ in phrases]
    if len(phrases) > 2 * NEAREST:
        i = bisect.bisect_left(view.cache["cap_starts"], fa)
        phrases = phrases[max(0, i - NEAREST):i + NEAREST]
    for a, b, name in phrases:
        f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
        n = len(name.split())
        f[f"cap_words={min(n, 3)}"] = 1.0
        if name.isupper() and len(name) > 1:
            f["cap_acronym"] = 1.0
        if not view.norm[view.s0:a].strip():
            f["cap_sentence_initial"] = 1.0
        if person_like(view, a, b, lists):
            f["person_like"] = 1.0
        if any(x < b and a < y for x, y in places) or name.lower() in lists.places:
            f["place_like"] = 1.0
        if name.split()[-1] in lists.institutions:
            f["institution_like"] = 1.0
        if name.isupper() and len(name) <= 5 and view.norm[a - 1:a] in ("(", ":"):
            f["ticker_like"] = 1.0
        if bool(_LEGAL.search(view.text[a:b + 6])):
            f["cap_legal_suffix"] = 1.0
        f.update(_company_facts(name, art, lists))
        pool.add(name, "capitalised", view.text[a:b], f, dist)
    st = view.before
    if st.company:
        pool.add(st.company, "carried", feats=_company_facts(st.company, art, lists))
    if st.named_company:
        pool.add(st.named_company, "named_before", feats=_company_facts(st.named_company, art, lists))
    if art.top_company:
        pool.add(art.top_company, "top", feats=_company_facts(art.top_company, art, lists))
    for i, name in enumerate(art.headline_companies[:2]):
        pool.add(name, f"headline{i}", feats=_company_facts(name, art, lists))
    names = _article_names(art, lists)
    if names["top_phrase"]:
        pool.add(names["top_phrase"], "top_name", feats=_company_facts(names["top_phrase"], art, lists))
    for i, name in enumerate(names["headline_phrases"][:2]):
        pool.add(name, f"headline_name{i}", feats=_company_facts(name, art, lists))
    sent_words = set(words(view.norm[view.s0:view.s1]))
    none = {"market_cue": float(any(c.label == "MARKET" for c in view.cues)),
            "pronoun_subject": float(bool(sent_words & {"it", "its", "company", "our", "we", "firm", "group"})),
            "analyst_words": float(bool(sent_words & {"analysts", "analyst", "estimate", "estimates", "consensus"})),
            "source_in_sentence": float(bool(view.sources)), "market_story": float(bool(st.market_story)),
            "company_in_sentence": float(bool(view.companies)),
            f"metric_market={row.get('metric') in ('shipments', 'market share', 'deliveries')}": 1.0,
            "segment_market": float(str(row.get("segment") or "").endswith(" market"))}
    none = {k: v for k, v in none.items() if v}
    pool.add(None, "none", feats=none)
    if row.get("company"):
        pool.add(row["company"], "rule", row.get("company_text"))
    return pool.done(row, "company", role, kind)


def _company_facts(name: str, art, lists: WordLists) -> dict[str, float]:
    key = ("facts", name)
    cached = art.cache.get(key)
    if cached is None:
        cached = art.cache[key] = _company_facts_uncached(name, art, lists)
    return cached


def _company_facts_uncached(name: str, art, lists: WordLists) -> dict[str, float]:
    n = art.company_counts.get(name, 0)
    names = _article_names(art, lists)
    first = name.split()[0]
    k = names["counts"].get(first, 0)
    facts = {f"named={bucket(n, (0, 1, 3, 8))}": 1.0, "is_top": float(name == art.top_company),
             "in_headline": float(name in art.headline_companies), "in_lead": float(name in art.lead_companies),
             f"word_named={bucket(k, (0, 1, 3, 8))}": 1.0, "is_top_word": float(first == names["top"]),
             "word_in_headline": float(first in names["headline"])}
    return {k: v for k, v in facts.items() if v}


def _article_names(art, lists: WordLists) -> dict:
    """The article's name-like phrases: first-word counts, the most named phrase, the headline's first words."""
    cached = art.cache.get("names")
    if cached is not None:
        return cached
    counts: dict[str, int] = {}
    phrases: dict[str, int] = {}
    head_end = art.text.find("\n", 1)
    head_end = head_end if head_end > 0 else min(len(art.text), 200)
    headline = []
    for a, b, name in name_phrases(art.text, 0, len(art.text), lists):
        w = name.split()[0]
        counts[w] = counts.get(w, 0) + 1
        phrases[name] = phrases.get(name, 0) + 1
        if a < head_end:
            headline.append(name)
    top_word = max(counts, key=lambda w: (counts[w], w)) if counts else None
    top = max((p for p in phrases if p.split()[0] == top_word), key=lambda p: (phrases[p], p)) if top_word else None
    art.cache["names"] = out = {"counts": counts, "top": top_word, "top_phrase": top,
                                "headline": {n.split()[0] for n in headline}, "headline_phrases": headline}
    return out


def _cap_phrases(view, taken: list[tuple[int, int]], lists: WordLists):
    """Capitalised phrases of the sentence that no lexicon named: ``(start, end, name)``."""
    for a, b, name in name_phrases(view.norm, view.s0, view.s1, lists):
        if any(x < b and a < y for x, y in taken):
            continue
        if any(p.start <= a and b <= p.end for p in view.periods):
            continue
        yield a, b, name


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
        name = _LEGAL.sub("", _POSSESSIVE.sub("", " ".join(parts))).strip(" ,.&")
        b = a + len(" ".join(parts))
        if not name or name in lists.not_names or name[:1].isdigit() or len(name) < 2:
            continue
        yield a, b, name


# -- metric ------------------------------------------------------------------
def metric_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Metrics the figure could measure: the sentence's metric mentions, carry-over, the rules' choice."""
    fa, fb = row["start"], row["end"]
    pool = _Pool()
    for m in nearest(view, "metrics", fa, fb):
        f, dist = _mention_feats(view, m, fa, fb, lists)
        pool.add(m.label, "mention", m.text, f, dist)
    for phrase, a, b, src in _phrases(view, fa, fb):
        f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
        f[f"np_words={min(len(phrase.split()), 4)}"] = 1.0
        if any(m.start >= a and m.end <= b for m in view.metrics):
            f["np_has_lexicon_metric"] = 1.0
        pool.add(phrase, src, view.text[a:b], f, dist)
    for name, src in _derived_metrics(view, fa, fb, row):
        pool.add(name, src)
    st = view.before
    for name, src in ((st.metric, "carried"), (st.amount_metric, "carried_amount"),
                      (st.money_metric, "carried_money"), (st.market_metric, "carried_market")):
        if name:
            pool.add(name, src)
    pool.add("unknown", "unknown")
    if row.get("metric"):
        pool.add(row["metric"], "rule", row.get("metric_text"))
    out = pool.done(row, "metric", role, kind)
    unit = row.get("unit") or ""
    mag = _magnitude(row)
    after = [w for w in words(view.norm[fb:fb + 25])[:2] if w in lists.after_figure]
    for c in out:
        mtype = _metric_type(c.value, view.metric_units)
        c.feats[f"fits={mtype}|{kind}|{role}"] = 1.0
        c.feats[f"fits={mtype}|mag={mag}"] = 1.0
        for w in after:
            c.feats[f"fits={mtype}|after={w}"] = 1.0
        if unit == "%" and c.value and c.value.endswith("share"):
            c.feats["share_percent"] = 1.0
    return out


def _derived_metrics(view, fa: int, fb: int, row: dict) -> list[tuple[str, str]]:
    """Metrics the words around a figure imply though no lexicon entry names them:
    a per-share figure ("$1.19 per share", "70 cents a share", "$0.74 EPS") and a move of
    the shares ("shares rose 5%", "the stock fell 3%")."""
    out = []
    after = view.norm[fb:fb + 40].lower()
    head = view.norm[max(view.s0, fa - 80):fa].lower()
    if _PER_SHARE.match(after) or (row.get("unit") or "").isupper() and _EPS_AFTER.match(after):
        adjusted = "adjusted" in head or "non-gaap" in head or "adjusted" in after
        loss = "loss" in head and "profit" not in head
        base = "loss per share" if loss else "earnings per share"
        out.append((("adjusted " if adjusted else "") + base, "per_share"))
    if _SHARES_MOVE.search(head) and (row.get("unit") == "%" or row.get("change_unit") == "%"):
        out.append(("share price", "shares_move"))
    return out


def _magnitude(row: dict) -> str:
    """The figure's size class: the unit kind and a power-of-ten bucket of the value."""
    v = row.get("value")
    if v is None:
        return "change"
    unit = row.get("unit") or ""
    cls = "pct" if unit in ("%", "pp") else "money" if _CURRENCY.fullmatch(unit) else "count"
    v = abs(v)
    b = "<1" if v < 1 else "<10" if v < 10 else "<100" if v < 100 else "<1e4" if v < 1e4 else \
        "<1e6" if v < 1e6 else "<1e9" if v < 1e9 else ">=1e9"
    return f"{cls}{b}"


def _unit_phrases(view, fa: int) -> list[tuple[int, int, str, str]]:
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


def _phrases(view, fa: int, fb: int):
    """Noun phrases that may name a figure's metric: the subject of the verb before it
    ("cash balance dropped to ...") and the phrase after it ("$5.4B in cash and equivalents").

    Yields ``(phrase, start, end, source)``; offsets into the article text.
    """
    lo = max(view.s0, fa - 90)
    toks = [(m.group(0), m.start()) for m in _HEAD_WORD.finditer(view.norm[lo:fa].lower())]
    for i in range(len(toks) - 1, -1, -1):  # the last verb before the figure, within its clause
        w = toks[i][0]
        if not w[0].isalpha() and w not in ("$", "-"):
            break
        if w in _VERBS:
            np_words = []
            for w2, at in reversed(toks[max(0, i - 5):i]):
                if not w2[0].isalpha():
                    break
                np_words.insert(0, (w2, at))
            ws = _trim([w2 for w2, _ in np_words])
            if ws:
                first = next(at for w2, at in np_words if w2 == ws[0])
                phrase = " ".join(ws)
                yield phrase, lo + first, lo + first + len(phrase), "np_subject"
            break
    m = _IN_OF_AFTER.match(view.norm[fb:min(view.s1, fb + 80)].lower())
    if m:
        ws = _trim(m.group("np").split())
        if ws:
            phrase = " ".join(ws)
            a = fb + m.start("np") + m.group("np").find(ws[0])
            yield phrase, a, a + len(phrase), "np_after"


def _modifier_before(view, pos: int, lists: WordLists) -> tuple[int, int, str | None]:
    """The content words right before ``pos`` (up to four, no punctuation): ``(start, end, phrase)``.

    A parenthesised acronym right before ``pos`` is stepped over
    ("Infrastructure Solutions Group (ISG) revenue"); a possessive ends the
    phrase ("Meituan's food delivery revenue" -> "food delivery").
    """
    head = view.norm[max(view.s0, pos - 70):pos]
    head = _PAREN_END.sub("", head)
    ws = _MODIFIER_WORD.findall(head)
    out: list[str] = []
    for w in reversed(ws):
        lw = w.lower()
        if not w[0].isalpha() or lw.endswith(("'s", "’s")) or (lw in STOP_WORDS and lw != "and") or len(out) == 4:
            break
        out.insert(0, lw)
    while out and (out[0] == "and" or out[0] in lists.not_segment_words):
        out = out[1:]
    while out and (out[-1] == "and" or out[-1] in lists.not_segment_words):
        out = out[:-1]
    if not out:
        return -1, -1, None
    phrase = " ".join(out)
    low = view.norm.lower()
    at = low.rfind(phrase, max(view.s0, pos - 80), pos)
    if at < 0:
        at = max(view.s0, pos - len(phrase) - 1)
    return at, at + len(phrase), phrase


def _metric_type(metric: str | None, units: dict) -> str:
    if not metric or metric == "unknown":
        return "unknown"
    if any(w in metric for w in _RATIO_WORDS) or metric.endswith("share"):
        return "ratio"
    if units.get(metric):
        return "count"
    if "price" in metric or "per share" in metric:
        return "price"
    return "amount"


# -- segment -----------------------------------------------------------------
def segment_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Segments the figure could cover: segment mentions, business-unit phrases, carry-over, NONE."""
    fa, fb = row["start"], row["end"]
    pool = _Pool()
    company = row.get("company")
    for m in nearest(view, "segments", fa, fb):
        f, dist = _mention_feats(view, m, fa, fb, lists)
        f[f"seg_kind={m.id}"] = 1.0
        limited = [x for x in (m.extra or "").split("|") if x]
        if limited:
            f[f"seg_limited_match={company in limited}"] = 1.0
        pool.add(m.label, "mention", m.text, f, dist)
    for a, b, phrase, src in _unit_phrases(view, fa):
        f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
        pool.add(phrase, src, view.text[a:b], f, dist)
    for m in nearest(view, "metrics", fa, fb):  # "cloud services revenue": the words that name what the metric covers
        key = ("modifier", m.start)
        found = view.cache.get(key)
        if found is None:
            found = view.cache[key] = _modifier_before(view, m.start, lists)
        a, b, phrase = found
        if phrase:
            f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
            f[f"np_words={min(len(phrase.split()), 4)}"] = 1.0
            pool.add(phrase, "metric_modifier", view.text[a:b], f, dist)
    for m in nearest(view, "companies", fa, fb):  # a unit or product line named like a company ("Facebook" for Meta)
        if m.id != company:
            f, dist = _mention_feats(view, m, fa, fb, lists)
            pool.add(m.id.lower(), "other_company", m.text, f, dist)
    st = view.before
    if st.segment:
        pool.add(st.segment, "carried")
    if st.market:
        pool.add(st.market, "carried_market")
    none = {"market_cue": float(any(c.label == "MARKET" for c in view.cues)), "has_company": float(bool(company))}
    pool.add(None, "none", feats={k: v for k, v in none.items() if v})
    if row.get("segment"):
        pool.add(row["segment"], "rule")
    out = pool.done(row, "segment", role, kind)
    market_metric = row.get("metric") in _MARKET_METRICS
    for c in out:
        if c.value:
            form = c.value.endswith(" market")
            c.feats[f"market_form={form}|company={bool(company)}"] = 1.0
            c.feats[f"market_form={form}|market_metric={market_metric}"] = 1.0
        else:
            c.feats[f"none|market_metric={market_metric}|company={bool(company)}"] = 1.0
    return out


# -- period ------------------------------------------------------------------
def period_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Periods the figure could be for: the sentence's periods resolved, carry-over, the lead's,
    their fiscal or calendar namings and the periods a year or a quarter earlier."""
    fa, fb = row["start"], row["end"]
    art = view.article
    company = row.get("company")
    fiscal_end = art.fiscal_by_company.get(company) if company else None
    forecast = row.get("modality") == "forecast"
    st = view.before
    ctx = PeriodContext(art.doc_date, art.ref_year, st.period, fiscal_end, forecast, st.month)
    pool = _Pool(fold=str)
    bases: list[tuple[str, str, dict]] = []
    for p in nearest(view, "periods", fa, fb):
        key = ("resolved", p.start, fiscal_end, forecast, st.period, st.month)
        r = art.cache.get(key, "")
        if r == "":
            r = art.cache[key] = resolve(p.spec, ctx)
        if not r:
            if p.spec.kind in ("Q", "H") and p.spec.number:
                _yearless(pool, p, art, view, fa, fb, lists)
            continue
        f, dist = _mention_feats(view, p, fa, fb, lists)
        f[f"p_kind={p.spec.kind}"] = 1.0
        f[f"p_year_written={p.spec.year is not None}"] = 1.0
        f[f"p_fiscal_written={p.spec.fiscal}"] = 1.0
        if p.spec.rel:
            f[f"p_rel={p.spec.rel}|role={role}"] = 1.0
            f[f"p_rel={p.spec.rel}"] = 1.0
        if _COMPARISON.search(view.norm[max(view.s0, p.start - 25):p.start]):
            f["p_comparison_before"] = 1.0
        pool.add(r, "mention", view.text[p.start:p.end], f, dist)
        bases.append((r, "mention", {"fiscal_written": p.spec.fiscal, "kind": p.spec.kind,
                                     "comparison": "p_comparison_before" in f, "same_clause": view.clause(p.start) == view.clause(fa)}))
    for value, src in ((st.period, "carried"), (st.forecast_period, "carried_forecast"), (row.get("period"), "rule")):
        if value:
            pool.add(value, src, row.get("period_text") if src == "rule" else None)
            bases.append((value, src, {}))
    for p in art.lead_periods[:2]:
        r = resolve(p.spec, ctx)
        if r:
            pool.add(r, "lead")
            bases.append((r, "lead", {"fiscal_written": p.spec.fiscal}))
    for i, (r, n) in enumerate(_article_periods(art, fiscal_end)[:3]):
        pool.add(r, f"article{i}", feats={f"article_count={bucket(n, (1, 2, 4))}": 1.0})
        bases.append((r, f"article{i}", {}))
    if art.doc_date is not None:
        d = art.doc_date
        last_q = f"{d.year}-Q{(d.month - 1) // 3}" if d.month > 3 else f"{d.year - 1}-Q4"
        pool.add(last_q, "doc_last_quarter")
        bases.append((last_q, "doc_last_quarter", {}))
        pool.add(d.isoformat(), "doc_day")
    has_cal = fiscal_end not in (None, 12)
    fiscal_signal = bucket(art.fiscal_mentions, (0, 1, 3))
    written_fiscal = any(p.spec.fiscal for p in view.periods)
    shifts = []
    prior_cue = any(p.is_prior for p in view.periods) or any(c.label in ("YOY", "QOQ", "MOM") for c in view.cues)
    if role == "prior" or prior_cue:
        shifts += [("year_earlier", {"years": -1}), ("quarter_earlier", {"quarters": -1}),
                   ("month_earlier", {"months": -1})]
    if forecast:
        shifts += [("year_later", {"years": 1}), ("quarter_later", {"quarters": 1})]
    for fe, how in _fiscal_ends(art, fiscal_end, view):
        fctx = replace(ctx, fiscal_end_month=fe)
        for p in nearest(view, "periods", fa, fb) + art.lead_periods[:2]:
            if p.spec.kind in ("Q", "H", "MQ") and (p.spec.number or p.spec.month):
                key = ("fiscal_resolution", p.start, fe, forecast)
                r = art.cache.get(key, "")
                if r == "":
                    r = art.cache[key] = resolve(replace(p.spec, fiscal=True), fctx) if p.spec.kind != "MQ" \
                        else resolve(p.spec, replace(fctx, in_force="FY"))
                if r and r.startswith("FY"):
                    in_sentence = view.s0 <= p.start < view.s1
                    pool.add(r, f"fiscal_{how}", feats={f"fiscal_{how}|in_sentence={in_sentence}": 1.0,
                                                        f"fiscal_{how}|kind={p.spec.kind}": 1.0})
    for value, src, base in bases:
        if src.startswith("article") and src != "article0":
            continue
        key = ("variants", value, tuple(n for n, _ in shifts))
        variants = art.cache.get(key)
        if variants is None:
            variants = art.cache[key] = _variants(value, art, shifts)
        for variant, name in variants:
            extra = {f"variant={name}|base_{k}={v}": 1.0 for k, v in base.items()}
            extra[f"variant={name}|of={src}"] = 1.0
            pool.add(variant, f"variant_{name}", feats={**extra,
                f"variant_of={src}": 1.0, f"variant={name}|article_fiscal={fiscal_signal}": 1.0,
                f"variant={name}|company_fiscal={has_cal}": 1.0, f"variant={name}|role={role}": 1.0,
                f"variant={name}|sentence_fiscal={written_fiscal}": 1.0,
                f"variant={name}|quarter_ended={bool(art.quarter_end_months)}": 1.0})
    if not pool.entries:
        pool.add(None, "none")
    out = pool.done(row, "period", role, kind)
    # the article names fiscal periods: it writes one ("fiscal 2024", "Q1 FY24") or a quarter's
    # end month, and the company keeps a fiscal year that is not the calendar one
    speaking = "yes" if (art.fiscal_mentions or art.quarter_end_months) and has_cal else \
        "text" if art.fiscal_mentions else "calendar" if has_cal else "no"
    for c in out:
        if c.value is None:
            continue
        fy = c.value.startswith("FY")
        shape = "Q" if "-Q" in c.value else "H" if "-H" in c.value else "span" if "/" in c.value else \
            "D" if c.value.count("-") == 2 else "M" if "-" in c.value else "Y"
        c.feats[f"shape={shape}|fy={fy}"] = 1.0
        c.feats[f"fy={fy}|article_fiscal={fiscal_signal}"] = 1.0
        c.feats[f"fy={fy}|company_fiscal={has_cal}"] = 1.0
        c.feats[f"fy={fy}|quarter_ended={bool(art.quarter_end_months)}"] = 1.0
        c.feats[f"fy={fy}|fiscal_speaking={speaking}"] = 1.0
        if fy and "src=fiscal_calendar" in c.feats:
            c.feats[f"fiscal_calendar|fiscal_speaking={speaking}"] = 1.0
        if fy and art.fiscal_years:
            c.feats[f"fy_year_is_article_fy={_YEAR.match(c.value).group(2) == str(art.fiscal_years[0])}"] = 1.0
        key = ("date_rel", c.value, fiscal_end)
        rel = art.cache.get(key)
        if rel is None:
            rel = art.cache[key] = _date_relation(c.value, art.doc_date, fiscal_end)
        c.feats[f"date_rel={rel}|forecast={forecast}"] = 1.0
        c.feats[f"date_rel={rel}|fy={fy}|company_fiscal={has_cal}|shape={shape}"] = 1.0
        c.feats[f"shape={shape}|role={role}"] = 1.0
    return out


def _variants(value: str, art, shifts: list[tuple[str, dict]]) -> list[tuple[str, str]]:
    """Other namings of a period: fiscal/calendar, the article's fiscal year, a year or quarter earlier."""
    out = []
    m = _Q_OR_H.fullmatch(value)
    if m:
        fy, year, q, n = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        if fy:
            out += [(f"{year}-{q}{n}", "calendar"), (f"{year - 1}-{q}{n}", "calendar_prev")]
        else:
            out += [(f"FY{year}-{q}{n}", "fiscal"), (f"FY{year + 1}-{q}{n}", "fiscal_next")]
        for y in art.fiscal_years[:1]:
            out.append((f"FY{y}-{q}{n}", "article_fy"))
    elif value.endswith(("-01/" + value[:4] + "-06", "-07/" + value[:4] + "-12")) and len(value) == 15:
        out.append((f"{value[:4]}-H{1 if value[5:7] == '01' else 2}", "half"))
    else:
        y = _YEAR.fullmatch(value)
        if y:
            out.append((value[2:], "calendar") if y.group(1) else (f"FY{value}", "fiscal"))
    for name, kw in shifts:
        if "months" in kw and not _MONTH_VALUE.fullmatch(value):
            continue
        s = shift(value, **kw)
        if s and s != value:
            out.append((s, name))
    return out


def _fiscal_ends(art, fiscal_end: int | None, view) -> list[tuple[int, str]]:
    """Fiscal year-end months that may apply: the company's calendar, and those implied by
    "the quarter ended <month>" with a quarter number written in the article ("Q4 ... three
    months ending January": a year ending in January)."""
    out = []
    if fiscal_end not in (None, 12):
        out.append((fiscal_end, "calendar"))
    numbers = {p.spec.number for p in art.lead_periods + list(view.periods)
               if p.spec.kind == "Q" and p.spec.number}
    for m in sorted(art.quarter_end_months):
        for n in sorted(numbers):
            fe = (m - 1 + 3 * (4 - n)) % 12 + 1
            if fe != 12 and all(fe != x for x, _ in out):
                out.append((fe, "quarter_ended"))
    return out[:3]


def _yearless(pool: _Pool, p, art, view, fa: int, fb: int, lists: WordLists) -> None:
    """A quarter or half written without a year that nothing resolves ("the fiscal fourth quarter"
    in an undated article): the article's fiscal and reference years, and the year before each."""
    years = list(dict.fromkeys(art.fiscal_years[:1] + ([art.ref_year] if art.ref_year else [])))
    f, dist = _mention_feats(view, p, fa, fb, lists)
    for i, y in enumerate(years):
        for back in (0, 1):
            for fy in (True, False):
                value = f"{'FY' if fy else ''}{y - back}-{p.spec.kind}{p.spec.number}"
                feats = {**f, f"yearless_from={'fiscal' if i == 0 and art.fiscal_years else 'ref'}|back={back}": 1.0,
                         f"yearless_fy={fy}|written_fiscal={p.spec.fiscal}": 1.0}
                pool.add(value, "yearless", view.text[p.start:p.end], feats, dist)


def _article_periods(art, fiscal_end: int | None) -> list[tuple[str, int]]:
    """The article's periods resolved without context, most often named first: ``(period, count)``."""
    key = ("periods", fiscal_end)
    cached = art.cache.get(key)
    if cached is None:
        ctx = PeriodContext(art.doc_date, art.ref_year, None, fiscal_end, False)
        counts: dict[str, int] = {}
        for p in art.periods:
            if p.spec.kind in ("Q", "H", "Y", "MQ", "SPAN") and (p.spec.year or p.spec.kind == "MQ"):
                r = resolve(p.spec, ctx)
                if r:
                    counts[r] = counts.get(r, 0) + 1
        cached = art.cache[key] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return cached


def _date_relation(period: str, doc_date: dt.date | None, fiscal_end: int | None) -> str:
    """Where a period ends relative to the publication date: future, recent, older, unknown."""
    if doc_date is None:
        return "no_date"
    m = re.fullmatch(r"(FY)?(\d{4})(?:-(Q|H)(\d)|-(\d\d))?(?:-(\d\d))?", period)
    if not m:
        return "other"
    fy, year, qh, n, month = m.group(1), int(m.group(2)), m.group(3), m.group(4), m.group(5)
    end_month = 12 if not fy else (fiscal_end or 12)
    if qh == "Q":
        months_from_end = (4 - int(n)) * 3
    elif qh == "H":
        months_from_end = (2 - int(n)) * 6
    elif month:
        months_from_end = None
    else:
        months_from_end = 0
    if months_from_end is None:
        ey, em = year, int(month)
    else:
        idx = year * 12 + end_month - 1 - months_from_end
        ey, em = idx // 12, idx % 12 + 1
    gap = (doc_date.year * 12 + doc_date.month) - (ey * 12 + em)
    if gap < 0:
        return "future"
    if gap <= 3:
        return "recent"
    if gap <= 13:
        return "year"
    return "older"


GENERATORS = {"company": company_candidates, "metric": metric_candidates,
              "segment": segment_candidates, "period": period_candidates}
"""Slot -> candidate generator ``(row, view, lists, role, kind) -> list[Candidate]``."""
