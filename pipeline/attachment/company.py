"""Company candidates: who a figure is about."""
from __future__ import annotations

import bisect
import re

from .features import WordLists, bucket, person_like, position, words
from .phrases import _LEGAL, cap_phrases, modifier_before, name_phrases
from .pool import NEAREST, Candidate, Pool, mention_feats, nearest


def company_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Companies the figure could be about. See the module docstring."""
    fa, fb = row["start"], row["end"]
    art = view.article
    pool = Pool()
    respective = view.respective_companies  # the rules' reading of "..., respectively"
    # the grammar decides, nothing is weighed: the n-th figure of a run "..., respectively" is the
    # n-th company's; a figure in the relative clause after a name is that company's ("Xiaomi,
    # which shipped 9.1 million units (14% market share)")
    owner, how = respective.get(fa), "respective"
    if owner is None:
        owner, how = next((m.start for m in reversed(view.companies) if m.end <= fa
                           and _RELATIVE_CLAUSE.fullmatch(view.norm, m.end, fa)), None), "relative_clause"
    if owner is None:
        owner, how = _fronted_with_owner(view, fa, fb), "fronted_with"
    if owner is None:
        owner, how = _its_owner(view, fa), "its"
    if owner is None:
        owner, how = _possessive_owner(view, fa), "possessive"
    if owner is not None:
        m = next(m for m in view.companies if m.start == owner)
        f, dist = mention_feats(view, m, fa, fb, lists)
        pool.add(own_name(m.id, art), how, m.text, f, dist)
        return pool.done(row, "company", role, kind)
    bracketed = view.cache.get("bracketed_names")
    if bracketed is None:  # the ends of names with another name in brackets right after them
        bracketed = view.cache["bracketed_names"] = {
            m.start - 2 for m in view.companies if view.norm[m.start - 2:m.start] == " ("}
    for m in nearest(view, "companies", fa, fb):
        if m.end in bracketed:
            continue  # "Etihad Etisalat (Mobily)": the long name's lexicon word; the firm goes by the name in brackets
        f, dist = mention_feats(view, m, fa, fb, lists)
        f.update(_mention_facts(view, m, lists))
        # a name guessed from the text (its id is its words) may be a ticker of a company named elsewhere
        pool.add(own_name(_ticker_of(m.id, art) if m.id == m.text else m.id, art), "mention", m.text, f, dist)
    for m in nearest(view, "sources", fa, fb):
        f, dist = mention_feats(view, m, fa, fb, lists)
        pool.add(m.id, "source", m.text, f, dist)
    phrases = _sentence_phrases(view, lists)
    if len(phrases) > 2 * NEAREST:
        i = bisect.bisect_left(view.cache["cap_starts"], fa)
        phrases = phrases[max(0, i - NEAREST):i + NEAREST]
    for a, b, name, facts in phrases:
        f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
        f.update(facts)
        pool.add(_ticker_of(name, art), "capitalised", view.text[a:b], f, dist)
    st = view.before
    if st.company:
        pool.add(own_name(st.company, art), "carried", feats=_company_facts(st.company, art, lists))
    if st.named_company:
        pool.add(own_name(st.named_company, art), "named_before", feats=_company_facts(st.named_company, art, lists))
    if art.top_company:
        pool.add(own_name(art.top_company, art), "top", feats=_company_facts(art.top_company, art, lists))
    for i, name in enumerate(art.headline_companies[:2]):
        pool.add(own_name(name, art), f"headline{i}", feats=_company_facts(name, art, lists))
    names = _article_names(art, lists)
    if names["top_phrase"]:
        pool.add(names["top_phrase"], "top_name", feats=_company_facts(names["top_phrase"], art, lists))
    for i, name in enumerate(names["headline_phrases"][:2]):
        pool.add(name, f"headline_name{i}", feats=_company_facts(name, art, lists))
    none = dict(_sentence_none_facts(view))
    none[f"metric_market={row.get('metric') in ('shipments', 'market share', 'deliveries')}"] = 1.0
    none["segment_market"] = float(str(row.get("segment") or "").endswith(" market"))
    # the figure's own clause: "PC shipments fell 5%, while Lenovo's rose"
    none["company_in_clause"], none["market_cue_in_clause"], none["product_metric_in_clause"] = \
        _clause_none_facts(view, view.clause(fa), lists)
    none = {k: v for k, v in none.items() if v}
    pool.add(None, "none", feats=none)
    level = row.get("_level")
    if level:
        pool.add(level["company"], "level")  # a comparison figure is most often of its level's company
    if row.get("company"):
        pool.add(own_name(row["company"], art), "rule", row.get("company_text"))
    out = pool.done(row, "company", role, kind)
    if _DESCRIPTOR_SUBJECT.match(view.norm, view.s0, fa) and not any(m.end <= fa for m in view.companies):
        # "The telecoms operator's first-quarter revenue": a company named by what it is, which
        # most often is the article's own, whoever was named last
        for c in out:
            c.feats[f"descriptor_subject|is_top={bool(c.feats.get('is_top'))}"] = 1.0
            c.feats[f"descriptor_subject|in_headline={bool(c.feats.get('in_headline'))}"] = 1.0
    return out


_DESCRIPTOR_SUBJECT = re.compile(
    r"\W*the\s+(?:[\w-]+\s+){0,3}?(?:company|firm|group|operator|carrier|telco|maker|automaker|carmaker|"
    r"chipmaker|giant|retailer|provider|vendor|platform|startup|lender|bank|insurer|developer|designer|"
    r"manufacturer|conglomerate|marketplace|publisher|studio)(?:['’]s)?\b", re.I)
"""A sentence that opens on a company named by what it is ("The telecoms operator's", "The US EV maker")."""


_FRONTED_WITH = re.compile(r"(?i)\s*with\s+[^,;]*")


_ITS = re.compile(r"(?i)\b(?:its|their)\b")


def _its_owner(view, fa: int) -> int | None:
    """The start of the one company the sentence names before a clause that says "its" before the
    figure ("Samsung's shipments fell 4 per cent, reducing its market share ... to 20 per cent"),
    or None (no "its", a company inside the clause, or more than one company before it)."""
    i = view.comma_clause(fa)
    start = view.commas[i - 1] if i > 0 else view.s0
    if not _ITS.search(view.norm, start, fa):
        return None
    before = [m for m in view.companies if m.end <= start]
    if not before or any(start <= m.start < fa for m in view.companies) or len({m.id for m in before}) != 1:
        return None
    return before[-1].start


def _possessive_owner(view, fa: int) -> int | None:
    """The start of the company whose possessive names the figure's metric in its clause
    ("Apple's revenue in China fell 3% to $17.8 billion"): the last company before the figure in
    the clause, written "X's", with a metric mention within 40 characters after it; else None."""
    c = view.clause(fa)
    before = [m for m in view.companies if m.end <= fa and view.clause(m.start) == c]
    if not before or view.norm[before[-1].end:before[-1].end + 2] not in ("'s", "’s"):
        return None
    m = before[-1]
    if not any(m.end <= x.start < fa and x.start - m.end <= 40 for x in view.metrics):
        return None
    return m.start


def _fronted_with_owner(view, fa: int, fb: int) -> int | None:
    """The start of the company right after a sentence-initial "With ..." phrase holding the figure
    ("With 4 million shipments and a 16% market share, Xiaomi comes in third"), or None."""
    if not _FRONTED_WITH.fullmatch(view.norm, view.s0, fa):
        return None
    comma = view.norm.find(",", fb, view.s1)
    if comma == -1 or ";" in view.norm[fb:comma]:
        return None
    after = len(view.norm[comma + 1:view.s1]) - len(view.norm[comma + 1:view.s1].lstrip())
    return next((m.start for m in view.companies if m.start == comma + 1 + after), None)


# from a name to a figure inside the relative clause that follows it ("Xiaomi, which shipped ...")
_RELATIVE_CLAUSE = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?,\s*(?:which|who|that)\s+[^,;]{0,80}?(?:\(\s*)?")
def _ticker_of(name: str, art) -> str:
    """The company an all-capitals word stands for when it is the first letters of a company the
    article names ("SPOT" for Spotify, "MELI" for MercadoLibre: a ticker used as a name), else the word."""
    if not (name.isupper() and name.isalpha() and len(name) >= 3):
        return name
    named = [c for c in art.company_counts if c.upper().startswith(name) and c.upper() != name]
    return own_name(named[0], art) if len(named) == 1 else name


def _product_modified(view, pos: int, lists: WordLists) -> bool:
    """Whether the words right before a metric mention at ``pos`` are segment-lexicon words ("smartphone")."""
    phrase = modifier_before(view, pos, lists)[2]
    return bool(phrase) and any(w in lists.segment_words for w in phrase.split())


def _mention_facts(view, m, lists: WordLists) -> dict[str, float]:
    """The features of a company mention that do not depend on the figure: what the article
    says of the company, first in the sentence, reads as a person or a place (cached per sentence)."""
    key = ("company_facts", m.start, m.end, m.id)
    f = view.cache.get(key)
    if f is None:
        f = dict(_company_facts(m.id, view.article, lists))
        if m.start == view.companies[0].start:
            f["first_in_sentence"] = 1.0
        if person_like(view, m.start, m.end, lists):
            f["person_like"] = 1.0
        if any(s.start < m.end and m.start < s.end for s in view.segments if s.id == "geography"):
            f["place_like"] = 1.0
        view.cache[key] = f
    return f


def _sentence_phrases(view, lists: WordLists) -> list[tuple[int, int, str, dict[str, float]]]:
    """The sentence's capitalised phrases that no lexicon named, with the features that do not
    depend on the figure: ``(start, end, name, features)``; found once per sentence."""
    phrases = view.cache.get("cap_phrases")
    if phrases is not None:
        return phrases
    art = view.article
    taken = [(m.start, m.end) for m in view.companies + view.sources]
    places = [(s.start, s.end) for s in view.segments if s.id == "geography"]
    phrases = []
    for a, b, name in cap_phrases(view, taken, lists):
        f = {f"cap_words={min(len(name.split()), 3)}": 1.0}
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
        phrases.append((a, b, name, f))
    view.cache["cap_phrases"] = phrases
    view.cache["cap_starts"] = [a for a, _, _, _ in phrases]
    return phrases


def _sentence_none_facts(view) -> dict[str, float]:
    """The NONE candidate's evidence that holds for the whole sentence (its words, cues and
    mentions, the story so far), before the figure's own; found once per sentence."""
    found = view.cache.get("company_none")
    if found is None:
        sent_words = set(words(view.norm[view.s0:view.s1]))
        found = view.cache["company_none"] = {
            "market_cue": float(any(c.label == "MARKET" for c in view.cues)),
            "pronoun_subject": float(bool(sent_words & {"it", "its", "company", "our", "we", "firm", "group"})),
            "analyst_words": float(bool(sent_words & {"analysts", "analyst", "estimate", "estimates", "consensus"})),
            "source_in_sentence": float(bool(view.sources)), "market_story": float(bool(view.before.market_story)),
            "company_in_sentence": float(bool(view.companies))}
    return found


def _clause_none_facts(view, clause: int, lists: WordLists) -> tuple[float, float, float]:
    """The NONE candidate's evidence from a clause of the sentence: a company named in it, a
    market cue in it, and a metric named by its product alone with no company in it ("smartphone
    shipments fell 11%"); found once per sentence and clause."""
    key = ("company_none_clause", clause)
    found = view.cache.get(key)
    if found is None:
        company = float(any(view.clause(m.start) == clause for m in view.companies))
        market = float(any(c.label == "MARKET" and view.clause(c.start) == clause for c in view.cues))
        product = float(not company and any(
            view.clause(m.start) == clause and _product_modified(view, m.start, lists) for m in view.metrics))
        found = view.cache[key] = (company, market, product)
    return found


def own_name(name: str, art) -> str:
    """A company's name as this article writes it (see :func:`pipeline.attachment.context._written_names`)."""
    return art.written_names.get(name, name)


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
