"""Review outputs: tables, report HTML (checked in headless Chromium) and the terminal view.

Inputs are the hand-written fixture ``tests/fixtures/review`` (our own
articles; claims and checks made by ``build_fixture.py``), so these tests do
not depend on the extractor.
"""
from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from rich.console import Console

from pipeline.claim import FIELD_NAMES
from pipeline.errors import SchemaError, UsageError
from pipeline.report import (CHECK_FIELDS, build_report, format_change, format_value,
                             locate_sentence, period_point, place_main, read_claims,
                             render_sentence, sentence_marks, write_tables)
from pipeline.report_chart import company_charts
from pipeline.report_pack import unpack_page
from pipeline.cli import main
from pipeline.show import claims_table

from report_rows import write_conflicted_run

FIXTURE = Path(__file__).parent / "fixtures" / "review"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _articles() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (FIXTURE / "articles").iterdir()}


@pytest.fixture()
def out_dir(tmp_path: Path) -> Path:
    for name in ("claims.jsonl", "checks.jsonl"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    return tmp_path


def _plain(value):
    """pandas cell -> the JSON value it stands for (NaN/NA -> None, numpy -> Python)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


# --------------------------------------------------------------------------- tables

def test_claims_csv_and_parquet_round_trip_to_the_jsonl_rows(out_dir: Path) -> None:
    write_tables(out_dir)
    expected = _jsonl(out_dir / "claims.jsonl")
    string_columns = {name: "string" for name in FIELD_NAMES
                      if isinstance(expected[0].get(name), str) or name in (
                          "doc_date", "company", "company_text", "metric_text", "segment",
                          "value_text", "unit", "period", "period_text", "direction",
                          "change_unit", "change_basis", "change_text", "source")}
    csv = pd.read_csv(out_dir / "claims.csv", dtype=string_columns, keep_default_na=False,
                      na_values=[""])
    parquet = pd.read_parquet(out_dir / "claims.parquet")
    for frame in (csv, parquet):
        assert list(frame.columns) == list(FIELD_NAMES)
        rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        assert rows == expected


def test_checks_csv_keeps_columns_and_claim_id_lists(out_dir: Path) -> None:
    write_tables(out_dir)
    expected = _jsonl(out_dir / "checks.jsonl")
    csv = pd.read_csv(out_dir / "checks.csv")
    assert list(csv.columns) == list(CHECK_FIELDS)
    assert [json.loads(ids) for ids in csv["claim_ids"]] == [c["claim_ids"] for c in expected]
    assert list(csv["observed"]) == [c["observed"] for c in expected]
    parquet = pd.read_parquet(out_dir / "checks.parquet")
    assert [list(ids) for ids in parquet["claim_ids"]] == [c["claim_ids"] for c in expected]


def test_a_malformed_claims_file_names_the_line(out_dir: Path) -> None:
    with (out_dir / "claims.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"claim_id": "x", "colour": "red"}\n')
    with pytest.raises(SchemaError) as err:
        read_claims(out_dir)
    assert err.value.code == "E252" and "line 19" in err.value.reason and "colour" in err.value.reason


def test_a_claim_row_without_its_fields_names_them(out_dir: Path) -> None:
    with (out_dir / "claims.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"claim_id": "x:1:0"}\n')
    with pytest.raises(SchemaError) as err:
        read_claims(out_dir)
    assert err.value.code == "E252" and "missing required field(s): doc_id" in err.value.reason
    assert "__init__" not in err.value.reason


# --------------------------------------------------------------------------- locating

def _claim(sentence: str, figure: str, offset: int, **fields) -> dict:
    start = offset + sentence.index(figure)
    return {"claim_id": fields.pop("claim_id", "d:0:0"), "start": start, "end": start + len(figure),
            "value_text": figure, **fields}


def test_sentence_offset_is_voted_from_the_figures_without_article_text() -> None:
    sentence = "Sales rose 5% to 12 million units, or 40% of the market."
    claims = [_claim(sentence, "12 million units", 300, claim_id="d:3:0"),
              _claim(sentence, "40%", 300, claim_id="d:3:1")]
    assert locate_sentence(sentence, claims) == 300


def test_sentence_offset_picks_the_occurrence_that_holds_the_claims() -> None:
    sentence = "Revenue was 5 billion yuan."
    article = f"{sentence} Then a pause. {sentence}"
    second = article.rindex(sentence)
    claims = [_claim(sentence, "5 billion yuan", second)]
    assert locate_sentence(sentence, claims, article) == second


def test_wrong_offsets_are_reported_not_silently_trusted() -> None:
    sentence = "Profit fell to 3 billion yuan."
    claim = _claim(sentence, "3 billion yuan", 100)
    claim["start"] += 2
    claim["end"] += 2
    placement = place_main(claim, sentence, offset=100)
    assert (placement.how, placement.start, placement.end) == ("text", 15, 29)
    assert place_main({**claim, "value_text": "9 billion yuan"}, sentence, 100).how == "missing"


def test_parts_are_marked_nearest_the_figure_and_only_on_whole_words() -> None:
    sentence = "Support for Acme grew: Acme revenue was up 4% to 9 billion yuan."
    claim = _claim(sentence, "9 billion yuan", 0, company_text="Acme", metric_text="revenue",
                   direction="increase", change_text="4%", period_text="Q9")
    marks, placements, unmarked = sentence_marks(sentence, [claim], offset=0)
    found = {m.label: sentence[m.start:m.end] for m in marks}
    assert found == {"CO": "Acme", "MET": "revenue", "VAL": "9 billion yuan", "CHG": "4%",
                     "DIR": "up"}
    company = next(m for m in marks if m.label == "CO")
    assert company.start == sentence.index("Acme revenue")  # the nearer of the two
    direction = next(m for m in marks if m.label == "DIR")
    assert direction.start == sentence.index("up 4%")  # not the "up" inside "Support"
    assert placements["d:0:0"].how == "offsets"
    assert unmarked == {"d:0:0": ["period"]}


def test_a_part_that_would_cut_the_figure_is_not_marked() -> None:
    sentence = "It sold 5 million units in 2023."
    claim = _claim(sentence, "5 million units", 0, metric_text="units in")
    marks, _, unmarked = sentence_marks(sentence, [claim], offset=0)
    assert [(m.label, sentence[m.start:m.end]) for m in marks] == [("VAL", "5 million units")]
    assert unmarked == {"d:0:0": ["metric"]}


def _visible_text(rendered: str) -> str:
    without_labels = re.sub(r'<span class="nf-label"[^>]*>.*?</span>', "", rendered, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", without_labels)).split())


def test_rendered_sentence_keeps_the_text_and_its_spacing() -> None:
    sentence = "Shipments were 9.8 million phones (down 3.1% from a year earlier)."
    claim = _claim(sentence, "9.8 million phones", 0, direction="decrease", change_text="3.1%",
                   metric_text="Shipments")
    marks, _, _ = sentence_marks(sentence, [claim], offset=0)
    span = (claim["start"], claim["end"])
    rendered = render_sentence(sentence, marks, {span: {"data-claim-id": "d:0:0"}},
                               {span: "nf-main"})
    assert _visible_text(rendered) == sentence
    assert '<span class="nf-text nf-main" data-claim-id="d:0:0">9.8 million phones</span>' in rendered


# --------------------------------------------------------------------------- formatting

@pytest.mark.parametrize(("claim", "value", "change"), [
    ({"value": 59.5e9, "unit": "CNY", "qualifier": "exact", "change": -18.9, "change_unit": "%",
      "change_basis": "yoy"}, "59.5 bn CNY", "-18.9% yoy"),
    ({"value": 10e9, "value_high": 12e9, "unit": "USD", "qualifier": "range"}, "10–12 bn USD", ""),
    ({"value": 1200, "unit": "people", "qualifier": "more_than", "direction": "increase"},
     "> 1,200 people", "increase"),
    ({"value": None, "change": 1.4, "change_unit": "pp"}, "", "+1.4 pp"),
])
def test_values_and_changes_read_as_a_person_writes_them(claim, value, change) -> None:
    assert (format_value(claim), format_change(claim)) == (value, change)


@pytest.mark.parametrize(("period", "x", "granularity"), [
    ("2023", 2023.5, "year"), ("2023-Q1", 2023.125, "quarter"), ("2023-H2", 2023.75, "half"),
    ("2023-05", 2023 + 4.5 / 12, "month"), ("FY2024-Q1", 2024.125, "fiscal quarter"),
    ("2021-01/2021-08", (2021 + 0.5 / 12 + 2021 + 7.5 / 12) / 2, "span"),
])
def test_periods_are_placed_at_their_midpoint(period, x, granularity) -> None:
    point = period_point(period)
    assert point.x == pytest.approx(x) and point.granularity == granularity


def test_unreadable_periods_are_not_placed() -> None:
    assert period_point(None) is None and period_point("last spring") is None


# --------------------------------------------------------------------------- charts

def test_charts_draw_companies_with_series_and_count_inconsistent_points() -> None:
    claims = _jsonl(FIXTURE / "claims.jsonl")
    status = {c["claim_id"]: "unchecked" for c in claims}
    for check in _jsonl(FIXTURE / "checks.jsonl"):
        if check["status"] == "inconsistent":
            status.update(dict.fromkeys(check["claim_ids"], "inconsistent"))
    charts = company_charts(claims, status)
    assert [(c["company"], c["points"], c["inconsistent"], c["panels"]) for c in charts] == [
        ("Orbit Mobile", 8, 4, ["revenue (CNY)", "revenue share (%)"]),
        ("Quartz Auto", 5, 0, ["deliveries (vehicles)"]),
    ]
    assert all(c["svg"].startswith("<svg") for c in charts)


# --------------------------------------------------------------------------- report html

def test_report_is_self_contained_with_unique_ids(out_dir: Path) -> None:
    packed = build_report(out_dir, _articles()).read_text(encoding="utf-8")
    assert 'id="nf-data" data-encoding="gzip+base64"' in packed and "data-claim-id=" not in packed.split("<main>")[1].split("</main>")[0]
    page = unpack_page(packed)  # the claim data and the article sections are packed
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    ids = Counter(re.findall(r'(?<![\w-])id="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert page.count('data-part="value"') == 16 and page.count('data-part="change"') == 2


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must not look anything up
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def open_page(browser, path: Path) -> None:
    """Open a report and wait until its script has unpacked the data and drawn the claims table."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(path.resolve().as_uri())
    WebDriverWait(browser, 20).until(lambda b: b.execute_script(
        "const d = document.documentElement.dataset; return d.nfReady === '1' || d.nfError;"))
    assert browser.execute_script("return document.documentElement.dataset.nfError || null") is None


def draw_articles(browser) -> None:
    """Draw every article section (each is drawn when first opened; they stay closed)."""
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        window.newsfiguresReview.drawArticles().then(() => done('drawn'), err => done(String(err)));""")
    assert result == "drawn"


def _assert_highlighted_at_offsets(browser, path: Path, claims: dict[str, dict]) -> None:
    """Open ``path`` and assert: no console error, no request, every claim marked once at its offsets."""
    open_page(browser, path)
    draw_articles(browser)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    marked = browser.execute_script("""
        return Array.from(document.querySelectorAll('.nf-sentences [data-claim-id]')).map(el => ({
            ids: JSON.parse(el.dataset.claimIds), part: el.dataset.part, text: el.textContent,
            start: Number(el.dataset.start), end: Number(el.dataset.end),
            moved: el.classList.contains('nf-moved')}));""")
    seen = Counter()
    for element in marked:
        for cid in element["ids"]:
            claim = claims[cid]
            seen[cid] += 1
            figure = claim["value_text"] if element["part"] == "value" else claim["change_text"]
            assert element["text"] == figure, cid
            assert (element["start"], element["end"]) == (claim["start"], claim["end"]), cid
            assert not element["moved"], cid
    assert seen == Counter(dict.fromkeys(claims, 1))


def test_report_in_headless_chromium(out_dir: Path, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    path = build_report(out_dir, _articles())
    claims = {c["claim_id"]: c for c in _jsonl(out_dir / "claims.jsonl")}
    _assert_highlighted_at_offsets(browser, path, claims)

    # failed checks are marked on the claims they concern
    failed = set(browser.execute_script(
        "return Array.from(document.querySelectorAll('.nf-main.nf-fail')).map(e => e.dataset.claimId)"))
    assert failed == {"orbit-q1-2024.txt:1:0", "orbit-q1-2024.txt:4:0", "orbit-q1-2024.txt:4:1",
                      "lumen-pc-q2-2024.txt:2:0"}

    # the company filter hides the other companies' rows
    global_rows = "#claims tr.nf-row"
    Select(browser.find_element(By.ID, "f-company")).select_by_value("Lumen Computing")
    shown = browser.execute_script(f"""
        return Array.from(document.querySelectorAll('{global_rows}'))
            .filter(tr => getComputedStyle(tr).display !== 'none').map(tr => tr.dataset.company);""")
    assert shown == ["Lumen Computing"] * 3
    assert browser.find_element(By.ID, "f-count").text == "3 of 18 claims"
    Select(browser.find_element(By.ID, "f-company")).select_by_value("")
    Select(browser.find_element(By.ID, "f-status")).select_by_value("inconsistent")
    shown = browser.execute_script(f"""
        return Array.from(document.querySelectorAll('{global_rows}'))
            .filter(tr => getComputedStyle(tr).display !== 'none').map(tr => tr.dataset.claimId);""")
    assert sorted(shown) == sorted(failed)
    Select(browser.find_element(By.ID, "f-status")).select_by_value("")

    # sorting by value: numbers ascending, claims without a value last
    header = browser.find_elements(By.CSS_SELECTOR, "#claims thead th")[5]
    assert header.text == "value"
    header.click()
    keys = browser.execute_script(f"""
        return Array.from(document.querySelectorAll('{global_rows} td:nth-child(6)'))
            .map(td => td.dataset.sort);""")
    numbers = [float(k) for k in keys if k]
    assert numbers == sorted(numbers) and keys[-1] == "" and keys.count("") == 2

    # a clicked figure (in a closed article) opens its article at its row
    opened = browser.execute_script("""
        const figure = document.querySelector('[data-claim-id="quartz-auto-june-2024.txt:3:0"]');
        const article = figure.closest('details');
        const before = article.open;
        figure.click();
        const row = document.getElementById(figure.dataset.row);
        return [before, article.open, row.closest('details') === article, row.dataset.claimId];""")
    assert opened == [False, True, True, "quartz-auto-june-2024.txt:3:0"]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

    # screenshot for a person to look at (articles open, page top)
    browser.execute_script("""
        document.querySelectorAll('details.nf-article').forEach(d => d.open = true);
        window.scrollTo(0, 0);""")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(height, 4000))
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report.png"))
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


# --------------------------------------------------------------------------- terminal view and CLI

def test_show_groups_by_company_and_lists_failed_checks(out_dir: Path) -> None:
    table, failed = claims_table(out_dir, inconsistent=True)
    assert table.row_count == 4
    assert [m.split(":")[0] for m in failed] == ["conflict", "share_of_total"]
    console = Console(record=True, width=200)
    console.print(table)
    lines = [line for line in console.export_text().splitlines() if "bn CNY" in line]
    assert [line.split()[0] for line in lines] == ["Orbit", "revenue", "revenue"]
    assert "43.1 bn CNY" in lines[0] and "✗ conflict" in lines[0]


def test_show_filters_company_case_insensitively_and_rejects_unknown_ones(out_dir: Path) -> None:
    table, _ = claims_table(out_dir, company="quartz auto", metric="Deliveries")
    assert table.row_count == 5
    with pytest.raises(UsageError) as err:
        claims_table(out_dir, company="Nobody")
    assert err.value.code == "E420" and "Lumen Computing" in err.value.reason


def test_report_and_show_commands(out_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(out_dir), "--no-charts",
                                  "--articles", str(FIXTURE / "articles")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out_dir.iterdir()} >= {"report.html", "claims.csv", "claims.parquet",
                                                   "checks.csv", "checks.parquet"}
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="charts"' not in page and "<b>18 / 18</b>" in page
    result = runner.invoke(main, ["show", str(out_dir), "--metric", "market share"])
    assert result.exit_code == 0 and "17.6%" in result.output and "1 of 18 claims" in result.output
    result = runner.invoke(main, ["show", str(out_dir), "--company", "Nobody"])
    assert result.exit_code == 2 and "E420" in result.output


def test_a_repeated_claim_id_is_refused_with_both_lines(out_dir: Path) -> None:
    first = (out_dir / "claims.jsonl").read_text(encoding="utf-8").splitlines()[0]
    with (out_dir / "claims.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(first + "\n")
    with pytest.raises(SchemaError) as err:
        read_claims(out_dir)
    assert err.value.code == "E255" and "line 19" in err.value.reason and "line 1;" in err.value.reason


@pytest.mark.parametrize("articles", [
    Path(__file__).parents[1] / "corpus" / "articles",
    Path(__file__).parents[2] / "shared" / "dev" / "articles",
], ids=["corpus", "shared-dev"])
def test_extractor_output_is_highlighted_at_its_offsets(articles: Path, tmp_path: Path, browser) -> None:
    if not articles.is_dir():
        pytest.skip(f"{articles} is not here")
    from pipeline.extract import run_extract
    from pipeline.report import read_article_texts

    run_extract(articles, tmp_path, progress=False)
    claims = {c["claim_id"]: c for c in _jsonl(tmp_path / "claims.jsonl")}
    assert len(claims) > 50
    path = build_report(tmp_path, read_article_texts(articles), charts=False)
    _assert_highlighted_at_offsets(browser, path, claims)


def test_a_large_run_shows_at_most_max_articles_sections_and_says_so(tmp_path):
    """Failed-check articles come first; the overview still counts every claim."""
    from pipeline.report import build_report

    write_conflicted_run(tmp_path, 6)
    page = unpack_page(build_report(tmp_path, charts=False, max_articles=2).read_text(encoding="utf-8"))
    assert "Showing 2 of 6 articles" in page
    assert page.count('class="nf-article"') == 2
    assert "d5.txt" in page and 'data-claim-id="d5.txt:0:0"' in page  # the failed ones are shown
    assert 'data-claim-id="d3.txt:0:0"' not in page
    full = unpack_page(build_report(tmp_path, charts=False, max_articles=0).read_text(encoding="utf-8"))
    assert full.count('class="nf-article"') == 6 and "Showing" not in full


def test_charts_drawn_in_a_child_give_the_page_drawn_in_one_process(out_dir: Path, monkeypatch) -> None:
    import re

    from pipeline import report

    def page() -> str:
        text = build_report(out_dir, _articles()).read_text(encoding="utf-8")
        return re.sub(r"built in [^)]*\)", "", text)

    monkeypatch.setattr(report, "core_free", lambda: True)  # whatever the machine's load
    aside = page()
    monkeypatch.setattr(report, "CHARTS_ASIDE", False)
    assert page() == aside
    assert "<svg" in str(unpack_page(aside))


def test_tables_of_rows_with_every_field_are_those_of_rows_key_by_key() -> None:
    from pipeline.tables import _columns

    rows = [{"a": 1, "b": None, "c": "x"}, {"a": 2, "b": 2.5, "c": "y"}]
    assert _columns(rows, ["a", "b", "c"]) == [[1, 2], [None, 2.5], ["x", "y"]]
    assert _columns(rows, ["c", "a", "b"]) == [["x", "y"], [1, 2], [None, 2.5]]
    assert _columns([{"a": 1, "z": 2, "c": 3}], ["a", "b", "c"]) == [[1], [None], [3]]  # as many keys, others
    assert _columns([{"a": 1}], ["a", "b"]) == [[1], [None]]
    assert _columns([], ["a", "b"]) == [[], []]


def test_show_leaves_out_a_broken_row_names_it_and_exits_incomplete(out_dir: Path) -> None:
    claims = out_dir / "claims.jsonl"
    claims.write_text(claims.read_text(encoding="utf-8") + '{"claim_id": "broken"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(out_dir), "--metric", "market share"])
    assert result.exit_code == 3, result.output  # EXIT_INCOMPLETE, as check and report
    assert "17.6%" in result.stdout  # the other rows are shown
    assert "claims.jsonl:19" in result.stderr and "E251" in result.stderr


def test_show_writes_no_period_for_a_claim_without_one(out_dir: Path) -> None:
    claims = out_dir / "claims.jsonl"
    rows = [json.loads(x) for x in claims.read_text(encoding="utf-8").splitlines()]
    rows[-1]["period"] = None  # a claim whose period the text does not give
    claims.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (out_dir / "checks.jsonl").unlink()
    table, _ = claims_table(out_dir, company=rows[-1]["company"] or "(market-wide)")
    console = Console(record=True, width=200)
    console.print(table)
    assert "(no period)" in console.export_text()
