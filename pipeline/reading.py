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
import functools
import json
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import regex
from dateutil import parser as date_parser

from .errors import ArticleError, os_reason


@dataclass(frozen=True)
class Article:
    """One article ready for the pipeline.

    Attributes:
        doc_id: path relative to the input folder with ``/`` separators;
            ``"{path}#{id}"`` for a line of a ``.jsonl`` file.
        text: the article text all offsets refer to.
        doc_date: ISO ``YYYY-MM-DD`` publication date, or None.
        date_note: why a date the article gives was not taken (it lacks the
            day, the month or the year), or None.
        text_note: how many control characters the text held, read as
            spaces one for one (:func:`controls_as_spaces`), or None.
    """

    doc_id: str
    text: str
    doc_date: str | None = None
    title: str | None = None
    url: str | None = None
    path: str = ""
    date_note: str | None = None  # a date given but not whole (no day, month or year): kept unknown (W120)
    text_note: str | None = None  # control characters in the text read as spaces (W122)


@dataclass(frozen=True)
class ArticleFailure:
    """An article that could not be read: its id/file and the reason (coded)."""

    doc_id: str
    path: str
    code: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A file that is not read, and why (counted in the summary by reason).

    ``reason`` is one of :data:`SKIP_REASONS`.
    """

    path: str
    reason: str = "not an article format"


SKIP_HIDDEN = "hidden"
SKIP_FORMAT = "not an article format"
SKIP_NOT_REGULAR = "not a regular file"
SKIP_LINKED_FOLDER = "link to a folder"
SKIP_REASONS = (SKIP_HIDDEN, SKIP_FORMAT, SKIP_NOT_REGULAR, SKIP_LINKED_FOLDER)


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def walk_inputs(root: Path, exclude: Path | None = None, exclude_names: frozenset[str] = frozenset()
                ) -> Iterator[Path | Skipped | ArticleFailure]:
    """Every entry under ``root`` (or ``root`` itself when it is not a folder), sorted by name.

    Yields a :class:`Path` for each candidate file; a :class:`Skipped` for a
    hidden entry (its name starts with ``.``; a hidden folder is one entry,
    not entered) and for a symbolic link to a folder (listed, not followed:
    no loops); an :class:`ArticleFailure` for a folder that cannot be listed
    (E112: permission denied, a path longer than the system allows, an I/O
    error; :func:`iter_articles` gives E113 for a file that cannot be looked
    at or opened). Never raises for one entry. ``exclude`` is a
    folder left out (an output folder inside the input); in it, when it is
    ``root`` itself, files named in ``exclude_names`` are left out instead.
    """
    root = Path(root)
    base = root.parent if not _is_dir(root) else root
    skip = _resolve(exclude)

    def rel(path: Path) -> str:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    if not _is_dir(root):
        yield root
        return
    stack = [root]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as it:
                names = sorted((e.name, e.is_dir(follow_symlinks=False), e.is_symlink()) for e in it)
        except OSError as exc:
            where = rel(here) if here != root else "."
            yield ArticleFailure(where, where, "E112", f"folder cannot be listed: {os_reason(exc)}")
            continue
        at_exclude = skip is not None and _resolve(here) == skip
        subfolders = []
        for name, is_dir, is_link in names:
            path = here / name
            if at_exclude and name in exclude_names:
                continue
            if name.startswith("."):
                yield Skipped(rel(path), SKIP_HIDDEN)
                continue
            if is_dir:
                if skip is not None and _resolve(path) == skip:
                    continue  # the output folder: not read back as articles
                subfolders.append(path)
                continue
            if is_link and _is_dir(path):
                yield Skipped(rel(path), SKIP_LINKED_FOLDER)  # listed, not followed
                continue
            yield path
        stack.extend(reversed(subfolders))  # depth first, in name order


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _resolve(path: Path | None) -> Path | None:
    if path is None:
        return None
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def list_files(root: Path, exclude: Path | None = None, exclude_names: frozenset[str] = frozenset()) -> list[Path]:
    """The candidate files under ``root`` (see :func:`walk_inputs`), for a progress bar's total."""
    return [x for x in walk_inputs(root, exclude, exclude_names) if isinstance(x, Path)]


def iter_articles(root: Path, extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl"),
                  default_date: str | None = None, max_chars: int = 2_000_000,
                  dateline_chars: int = 600, html_min_words: int = 10, exclude: Path | None = None,
                  exclude_names: frozenset[str] = frozenset(), html_max_bytes: int = 2_000_000
                  ) -> Iterator[Article | ArticleFailure | Skipped]:
    """Yield every article under ``root`` (a folder, read recursively, or one file).

    Only regular files are opened (a FIFO, device or socket is skipped, not
    read: a named pipe would block and ``/dev/zero`` never ends); the size
    is checked with ``stat`` before reading and the read is bounded, so no
    file costs more than its limit.

    Args:
        root: folder or file.
        extensions: file endings read; others are yielded as :class:`Skipped`.
        default_date: ISO date for articles that carry none (``--date``).
        max_chars: longer texts are failures (E104); a file of more than
            ``4 * max_chars`` bytes (UTF-8 takes at most 4 per character) is
            refused before it is read, and so is a ``.jsonl`` line.
        dateline_chars: how far into a ``.txt`` article a dateline is looked for.
        html_min_words: an HTML page whose main text is shorter holds no
            article (E106).
        exclude, exclude_names: an output folder inside ``root`` and the
            names of output files (see :func:`walk_inputs`).
        html_max_bytes: a larger HTML file is refused before it is parsed (E104).
    """
    root = Path(root)
    for item in walk_inputs(root, exclude, exclude_names):
        if not isinstance(item, Path):
            yield item
            continue
        base = root.parent if item == root else root
        yield from read_file(item, item.relative_to(base).as_posix(), extensions, default_date, max_chars,
                             dateline_chars, html_min_words, html_max_bytes)


_SURROGATE = regex.compile("[\ud800-\udfff]")


def read_file(path: Path, rel: str, extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl"),
              default_date: str | None = None, max_chars: int = 2_000_000, dateline_chars: int = 600,
              html_min_words: int = 10, html_max_bytes: int = 2_000_000
              ) -> Iterator[Article | ArticleFailure | Skipped]:
    """Yield the articles of one file that :func:`walk_inputs` listed (see :func:`iter_articles`).

    Args:
        path: the file.
        rel: its path relative to the input folder, ``/``-separated: the
            ``doc_id`` and ``path`` of what is yielded.
        extensions, default_date, max_chars, dateline_chars, html_min_words,
        html_max_bytes: as :func:`iter_articles`.

    Never raises for the file: a problem is an :class:`ArticleFailure`.
    """
    max_bytes = 4 * max_chars
    suffix = path.suffix.lower()
    try:
        st = os.stat(path)  # follows a link: what would be read
    except FileNotFoundError:
        if os.path.islink(path):
            yield ArticleFailure(rel, rel, "E111", "broken symbolic link (its target does not exist)")
        else:
            yield ArticleFailure(rel, rel, "E113", "file vanished before it was read")
        return
    except OSError as exc:
        yield ArticleFailure(rel, rel, "E113", f"cannot look at the file: {os_reason(exc)}")
        return
    if stat.S_ISDIR(st.st_mode):
        yield Skipped(rel, SKIP_LINKED_FOLDER)
        return
    if suffix not in extensions:
        yield Skipped(rel, SKIP_FORMAT)  # another kind of file
        return
    if not stat.S_ISREG(st.st_mode):
        yield Skipped(rel, SKIP_NOT_REGULAR)  # not opened: a FIFO would block, a device never end
        return
    if not rel.isascii() and _SURROGATE.search(rel):
        # a name of bytes that are not UTF-8 (the system hands them over as lone surrogates):
        # no output file could hold it, so it is named with its bytes escaped and not read
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        yield ArticleFailure(shown, shown, "E116", "file name is not valid UTF-8: not read (rename the file)")
        return
    try:
        if suffix == ".jsonl":
            yield from _jsonl(path, rel, default_date, max_chars, max_bytes)
            return
        limit = min(max_bytes, html_max_bytes) if suffix in (".html", ".htm") else max_bytes
        raw = _decode(_read_bounded(path, limit, "html_max_bytes" if limit == html_max_bytes else None,
                                    max_chars))
        if suffix == ".md":
            art = _markdown(raw, rel)
        elif suffix in (".html", ".htm"):
            art = _html(raw, rel, html_min_words)
        else:
            art = Article(rel, raw, _dateline(raw[:dateline_chars], default_date), path=rel)
        yield _finish(art, default_date, max_chars)
    except ArticleError as exc:
        yield ArticleFailure(rel, rel, exc.code, exc.reason)
    except OSError as exc:
        yield ArticleFailure(rel, rel, "E113", f"cannot read the file: {os_reason(exc)}")
    except Exception as exc:  # a library failing on one odd file must not stop the batch
        yield ArticleFailure(rel, rel, "E199", f"{type(exc).__name__}: {exc}")


def _open_regular(path: Path) -> int:
    """Open ``path`` for reading without blocking; raise E113 unless it is a regular file.

    ``O_NONBLOCK`` keeps a FIFO swapped in after the ``stat`` from blocking the open;
    ``fstat`` on the open file is the check that counts.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                 | getattr(os, "O_CLOEXEC", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ArticleError("E113", f"{_kind(mode)}, not a regular file: not read")
    return fd


def _read_bounded(path: Path, limit: int, setting: str | None, max_chars: int) -> bytes:
    """The bytes of a regular file, refused (E104) when it has more than ``limit``: checked before reading."""
    fd = _open_regular(path)
    try:
        size = os.fstat(fd).st_size
        what = f"{setting}={limit}" if setting else f"4 x max_chars={max_chars} (the most that can hold max_chars characters)"
        if size > limit:
            raise ArticleError("E104", f"file has {size} bytes, more than {what}: not read")
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:  # the file grew while it was read
            raise ArticleError("E104", f"file has more than {limit} bytes ({what}): not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""C0 control characters other than tab, line feed and carriage return (NUL, form feed, escape ...)."""


def controls_as_spaces(art: Article) -> Article:
    """``art`` with each C0 control character of its text (not tab, LF, CR) made a space, one for one.

    A NUL or an escape left in a file by a broken export would otherwise sit
    inside a token and split a sentence or a figure; as a space, it is the
    word break it stands for, and every offset still points at the same
    place of the file's text. The count and the first one are kept in
    ``text_note`` (a W122 warning row).
    """
    first = _CONTROL.search(art.text)
    if first is None:
        return art
    text, n = _CONTROL.subn(" ", art.text)
    note = (f"{n} control character(s) read as spaces (the first, {first[0]!r}, at offset {first.start()}): "
            f"not text; a broken export?")
    return replace(art, text=text, text_note=note)


def _finish(art: Article, default_date: str | None, max_chars: int) -> Article:
    art = controls_as_spaces(art)
    if len(art.text) > max_chars:
        raise ArticleError("E104", f"article has {len(art.text)} characters, more than max_chars={max_chars}")
    if not art.text.strip():
        raise ArticleError("E105", "article has no text")
    if art.doc_date is None and art.date_note is None and default_date:
        return replace(art, doc_date=default_date)
    return art


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError("E101", f"not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r})") from None


class PartialDate(ArticleError):
    """A date that names no day, month or year (``March 5``, ``2024``, ``March``): not a date to use."""


def to_iso_date(value: object) -> str | None:
    """Normalise a date given as ``date``, ``datetime`` or text to ``YYYY-MM-DD``.

    Only whole dates are taken: text that leaves out the year, the month or
    the day is not completed with made-up parts.

    Raises:
        ArticleError: E103 when the text is not a date, or is written as a day
            that does not exist (``2023-02-30``: "impossible", with the reason).
        PartialDate: W120 when it lacks the year, the month or the day.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _in_range(value.date(), value)
    if isinstance(value, dt.date):
        return _in_range(value, value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ArticleError("E103", f"date {value!r} is not a date")
    text = str(value)
    try:
        # parsed twice with different defaults: a part the text leaves out comes from the default
        one = date_parser.parse(text, default=dt.datetime(1904, 1, 1)).date()
        two = date_parser.parse(text, default=dt.datetime(2000, 12, 28)).date()
    except (ValueError, OverflowError, TypeError) as exc:
        if _ISO_DAY.match(text.strip()):  # written as a day, but no day of the calendar (2023-02-30)
            why = str(exc.args[0] if exc.args else exc).split(": ")[0]  # dateutil adds the text after ": "
            raise ArticleError("E103", f"date {value!r} is impossible ({why}): no such day") from None
        raise ArticleError("E103", f"date {value!r} is not a date") from None
    if one != two:
        missing = [name for name, a, b in (("year", one.year, two.year), ("month", one.month, two.month),
                                           ("day", one.day, two.day)) if a != b]
        raise PartialDate("W120", f"date {value!r} has no {' or '.join(missing)}: kept as unknown")
    if _NUMERIC_DAY.fullmatch(text.strip()) and one.day <= 12 and one.day != one.month:
        # "05/06/2024" is 6 May in the US and 5 June in most other places: no guess is safe
        other = dt.date(one.year, one.day, one.month)
        raise PartialDate("W120", f"date {value!r} reads as {one.isoformat()} (month first) or "
                                  f"{other.isoformat()} (day first): kept as unknown; write it as YYYY-MM-DD")
    return _in_range(one, value)


_NUMERIC_DAY = regex.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{2,4}")
"""A date written with numbers only, day and month in either order ("05/06/2024", "5.6.24")."""


_ISO_DAY = regex.compile(r"\d{4}-\d{1,2}-\d{1,2}(?![\d-])")
"""A date written year-month-day: when it does not parse, it is an impossible day, not a vague date."""

_YEARS = (1900, 2100)
"""The years a publication date may fall in; outside them a date is a placeholder ("0001-01-01",
"9999-12-31"), and periods a year either side of it could not be written."""


def _in_range(date: dt.date, value: object) -> str:
    """``date`` as ``YYYY-MM-DD``; a placeholder outside ``_YEARS`` is kept as unknown (W120)."""
    if not _YEARS[0] <= date.year <= _YEARS[1]:
        raise PartialDate("W120", f"date {value!r} is outside {_YEARS[0]}-{_YEARS[1]}: kept as unknown")
    return date.isoformat()


def _date_or_note(value: object) -> tuple[str | None, str | None]:
    """``(ISO date, None)``, or ``(None, reason)`` for a partial date; E103 propagates."""
    try:
        return to_iso_date(value), None
    except PartialDate as exc:
        return None, exc.reason


_DATELINE = regex.compile(
    r"(?i)\b(?:date[:\s]+)?(?P<d>(?:19|20)\d\d-\d\d-\d\d"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+\d{1,2},?\s+(?:19|20)\d\d"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?,?\s+(?:19|20)\d\d)\b")


_NOT_DATELINE = regex.compile(r"(?i)\b(?:ended|ending|end|ends|to|from|until|till|through|thru|since|of|for|by|before|"
                              r"after|between|and|as\s+of|starting|beginning)\s+$")
"""Words a date that ends or bounds a period follows ("the three months ended March 31, 2023", "from
September 14, 2023"): that date is not the article's dateline."""


def _dateline(head: str, default_date: str | None = None) -> str | None:
    """The date of a ``.txt`` article from its opening characters: its dateline, the first date
    written there that does not end or bound a period the text reports (``_NOT_DATELINE`` before
    it on its line); else ``default_date`` (``--date``); else that first period-bound date ("the
    three months ended March 31, 2023": results come out within weeks of it, closer than none)."""
    bound = None
    for m in _DATELINE.finditer(head):
        try:
            date = to_iso_date(regex.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", m["d"]))
        except ArticleError:
            continue
        if not _NOT_DATELINE.search(head, head.rfind("\n", 0, m.start()) + 1, m.start()):
            return date
        bound = bound or date
    return default_date or bound


@functools.cache
def _front_matter_handler() -> object:
    """python-frontmatter's YAML handler, with a loader that keeps an impossible timestamp as its text.

    YAML reads an unquoted ``date: 2023-02-30`` as a timestamp and fails on
    it, which made the whole front matter "not valid YAML" (E102); kept as
    text, it reaches :func:`to_iso_date` as the quoted form does and fails
    as an impossible date (E103) naming the field and the value. A possible
    timestamp is read as before (a ``date`` or ``datetime``). Built once, on
    first use (yaml and frontmatter are imported only for ``.md`` files).
    """
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    class Loader(yaml.SafeLoader):
        pass

    def timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:  # day is out of range for month, month must be in 1..12
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)

    class Handler(YAMLHandler):
        def load(self, fm: str, **kwargs: object) -> object:
            return super().load(fm, Loader=Loader, **kwargs)

    return Handler()


@functools.cache
def _toml_front_matter_handler() -> object:
    """A python-frontmatter handler for TOML front matter between ``+++`` lines (Hugo's form),
    read with the standard library's ``tomllib`` (python-frontmatter's own needs the ``toml``
    package)."""
    import tomllib

    from frontmatter.default_handlers import BaseHandler

    class Handler(BaseHandler):
        FM_BOUNDARY = regex.compile(r"^\+{3,}\s*$", regex.MULTILINE)
        START_DELIMITER = END_DELIMITER = "+++"

        def load(self, fm: str, **kwargs: object) -> object:
            return tomllib.loads(fm)

    return Handler()


def _markdown(raw: str, rel: str) -> Article:
    import frontmatter

    lines = raw.lstrip("\ufeff").splitlines()
    fence = lines[0].strip() if lines else ""
    toml = fence == "+++"
    if fence in ("---", "+++") and not any(x.strip() in (fence, "...") for x in lines[1:]):
        raise ArticleError("E102", f"front matter opened with '{fence}' on line 1 is never closed "
                                   f"(no second '{fence}' line)")
    try:
        post = frontmatter.loads(raw, handler=_toml_front_matter_handler() if toml else _front_matter_handler())
    except Exception as exc:
        raise ArticleError("E102", f"front matter is not valid {'TOML' if toml else 'YAML'}: {exc}") from None
    # keys are matched whatever their case ("Date:", "TITLE:"): an exact lowercase key, else the first
    meta: dict = {}
    for key, value in post.metadata.items():
        meta.setdefault(str(key).lower(), value)
    meta.update((k, post.metadata[k]) for k in ("date", "title", "url") if k in post.metadata)
    date, note = _date_or_note(meta.get("date"))
    return Article(rel, post.content, date, _str(meta.get("title")), _str(meta.get("url")), rel, note)


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
    date, note = _date_or_note(date) if date else (None, None)
    return Article(rel, text, date, title, url, rel, note)


def _jsonl(path: Path, rel: str, default_date: str | None, max_chars: int,
           max_bytes: int) -> Iterator[Article | ArticleFailure]:
    """The articles of a ``.jsonl`` file, read line by line (a line longer than ``max_bytes`` is not read whole).

    Each line stands alone: a line that is not UTF-8 or not JSON, lacks
    ``id`` (a string or an integer) or ``text``, or repeats an id fails
    alone, naming its line number.
    """
    seen: set[str] = set()
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        n = 0
        while True:
            line = handle.readline(max_bytes + 1)
            if not line:
                break
            n += 1
            where = f"{rel}#line{n}"
            if len(line) > max_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # the rest of the line, in bounded pieces
                    line = handle.readline(max_bytes + 1)
                yield ArticleFailure(where, rel, "E104", f"line {n}: longer than 4 x max_chars={max_chars} bytes: not read")
                continue
            try:
                text_line = line.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield ArticleFailure(where, rel, "E101", f"line {n}: not UTF-8 text (byte {exc.start} of the line: "
                                     f"{line[exc.start:exc.start + 1]!r})")
                continue
            if not text_line.strip():
                continue
            try:
                row = json.loads(text_line)
            except json.JSONDecodeError as exc:
                yield ArticleFailure(where, rel, "E107", f"line {n}: not JSON ({exc.msg})")
                continue
            except RecursionError:
                yield ArticleFailure(where, rel, "E107", f"line {n}: not JSON (nested too deeply)")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not _good_id(row.get("id")):
                yield ArticleFailure(where, rel, "E108", f"line {n}: needs an object with an 'id' (a non-empty "
                                     "string or an integer) and a 'text' string")
                continue
            doc_id = f"{rel}#{row['id']}"
            if doc_id in seen:
                yield ArticleFailure(f"{doc_id}@line{n}", rel, "E109", f"line {n}: id {row['id']!r} was already used "
                                     "in this file (claim ids would collide)")
                continue
            seen.add(doc_id)
            try:
                date, note = _date_or_note(row.get("date"))
                art = Article(doc_id, row["text"], date, _str(row.get("title")), _str(row.get("url")), rel, note)
                yield _finish(art, default_date, max_chars)
            except ArticleError as exc:
                yield ArticleFailure(doc_id, rel, exc.code, f"line {n}: {exc.reason}")


def _good_id(value: object) -> bool:
    """An article id: a non-empty string or an integer (not null, not a boolean)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.strip() != "")


def _str(v: object) -> str | None:
    return None if v is None else str(v)
