"""Reading articles (pipeline/reading.py): formats, dates, failures and skips.

Every fixture is written into ``tmp_path`` here, with our own text.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.reading import Article, ArticleFailure, PartialDate, Skipped, iter_articles, to_iso_date

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Orvane Devices posts record quarter</title>
  <meta property="article:published_time" content="2024-02-14T08:30:00+00:00">
  <meta property="og:title" content="Orvane Devices posts record quarter">
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/tech">Tech</a> | <a href="/markets">Markets</a></nav>
  <article>
    <h1>Orvane Devices posts record quarter</h1>
    <p>Orvane Devices said on Wednesday that its revenue for the fourth quarter of 2023 rose 12 percent
    from a year earlier to 4.2 billion euros, helped by strong demand for its folding laptops in Europe.</p>
    <p>The company shipped 1.3 million laptops in the quarter, and its gross margin widened to 31 percent
    from 28 percent, chief financial officer Mara Lindqvist told analysts on a call.</p>
    <p>Orvane expects revenue of between 4.4 billion and 4.6 billion euros in the current quarter,
    above what analysts had pencilled in, and plans to hire about 800 engineers this year.</p>
  </article>
  <footer>Copyright 2024 Example News. All rights reserved.</footer>
</body>
</html>
"""


def read_all(root: Path, **kwargs) -> list[Article | ArticleFailure | Skipped]:
    """Everything ``iter_articles`` yields for ``root``, as a list."""
    return list(iter_articles(root, **kwargs))


def only(items: list, kind: type):
    """The items of one kind."""
    return [i for i in items if isinstance(i, kind)]


def test_txt_is_read_whole_with_relative_doc_id(tmp_path: Path) -> None:
    text = "Kestrel Semiconductor said revenue rose 8% to $1.1 billion.\nIt hired 300 people.\n"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "kestrel.txt").write_text(text, encoding="utf-8")
    [art] = read_all(tmp_path)
    assert isinstance(art, Article)
    assert art.doc_id == "sub/kestrel.txt"
    assert art.path == "sub/kestrel.txt"
    assert art.text == text
    assert art.doc_date is None


def test_single_file_root_is_named_by_its_file_name(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("Sales reached 2,000 units.", encoding="utf-8")
    [art] = read_all(path)
    assert art.doc_id == "one.txt"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffRevenue was 5 million yuan.".encode("utf-8"))
    [art] = read_all(tmp_path)
    assert art.text == "Revenue was 5 million yuan."


def test_markdown_front_matter_gives_date_title_url_and_body(tmp_path: Path) -> None:
    body = "Lumenra raised $45 million in a Series C round.\n\nThe round values it at $600 million."
    (tmp_path / "lumenra.md").write_text(
        "---\ntitle: Lumenra closes Series C\ndate: 2024-03-05\nurl: https://example.com/lumenra\n---\n" + body + "\n",
        encoding="utf-8")
    [art] = read_all(tmp_path)
    assert isinstance(art, Article)
    assert art.doc_date == "2024-03-05"
    assert art.title == "Lumenra closes Series C"
    assert art.url == "https://example.com/lumenra"
    assert art.text.strip() == body
    assert "title:" not in art.text and "---" not in art.text


def test_markdown_without_front_matter_has_no_date(tmp_path: Path) -> None:
    (tmp_path / "plain.md").write_text("# Heading\n\nShipments fell 4% to 12 million units.\n", encoding="utf-8")
    [art] = read_all(tmp_path)
    assert art.doc_date is None
    assert "Shipments fell 4%" in art.text


def test_markdown_with_broken_yaml_is_a_failure_e102(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\ndate: 2024-01-01\n---\nText here.\n",
                                        encoding="utf-8")
    [fail] = read_all(tmp_path)
    assert isinstance(fail, ArticleFailure)
    assert (fail.code, fail.path) == ("E102", "broken.md")


def test_markdown_front_matter_never_closed_is_e102_not_body_text(tmp_path: Path) -> None:
    (tmp_path / "open.md").write_text("---\ndate: 2024-01-01\ntitle: Xiaomi\nRevenue rose 5% to 10 billion yuan.\n",
                                      encoding="utf-8")
    [fail] = read_all(tmp_path)
    assert isinstance(fail, ArticleFailure)
    assert (fail.code, fail.path) == ("E102", "open.md")
    assert "never closed" in fail.reason


def test_markdown_front_matter_date_that_is_not_a_date_is_e103(tmp_path: Path) -> None:
    (tmp_path / "odd.md").write_text("---\ndate: sometime soon\n---\nRevenue rose 3%.\n", encoding="utf-8")
    [fail] = read_all(tmp_path)
    assert isinstance(fail, ArticleFailure)
    assert fail.code == "E103"
    assert "sometime soon" in fail.reason


def test_html_main_text_and_published_time_come_from_trafilatura(tmp_path: Path) -> None:
    (tmp_path / "orvane.html").write_text(HTML_PAGE, encoding="utf-8")
    [art] = read_all(tmp_path)
    assert isinstance(art, Article), art
    assert art.doc_date == "2024-02-14"
    assert "rose 12 percent" in art.text
    assert "1.3 million laptops" in art.text
    # page furniture is not article text, and no tag survives
    assert "All rights reserved" not in art.text
    assert "Markets" not in art.text
    assert "<p>" not in art.text and "</" not in art.text


def test_html_without_main_text_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "empty.htm").write_text("<html><head><title>x</title></head><body></body></html>", encoding="utf-8")
    [fail] = read_all(tmp_path)
    assert isinstance(fail, ArticleFailure)
    assert fail.path == "empty.htm"
    assert fail.code in ("E105", "E106")


def test_jsonl_lines_are_articles_and_a_bad_line_names_file_and_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "Paysetu raised $12 million.", "date": "2023-06-01", "title": "Paysetu"}),
        "",
        "{not json at all",
        json.dumps({"id": "a3", "title": "no text field"}),
        json.dumps({"id": 7, "text": "Khetwise hired 250 people."}),
    ]
    (tmp_path / "briefs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read_all(tmp_path)
    arts, fails = only(items, Article), only(items, ArticleFailure)
    assert [a.doc_id for a in arts] == ["briefs.jsonl#a1", "briefs.jsonl#7"]
    assert arts[0].text == "Paysetu raised $12 million."
    assert arts[0].doc_date == "2023-06-01"
    assert arts[0].title == "Paysetu"
    assert arts[1].doc_date is None
    assert all(a.path == "briefs.jsonl" for a in arts)
    assert [(f.path, f.code) for f in fails] == [("briefs.jsonl", "E107"), ("briefs.jsonl", "E108")]
    assert fails[0].reason.startswith("line 3:")
    assert fails[1].reason.startswith("line 4:")
    assert fails[0].doc_id == "briefs.jsonl#line3"


def test_jsonl_line_with_a_bad_date_fails_alone(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "x", "text": "Revenue rose 5%.", "date": "not a date"}),
             json.dumps({"id": "y", "text": "Revenue fell 2%.", "date": "2022-12-31"})]
    (tmp_path / "b.jsonl").write_text("\n".join(lines), encoding="utf-8")
    items = read_all(tmp_path)
    [fail] = only(items, ArticleFailure)
    [art] = only(items, Article)
    assert (fail.doc_id, fail.code) == ("b.jsonl#x", "E103")
    assert fail.reason.startswith("line 1:")
    assert (art.doc_id, art.doc_date) == ("b.jsonl#y", "2022-12-31")


def test_non_utf8_file_is_failure_e101_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Revenue was 3 billion won.", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Umsatz stieg um 5 % auf 2 Mrd. €".encode("cp1252"))
    items = read_all(tmp_path)
    [fail] = only(items, ArticleFailure)
    assert (fail.path, fail.doc_id, fail.code) == ("latin.txt", "latin.txt", "E101")
    assert "UTF-8" in fail.reason
    assert [a.doc_id for a in only(items, Article)] == ["good.txt"]


def test_unknown_extension_and_hidden_entries_are_skipped_with_their_reason(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Revenue was 3 billion won.", encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    (tmp_path / ".hidden.txt").write_text("Revenue was 9 billion won.", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "b.txt").write_text("Revenue was 9 billion won.", encoding="utf-8")
    items = read_all(tmp_path)
    # a hidden folder is one skipped entry, not entered
    assert sorted(only(items, Skipped), key=lambda x: x.path) == [
        Skipped(".cache", "hidden"), Skipped(".hidden.txt", "hidden"), Skipped("scan.pdf", "not an article format")]
    assert [a.doc_id for a in only(items, Article)] == ["a.txt"]
    assert len(items) == 4


def test_extension_match_ignores_case(tmp_path: Path) -> None:
    (tmp_path / "LOUD.TXT").write_text("Revenue was 3 billion won.", encoding="utf-8")
    [art] = read_all(tmp_path)
    assert isinstance(art, Article)


@pytest.mark.parametrize("head, expected", [
    ("By Dana Whitfield, CNBC, January 30, 2025\n\nApple said services revenue rose 14%.", "2025-01-30"),
    ("Published: Sept. 3, 2024 | Shenzhen\nBYD delivered 300,000 vehicles.", "2024-09-03"),
    ("SEOUL, 5th March 2024 - SK Hynix posted an operating profit of 2.9 trillion won.", "2024-03-05"),
    ("date 2024-08-02\nRevenue rose 7% to $3.1 billion.", "2024-08-02"),
])
def test_dateline_in_the_opening_of_a_txt_article(tmp_path: Path, head: str, expected: str) -> None:
    (tmp_path / "d.txt").write_text(head, encoding="utf-8")
    [art] = read_all(tmp_path)
    assert art.doc_date == expected


def test_dateline_is_only_looked_for_in_the_opening_characters(tmp_path: Path) -> None:
    text = "Revenue rose 7% to $3.1 billion. " * 5 + "The deal closed on January 30, 2025."
    (tmp_path / "late.txt").write_text(text, encoding="utf-8")
    assert read_all(tmp_path, dateline_chars=60)[0].doc_date is None
    assert read_all(tmp_path, dateline_chars=len(text))[0].doc_date == "2025-01-30"


def test_text_without_a_dateline_has_no_date(tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_text("In 2023, revenue rose 7% to $3.1 billion in the third quarter.", encoding="utf-8")
    [art] = read_all(tmp_path)
    assert art.doc_date is None


def test_default_date_applies_only_where_an_article_has_no_date(tmp_path: Path) -> None:
    (tmp_path / "nodate.txt").write_text("Revenue rose 7% to $3.1 billion.", encoding="utf-8")
    (tmp_path / "dateline.txt").write_text("By Ann Lee, March 4, 2023\nRevenue rose 7%.", encoding="utf-8")
    (tmp_path / "front.md").write_text("---\ndate: 2021-11-30\n---\nRevenue rose 7%.\n", encoding="utf-8")
    (tmp_path / "lines.jsonl").write_text(
        json.dumps({"id": "dated", "text": "Revenue rose 7%.", "date": "2020-02-02"}) + "\n"
        + json.dumps({"id": "undated", "text": "Revenue rose 8%."}) + "\n", encoding="utf-8")
    dates = {a.doc_id: a.doc_date for a in read_all(tmp_path, default_date="2025-06-30")}
    assert dates == {"nodate.txt": "2025-06-30", "dateline.txt": "2023-03-04", "front.md": "2021-11-30",
                     "lines.jsonl#dated": "2020-02-02", "lines.jsonl#undated": "2025-06-30"}
    without = {a.doc_id: a.doc_date for a in read_all(tmp_path)}
    assert without["nodate.txt"] is None and without["lines.jsonl#undated"] is None


def test_too_long_and_empty_articles_are_failures(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("word " * 50, encoding="utf-8")
    (tmp_path / "blank.txt").write_text("  \n\n ", encoding="utf-8")
    fails = {f.path: f.code for f in read_all(tmp_path, max_chars=100)}
    assert fails == {"long.txt": "E104", "blank.txt": "E105"}


def test_curly_quotes_and_full_width_digits_are_kept_as_written(tmp_path: Path) -> None:
    # offsets refer to the article as written: reading must not rewrite characters
    text = "Xiaomi\u2019s revenue reached \uff15\uff19.5 billion\u00a0yuan."
    (tmp_path / "fw.txt").write_text(text, encoding="utf-8")
    [art] = read_all(tmp_path)
    assert art.text == text


@pytest.mark.parametrize("value, expected", [
    ("2024-02-14", "2024-02-14"),
    ("2024-02-04", "2024-02-04"),  # year first: never read day first
    ("2024-02-14T23:59:00+08:00", "2024-02-14"),
    ("February 14, 2024", "2024-02-14"),
    ("02/14/2024", "2024-02-14"),  # numbers only, but 14 can only be the day
    ("14/02/2024", "2024-02-14"),
    ("05/05/2024", "2024-05-05"),  # the same either way
    (None, None),
    ("", None),
])
def test_to_iso_date(value, expected) -> None:
    assert to_iso_date(value) == expected


@pytest.mark.parametrize("value", ["05/06/2024", "5.6.2024", "11-03-2023"])
def test_a_date_whose_day_and_month_could_swap_is_kept_unknown_w120(value) -> None:
    with pytest.raises(PartialDate) as exc:
        to_iso_date(value)
    assert exc.value.code == "W120"
    assert "month first" in exc.value.reason and "day first" in exc.value.reason


def test_front_matter_keys_are_read_whatever_their_case(tmp_path: Path) -> None:
    (tmp_path / "caps.md").write_text("---\nDate: 2024-03-05\nTitle: Orvane results\n---\nRevenue rose 3%.\n",
                                      encoding="utf-8")
    [art] = read_all(tmp_path)
    assert (art.doc_date, art.title) == ("2024-03-05", "Orvane results")


def test_toml_front_matter_between_plus_lines_is_read(tmp_path: Path) -> None:
    (tmp_path / "hugo.md").write_text('+++\ndate = 2024-03-05\ntitle = "Orvane results"\n+++\nRevenue rose 3%.\n',
                                      encoding="utf-8")
    [art] = read_all(tmp_path)
    assert (art.doc_date, art.title) == ("2024-03-05", "Orvane results")
    assert art.text.strip() == "Revenue rose 3%."


def test_toml_front_matter_broken_or_never_closed_is_e102(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text('+++\ndate = = 2024\n+++\nRevenue rose 3%.\n', encoding="utf-8")
    (tmp_path / "open.md").write_text('+++\ndate = 2024-03-05\nRevenue rose 3%.\n', encoding="utf-8")
    fails = {f.path: f for f in read_all(tmp_path)}
    assert fails["bad.md"].code == "E102" and "TOML" in fails["bad.md"].reason
    assert fails["open.md"].code == "E102" and "never closed" in fails["open.md"].reason


def test_html_page_with_too_few_words_holds_no_article(tmp_path: Path) -> None:
    (tmp_path / "wall.html").write_text("<html><head><title>News</title></head><body><main><p>Accept all cookies</p>"
                                        "</main></body></html>", encoding="utf-8")
    [fail] = read_all(tmp_path)
    assert isinstance(fail, ArticleFailure)
    assert (fail.code, fail.path) == ("E106", "wall.html")
    assert "html_min_words=10" in fail.reason
    [art] = read_all(tmp_path, html_min_words=2)
    assert isinstance(art, Article) and "cookies" in art.text


def test_broken_symlink_is_e111_and_linked_folders_are_skipped_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Revenue rose 3% to $5 billion.", encoding="utf-8")
    (tmp_path / "dead.txt").symlink_to(tmp_path / "missing.txt")
    other = tmp_path.parent / (tmp_path.name + "_other")
    other.mkdir()
    (other / "b.txt").write_text("Revenue rose 4%.", encoding="utf-8")
    (tmp_path / "linked").symlink_to(other, target_is_directory=True)
    items = read_all(tmp_path)
    [fail] = only(items, ArticleFailure)
    assert (fail.code, fail.path) == ("E111", "dead.txt")
    assert [x.path for x in only(items, Skipped)] == ["linked"]
    assert [a.doc_id for a in only(items, Article)] == ["a.txt"]


def test_an_output_folder_inside_the_input_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Revenue rose 3% to $5 billion.", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "claims.jsonl").write_text('{"claim_id": "a.txt:0:0"}\n', encoding="utf-8")
    (tmp_path / "claims.jsonl").write_text('{"claim_id": "a.txt:0:0"}\n', encoding="utf-8")
    items = read_all(tmp_path, exclude=tmp_path / "out")
    assert [a.doc_id for a in only(items, Article)] == ["a.txt"]
    assert [f.path for f in only(items, ArticleFailure)] == ["claims.jsonl"]  # not the output folder's
    items = read_all(tmp_path, exclude=tmp_path, exclude_names=frozenset({"claims.jsonl"}))
    assert {x.path for x in items if not isinstance(x, Article)} == {"out/claims.jsonl"}


def test_a_date_that_ends_a_period_gives_way_to_a_dateline_and_to_date(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text("Xiaomi published results for the three months ended March 31, 2023, "
                                    "showing revenue fell 18.9%.", encoding="utf-8")
    assert read_all(tmp_path)[0].doc_date == "2023-03-31"  # the nearest date there is
    assert read_all(tmp_path, default_date="2023-05-24")[0].doc_date == "2023-05-24"  # --date wins
    (tmp_path / "q.txt").write_text("BEIJING, May 24, 2023 -- Xiaomi published results for the three months "
                                    "ended March 31, 2023.", encoding="utf-8")
    assert read_all(tmp_path, default_date="2023-06-01")[0].doc_date == "2023-05-24"  # a dateline wins
    (tmp_path / "q.txt").write_text("Sony will raise the price of the PS5 in Japan from September 14, 2023.",
                                    encoding="utf-8")
    assert read_all(tmp_path, default_date="2023-08-25")[0].doc_date == "2023-08-25"


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_a_placeholder_date_is_kept_unknown_and_the_article_read(tmp_path: Path, date: str) -> None:
    row = {"id": "x", "date": date, "text": "Apple revenue rose 5% to $90 billion in the quarter."}
    (tmp_path / "b.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    [art] = read_all(tmp_path, default_date="2024-05-02")
    assert isinstance(art, Article) and art.doc_date is None and "1900-2100" in art.date_note


@pytest.mark.parametrize("written", ["2023-02-30", '"2023-02-30"', "2023-02-30 10:00:00", "2023-13-01"])
def test_an_impossible_front_matter_date_is_e103_naming_field_and_value_quoted_or_not(tmp_path: Path,
                                                                                     written: str) -> None:
    (tmp_path / "odd.md").write_text(f"---\ndate: {written}\ntitle: Odd\n---\nRevenue rose 3%.\n", encoding="utf-8")
    [fail] = read_all(tmp_path)
    assert isinstance(fail, ArticleFailure)
    value = written.strip('"')
    why = "month must be in 1..12" if value == "2023-13-01" else "day is out of range for month"
    assert (fail.path, fail.code, fail.reason) == ("odd.md", "E103", f"date {value!r} is impossible ({why}): no such day")


def test_a_possible_unquoted_front_matter_timestamp_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ndate: 2024-02-29 23:30:00-05:00\n---\nRevenue rose 3%.\n", encoding="utf-8")
    [art] = read_all(tmp_path)
    assert isinstance(art, Article) and art.doc_date == "2024-02-29"
