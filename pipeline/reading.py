"""Reading articles: files -> (doc_id, text, doc_date, title, url).

Formats (issue #2): ``.txt``; ``.md`` with optional YAML front matter
(``date``, ``title``, ``url``; read with python-frontmatter); ``.html``/``.htm``
saved pages, whose main text and publication date trafilatura extracts;
``.jsonl`` with one article per line (``id``, ``text``, optional ``date``,
``title``, ``url``). Any other file is skipped. Text is UTF-8 (a BOM is
allowed); an undecodable file is a failure naming the file and byte offset.

Reading never raises for one bad article: it yields an :class:`ArticleFailure`
and goes on.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import regex
from dateutil import parser as date_parser

from .errors import ArticleError


@dataclass(frozen=True)
class Article:
    """One article ready for the pipeline.

    Attributes:
        doc_id: path relative to the input folder with ``/`` separators;
            ``"{path}#{id}"`` for a line of a ``.jsonl`` file.
        text: the article text all offsets refer to.
        doc_date: ISO ``YYYY-MM-DD`` publication date, or None.
    """

    doc_id: str
    text: str
    doc_date: str | None = None
    title: str | None = None
    url: str | None = None
    path: str = ""


@dataclass(frozen=True)
class ArticleFailure:
    """An article that could not be read: its id/file and the reason (coded)."""

    doc_id: str
    path: str
    code: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A file that is not an article format (counted, not read)."""

    path: str


def list_files(root: Path, exclude: Path | None = None, exclude_names: frozenset[str] = frozenset()) -> list[Path]:
    """All files under ``root`` (or ``[root]`` for a file), sorted, hidden ones left out.

    A symbolic link to a folder is listed itself (not followed: no loops);
    :func:`iter_articles` counts it as skipped. ``exclude`` is a folder left
    out (an output folder inside the input); in it, when it is ``root``
    itself, files named in ``exclude_names`` are left out instead.
    """
    if root.is_file():
        return [root]
    out = []
    skip = exclude.resolve() if exclude is not None else None
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d.startswith(".") or (skip is not None and (here / d).resolve() == skip):
                continue
            if (here / d).is_symlink():
                out.append(here / d)  # listed, not followed
                continue
            kept.append(d)
        dirnames[:] = kept
        at_exclude = skip is not None and here.resolve() == skip
        out.extend(here / f for f in sorted(filenames)
                   if not f.startswith(".") and not (at_exclude and f in exclude_names))
    return out


def iter_articles(root: Path, extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl"),
                  default_date: str | None = None, max_chars: int = 2_000_000,
                  dateline_chars: int = 600, html_min_words: int = 10, exclude: Path | None = None,
                  exclude_names: frozenset[str] = frozenset()) -> Iterator[Article | ArticleFailure | Skipped]:
    """Yield every article under ``root`` (a folder, read recursively, or one file).

    Args:
        root: folder or file.
        extensions: file endings read; others are yielded as :class:`Skipped`.
        default_date: ISO date for articles that carry none (``--date``).
        max_chars: longer texts are failures (E104).
        dateline_chars: how far into a ``.txt`` article a dateline is looked for.
        html_min_words: an HTML page whose main text is shorter holds no
            article (E106).
        exclude, exclude_names: an output folder inside ``root`` and the
            names of output files (see :func:`list_files`).
    """
    root = Path(root)
    base = root.parent if root.is_file() else root
    for path in list_files(root, exclude, exclude_names):
        rel = path.relative_to(base).as_posix()
        suffix = path.suffix.lower()
        if path.is_symlink() and not path.exists():
            yield ArticleFailure(rel, rel, "E111", "broken symbolic link (its target does not exist)")
            continue
        if path.is_dir() or suffix not in extensions:
            yield Skipped(rel)  # another kind of file, or a linked folder (not followed)
            continue
        try:
            raw = _decode(path)
            if suffix == ".jsonl":
                yield from _jsonl(raw, rel, default_date, max_chars)
                continue
            if suffix == ".md":
                art = _markdown(raw, rel)
            elif suffix in (".html", ".htm"):
                art = _html(raw, rel, html_min_words)
            else:
                art = Article(rel, raw, _dateline(raw[:dateline_chars]), path=rel)
            yield _finish(art, default_date, max_chars)
        except ArticleError as exc:
            yield ArticleFailure(rel, rel, exc.code, exc.reason)
        except Exception as exc:  # a library failing on one odd file must not stop the batch
            yield ArticleFailure(rel, rel, "E199", f"{type(exc).__name__}: {exc}")


def _finish(art: Article, default_date: str | None, max_chars: int) -> Article:
    if len(art.text) > max_chars:
        raise ArticleError("E104", f"article has {len(art.text)} characters, more than max_chars={max_chars}")
    if not art.text.strip():
        raise ArticleError("E105", "article has no text")
    if art.doc_date is None and default_date:
        return Article(art.doc_id, art.text, default_date, art.title, art.url, art.path)
    return art


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError("E101", f"not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from None


def to_iso_date(value: object) -> str | None:
    """Normalise a date given as ``date``, ``datetime`` or text to ``YYYY-MM-DD``.

    Raises:
        ArticleError: E103 when the text is not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return date_parser.parse(str(value), default=dt.datetime(2000, 1, 1)).date().isoformat()
    except (ValueError, OverflowError):
        raise ArticleError("E103", f"date {value!r} is not a date") from None


_DATELINE = regex.compile(
    r"(?i)\b(?:date[:\s]+)?(?P<d>(?:19|20)\d\d-\d\d-\d\d"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+\d{1,2},?\s+(?:19|20)\d\d"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?,?\s+(?:19|20)\d\d)\b")


def _dateline(head: str) -> str | None:
    """The first date written in an article's opening characters (its dateline)."""
    m = _DATELINE.search(head)
    if not m:
        return None
    try:
        return to_iso_date(regex.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", m["d"]))
    except ArticleError:
        return None


def _markdown(raw: str, rel: str) -> Article:
    import frontmatter

    lines = raw.lstrip("\ufeff").splitlines()
    if lines and lines[0].strip() == "---" and not any(x.strip() in ("---", "...") for x in lines[1:]):
        raise ArticleError("E102", "front matter opened with '---' on line 1 is never closed (no second '---' line)")
    try:
        post = frontmatter.loads(raw)
    except Exception as exc:
        raise ArticleError("E102", f"front matter is not valid YAML: {exc}") from None
    meta = post.metadata
    return Article(rel, post.content, to_iso_date(meta.get("date")),
                   _str(meta.get("title")), _str(meta.get("url")), rel)


def _html(raw: str, rel: str, min_words: int = 10) -> Article:
    import trafilatura

    text = trafilatura.extract(raw, include_comments=False, include_tables=True)
    if not text:
        raise ArticleError("E106", "no main text found in the HTML page")
    words = len(text.split())
    if words < min_words:
        raise ArticleError("E106", f"the page's main text has {words} word(s), fewer than html_min_words={min_words}: "
                                   f"no article in it (a cookie wall or an index page?)")
    meta = trafilatura.extract_metadata(raw)
    date = getattr(meta, "date", None) if meta is not None else None
    title = getattr(meta, "title", None) if meta is not None else None
    url = getattr(meta, "url", None) if meta is not None else None
    return Article(rel, text, to_iso_date(date) if date else None, title, url, rel)


def _jsonl(raw: str, rel: str, default_date: str | None, max_chars: int) -> Iterator[Article | ArticleFailure]:
    seen: set[str] = set()
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{rel}#line{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ArticleFailure(where, rel, "E107", f"line {n}: not JSON ({exc.msg})")
            continue
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or "id" not in row:
            yield ArticleFailure(where, rel, "E108", f"line {n}: needs an object with 'id' and a 'text' string")
            continue
        doc_id = f"{rel}#{row['id']}"
        if doc_id in seen:
            yield ArticleFailure(f"{doc_id}@line{n}", rel, "E109", f"line {n}: id {row['id']!r} was already used "
                                 "in this file (claim ids would collide)")
            continue
        seen.add(doc_id)
        try:
            art = Article(doc_id, row["text"], to_iso_date(row.get("date")), _str(row.get("title")),
                          _str(row.get("url")), rel)
            yield _finish(art, default_date, max_chars)
        except ArticleError as exc:
            yield ArticleFailure(doc_id, rel, exc.code, f"line {n}: {exc.reason}")


def _str(v: object) -> str | None:
    return None if v is None else str(v)
