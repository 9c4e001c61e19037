"""Every sentence of the articles a report draws, as ``extract`` numbers them.

``claims.jsonl`` holds only the sentences that carry a claim; a reviewer who
adds a figure the extractor missed may find it in any other sentence. For
the articles the page draws (at most ``--max-articles``), the report reads
their text and cuts it into sentences with the extractor's own tokenizer and
sentence components (:func:`sentence_nlp`), then checks
the cut against the claims: every claim's sentence must be the sentence of
that index, at its offset, with its text. An article where they disagree (a
sentence the claim stage cut for holding too many figures, or another
configuration) keeps only its claim sentences, so no sentence is ever shown
under a wrong index or offset.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from .config import Settings

Span = tuple[int, int]

SENTENCE_PIPES = ("sentencizer", "figures_line_breaks")
"""The components of :func:`pipeline.build.make_nlp` that cut an article into sentences."""


def sentence_nlp(settings: Settings | None = None):
    """Return the extraction pipeline with only its sentence components enabled.

    It is :func:`pipeline.build.make_nlp` itself (same tokenizer, same
    ``sentencizer`` and ``figures_line_breaks`` settings), so ``doc.sents``
    are the sentences ``extract`` numbers (``sentence_index``); only a
    sentence with more than ``max_sentence_figures`` figures, which the claim
    stage cuts, differs (callers compare with the claims' own sentences).

    Args:
        settings: the extraction's settings; default settings when None.

    Returns:
        A spaCy ``Language`` whose other components are disabled.
    """
    from .build import make_nlp

    nlp = make_nlp(settings)
    nlp.select_pipes(enable=list(SENTENCE_PIPES))
    return nlp


def read_texts(articles: Path, doc_ids: Iterable[str], settings: Settings | None = None) -> dict[str, str]:
    """Read the texts of some articles of an input folder (or file), by ``doc_id``.

    Only the files those ids name are opened (a ``.jsonl`` file once for all
    its lines), so the cost is bounded by the articles asked for, not by the
    input.

    Args:
        articles: the folder or file given to ``extract``.
        doc_ids: the wanted ids (``path`` or ``path#id``, relative to ``articles``).
        settings: reading limits (``max_chars``, ``html_*``); default settings when None.

    Returns:
        ``{doc_id: text}`` for the wanted articles that could be read.
    """
    from .reading import Article, iter_articles

    settings = settings or Settings()
    root = Path(articles)
    wanted = set(doc_ids)
    by_file: dict[str, list[str]] = {}
    for doc in sorted(wanted):
        by_file.setdefault(doc.split("#", 1)[0], []).append(doc)
    texts = {}
    for rel in by_file:
        path = root if root.is_file() else root / rel
        prefix = "" if root.is_file() else rel.rpartition("/")[0]
        if not path.is_file() or (root.is_file() and rel != root.name):
            continue
        for item in iter_articles(path, extensions=settings.extensions, max_chars=settings.max_chars,
                                  dateline_chars=settings.dateline_chars, html_min_words=settings.html_min_words,
                                  html_max_bytes=settings.html_max_bytes):
            if isinstance(item, Article):
                doc = f"{prefix}/{item.doc_id}" if prefix else item.doc_id
                if doc in wanted:
                    texts[doc] = item.text
    return texts


def sentence_spans(texts: Mapping[str, str], claims_by_doc: Mapping[str, list[Mapping[str, Any]]],
                   settings: Settings | None = None) -> dict[str, list[Span]]:
    """Cut articles into the extractor's sentences and keep those the claims confirm.

    Args:
        texts: article text per ``doc_id``.
        claims_by_doc: the claim rows of each article (``sentence_index``,
            ``sentence``; ``start``/``end`` point into the same text).
        settings: ``lang``, ``max_chars`` and ``max_sentence_chars`` of the
            extraction; default settings when None.

    Returns:
        Per ``doc_id`` whose every claim sentence is found at its index and
        text: the ``(start, end)`` article offsets (end-exclusive, trailing
        whitespace left out, as the claim stage's ``sentence``) of every
        sentence, indexed by ``sentence_index``. Articles that disagree are
        left out.
    """
    from .build import make_article_doc

    docs = [doc for doc in texts if claims_by_doc.get(doc)]
    if not docs:
        return {}
    nlp = sentence_nlp(settings)
    made = (make_article_doc(nlp, texts[doc], doc, None) for doc in docs)
    out = {}
    for doc_id, doc in zip(docs, nlp.pipe(made)):
        spans = [(s.start_char, s.end_char) for s in doc.sents]
        text = texts[doc_id]
        if all(_holds(spans, text, claim) for claim in claims_by_doc[doc_id]):
            out[doc_id] = spans
    return out


def _holds(spans: list[Span], text: str, claim: Mapping[str, Any]) -> bool:
    """The claim's sentence is the span of its index, with the same text."""
    index = claim["sentence_index"]
    if not 0 <= index < len(spans):
        return False
    start, end = spans[index]
    return text[start:end] == claim["sentence"]
