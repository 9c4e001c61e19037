"""Packed blocks of the report page (``pipeline/report_pack.py``)."""
from __future__ import annotations

import base64

from pipeline.report_pack import ENCODING, pack, unpack, unpack_page


def test_pack_round_trips_and_is_the_same_text_each_time() -> None:
    text = '<div class="nf-sentences">Revenue was 59.5 billion yuan — 增长 12%.</div>' * 50
    packed = pack(text)
    assert unpack(packed) == text
    assert packed == pack(text)  # no time stamp in the gzip header: same run, same page bytes
    assert base64.b64decode(packed)[:2] == b"\x1f\x8b" and len(packed) < len(text) / 5
    assert set(packed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def test_unpack_page_opens_every_packed_block_and_leaves_the_rest() -> None:
    page = (f'<p>kept</p><script type="text/plain" class="nf-lazy" data-encoding="{ENCODING}">{pack("<b>one</b>")}'
            f'</script><script type="text/plain" id="nf-data" data-encoding="{ENCODING}">{pack("[1,2]")}</script>'
            '<script>var x = 1;</script>')
    assert unpack_page(page) == (
        f'<p>kept</p><script type="text/plain" class="nf-lazy" data-encoding="{ENCODING}"><b>one</b></script>'
        f'<script type="text/plain" id="nf-data" data-encoding="{ENCODING}">[1,2]</script><script>var x = 1;</script>')
