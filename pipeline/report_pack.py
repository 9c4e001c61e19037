"""Packed blocks of the report page: large text kept gzip-compressed and base64-encoded.

A browser reads a page's bytes at a fixed cost per megabyte before it can
run anything (about 60 ms/MB in headless Chromium on this project's VM,
``bench/report_bench.py``), so the page's large parts (the embedded claim
data, the article sections, the closed charts and failed checks) are stored
packed, about a tenth of their size, and unpacked by the page's script with
the browser's own ``DecompressionStream("gzip")`` when they are needed. No
library is involved on either side.

A packed block is ``<script type="text/plain" data-encoding="gzip+base64">``
holding the base64 text; :func:`unpack_page` gives back the page with every
block in plain text (for reading the page outside a browser, and for tests).
"""
from __future__ import annotations

import base64
import gzip
import re

ENCODING = "gzip+base64"
"""The ``data-encoding`` of a packed block."""

COMPRESS_LEVEL = 6
"""zlib level: 9 makes the 12 MB claim data of 5,000 articles 3% smaller in 3.4 times the time."""

_BLOCK = re.compile(r'(<script type="text/plain"[^>]*? data-encoding="gzip\+base64"[^>]*>)([A-Za-z0-9+/=]*)(</script>)')


def pack(text: str) -> str:
    """Compress ``text`` (UTF-8, gzip) and encode it as base64.

    The gzip header carries no time stamp, so the same text always packs to
    the same characters (a report is the same bytes for the same run).

    Args:
        text: the text to pack (HTML or JSON).

    Returns:
        ASCII base64 text, safe inside a ``<script>`` element.
    """
    return base64.b64encode(gzip.compress(text.encode("utf-8"), COMPRESS_LEVEL, mtime=0)).decode("ascii")


def unpack(packed: str) -> str:
    """Reverse :func:`pack`.

    Args:
        packed: base64 text of gzip-compressed UTF-8.

    Returns:
        The original text.
    """
    return gzip.decompress(base64.b64decode(packed)).decode("utf-8")


def unpack_page(page: str) -> str:
    """Return the page with every packed block's content in plain text.

    The blocks keep their ``<script>`` tags (with ``data-encoding``) around
    the unpacked text, so the result is for reading and searching, not for a
    browser.

    Args:
        page: the HTML of ``report.html``.

    Returns:
        The same HTML with each base64 content replaced by its text.
    """
    return _BLOCK.sub(lambda m: m.group(1) + unpack(m.group(2)) + m.group(3), page)
