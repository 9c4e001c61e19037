"""Tests of pipeline/checks.py: tolerance from stated precision, the six checks, the file runner."""
from __future__ import annotations

import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings as hypothesis_settings, strategies as st

from pipeline.checks import (
    CHECK_FIELDS, CHECK_KINDS, CheckSettings, check_claims, format_summary, half_interval,
    parse_claim_row, run_checks, shift_period,
)
from pipeline.claim import FIELD_NAMES
from pipeline.errors import LexiconError, SchemaError, UsageError

CASES = Path(__file__).parent / "cases" / "checks.jsonl"


def make_claims(specs: list[dict]) -> list[dict]:
    """Complete hand-written claim specs into schema v1 rows (ids from doc, sentence and order)."""
    rows, per_sentence = [], Counter()
    for spec in specs:
        row = {name: None for name in FIELD_NAMES}
        row.update(qualifier="exact", modality="actual", doc_date=None, sentence="", start=0)
        row.update(spec)
        row.setdefault("end", row["start"])
        if row["end"] is None:
            row["end"] = row["start"]
        place = (row["doc_id"], row["sentence_index"])
        row["claim_id"] = spec.get("claim_id") or f"{place[0]}:{place[1]}:{per_sentence[place]}"
        per_sentence[place] += 1
        rows.append(row)
    return rows


def load_cases() -> list[dict]:
    with CASES.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.mark.parametrize("case", load_cases(), ids=lambda case: case["name"])
def test_case(case: dict) -> None:
    rows = check_claims(make_claims(case["claims"]))
    for want in case.get("expect", []):
        found = [r for r in rows if r["check"] == want["check"]
                 and ("claim_ids" not in want or r["claim_ids"] == want["claim_ids"])]
        assert len(found) == 1, f"{want['check']} {want.get('claim_ids')}: got {rows}"
        row = found[0]
        assert row["status"] == want["status"], row["message"]
        for name in ("expected", "observed", "tolerance"):
            if name in want:
                assert row[name] == pytest.approx(want[name], rel=1e-6, abs=1e-9), (name, row)
        for text in want.get("message_has", []):
            assert text in row["message"], (text, row["message"])
    kinds = Counter(r["check"] for r in rows)
    for kind in case.get("absent", []):
        assert kinds[kind] == 0, rows
    for kind, n in case.get("count", {}).items():
        assert kinds[kind] == n, rows


# --- precision ------------------------------------------------------------

@pytest.mark.parametrize("value, text, unit, half", [
    (35e9, "35 billion", "CNY", 0.5e9),
    (59.5e9, "59.5 billion yuan", "CNY", 0.05e9),
    (58.8, "58.8%", "%", 0.05),
    (8e6, "8 million", "units", 0.5e6),
    (30.4e6, "30.4 million units", "units", 0.05e6),
    (35691e6, "RMB35,691 million", "CNY", 0.5e6),
    (2.4, "$2.40", "USD", 0.005),
    (600e6, "600 million yuan", "CNY", 50e6),
    (20e6, "£20 million", "GBP", 0.5e6),
    (1200.0, "1,200 people", "people", 50.0),
    (20.0, "20%", "%", 0.5),
    (0.0, "0 billion yuan", "CNY", 0.5e9),
    (-8e6, "8 million fewer", "units", 0.5e6),
    (12e9, "Rs 1,200 crore", "INR", 0.5e9),
    (7.78e12, "seven-point-78 trillion won", "KRW", 0.005e12),
    (59.5e9, None, "CNY", 0.05e9),
    (59.5e9, "fifty-nine and a half billion", "CNY", 0.05e9),
    (20e6, None, "GBP", 0.5e6),
    (600e6, None, "CNY", 50e6),
    (124800.0, None, "people", 50.0),
    (134.0, None, "people", 0.5),
    (24.19, None, "%", 0.005),
    (40.0, None, "%", 0.5),
    (None, "35 billion", "CNY", 0.0),
])
def test_half_interval(value, text, unit, half):
    assert half_interval(value, text, unit) == pytest.approx(half)


def test_rounding_zeros_setting():
    assert half_interval(600e6, "600 million", "CNY", CheckSettings(rounding_zeros=0)) == pytest.approx(0.5e6)
    assert half_interval(20e6, "20 million", "GBP", CheckSettings(rounding_zeros=1)) == pytest.approx(5e6)


@given(mantissa=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("999"), places=3),
       scale=st.sampled_from([(0, ""), (3, " thousand"), (6, " million"), (9, " billion"), (12, " trillion")]))
def test_half_interval_is_half_the_last_written_digit(mantissa, scale):
    written = format(mantissa.normalize(), "f")
    exponent, word = scale
    value = float(Decimal(written).scaleb(exponent))
    decimals = len(written.split(".")[1]) if "." in written else 0
    zeros = len(written) - len(written.rstrip("0")) if "." not in written else 0
    if zeros >= 2:
        decimals = -zeros
    expected = float(Decimal(5).scaleb(exponent - decimals - 1))
    assert half_interval(value, f"{written}{word} dollars", "USD") == pytest.approx(expected)


# --- periods --------------------------------------------------------------

@pytest.mark.parametrize("period, basis, prior", [
    ("2023-Q1", "yoy", "2022-Q1"), ("FY2025-Q1", "yoy", "FY2024-Q1"), ("2023", "yoy", "2022"),
    ("2023-H1", "yoy", "2022-H1"), ("2023-05", "yoy", "2022-05"), ("2021-01/2021-08", "yoy", "2020-01/2020-08"),
    ("2023-Q1", "qoq", "2022-Q4"), ("FY2024-Q3", "qoq", "FY2024-Q2"), ("2023-01", "mom", "2022-12"),
    ("2023-05", "mom", "2023-04"), ("2023", "qoq", None), ("2023-Q2", "mom", None), (None, "yoy", None),
])
def test_shift_period(period, basis, prior):
    assert shift_period(period, basis) == prior


# --- rows -----------------------------------------------------------------

def seed_claims() -> list[dict]:
    return [c for case in load_cases() if case["name"].startswith("segments 35") for c in make_claims(case["claims"])]


def test_rows_follow_the_schema_and_are_sorted():
    specs = [case["claims"] for case in load_cases()]
    claims = []
    for n, spec in enumerate(specs):
        for row in make_claims(spec):
            row["doc_id"] = f"{n}-{row['doc_id']}"
            row["claim_id"] = f"{n}-{row['claim_id']}"
            claims.append(row)
    rows = check_claims(claims)
    assert rows and all(tuple(r) == CHECK_FIELDS for r in rows)
    assert all(r["status"] in ("consistent", "inconsistent") for r in rows)
    kinds = [CHECK_KINDS.index(r["check"]) for r in rows]
    assert kinds == sorted(kinds)
    assert set(CHECK_KINDS) == {r["check"] for r in rows}
    assert check_claims(list(reversed(claims))) == rows
    for row in rows:
        within = abs(row["observed"] - row["expected"]) <= row["tolerance"] * (1 + 1e-9) + 1e-9
        assert within == (row["status"] == "consistent"), row


def test_repeated_claims_count_once_and_changed_repeats_fail():
    claims = seed_claims()
    assert check_claims(claims + claims) == check_claims(claims)
    changed = dict(claims[0], value=1.0)
    with pytest.raises(SchemaError) as err:
        check_claims(claims + [changed])
    assert err.value.code == "E211"


@pytest.mark.parametrize("bad, field", [
    ({"value": "35"}, "value"), ({"sentence_index": "3"}, "sentence_index"), ({"qualifier": "roughly"}, "qualifier"),
    ({"metric": ""}, "metric"), ({"colour": "red"}, "colour"), ({"change": float("nan")}, "change"),
])
def test_bad_rows_name_the_field(bad, field):
    row = dict(seed_claims()[0], **bad)
    with pytest.raises(SchemaError) as err:
        parse_claim_row(row, "x.jsonl:4")
    assert err.value.code == "E210" and field in err.value.reason and "x.jsonl:4" in str(err.value)


def test_settings_from_mapping():
    assert CheckSettings.from_mapping({"min_segments": 4, "about_relative": 0.2}) \
        == CheckSettings(min_segments=4, about_relative=0.2)
    with pytest.raises(LexiconError) as err:
        CheckSettings.from_mapping({"min_segment": 4})
    assert err.value.code == "E320" and "min_segments" in err.value.reason
    with pytest.raises(LexiconError):
        CheckSettings.from_mapping({"min_segments": 2.5})


def test_min_segments_setting_is_used():
    claims = seed_claims()
    assert [r["check"] for r in check_claims(claims) if r["check"] == "segment_sum"] == ["segment_sum"]
    assert not [r for r in check_claims(claims, CheckSettings(min_segments=5)) if r["check"] == "segment_sum"]


# --- files ----------------------------------------------------------------

def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def conflict_files(tmp_path: Path) -> list[Path]:
    case = next(c for c in load_cases() if c["name"].startswith("two articles"))
    one, two = make_claims(case["claims"])
    one["sentence"] = "Acme made 12.4 billion dollars in the quarter."
    two["sentence"] = "Quarterly revenue at Acme came to 13.9 billion dollars."
    return [write_jsonl(tmp_path / "a.jsonl", [one]), write_jsonl(tmp_path / "b.jsonl", [two])]


def test_run_checks_writes_rows_and_summary(tmp_path):
    paths = conflict_files(tmp_path)
    summary = run_checks(paths, tmp_path / "out")
    written = [json.loads(line) for line in (tmp_path / "out" / "checks.jsonl").read_text().splitlines()]
    assert written == check_claims(json.loads(p.read_text()) for p in paths)
    assert summary.claims == 2 and summary.total == 1
    assert summary.counts["conflict"] == {"consistent": 0, "inconsistent": 1}
    assert [f.row["check"] for f in summary.inconsistent] == ["conflict"]
    assert sorted(c["doc_id"] for c in summary.inconsistent[0].claims) == ["one.txt", "two.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["checks.jsonl", "checks_summary.json"]
    text = format_summary(summary)
    assert "13.9 billion USD" in text and "12.4 billion USD" in text
    assert "Quarterly revenue at Acme came to 13.9 billion dollars." in text
    assert "conflict                    0             1" in text


def test_run_checks_replaces_its_output(tmp_path):
    paths = conflict_files(tmp_path)
    assert run_checks(paths, tmp_path).total == 1
    assert run_checks(paths[:1], tmp_path).total == 0
    assert (tmp_path / "checks.jsonl").read_text() == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "b.jsonl", "checks.jsonl", "checks_summary.json"]


def test_run_checks_skips_bad_rows_and_names_file_and_line(tmp_path):
    good = seed_claims()
    path = tmp_path / "claims.jsonl"
    lines = [json.dumps(r) for r in good[:2]] + ["{not json", json.dumps(dict(good[2], value="7"))] \
        + [json.dumps(r) for r in good[2:]] + [json.dumps(dict(good[0], value=1.0))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run_checks([path], tmp_path / "out")
    assert [(p.line, p.code) for p in summary.problems] == [(3, "E210"), (4, "E210"), (len(lines), "E211")]
    assert summary.claims == len(good)
    assert summary.counts["segment_sum"]["consistent"] == 1
    text = format_summary(summary)
    assert f"{path}:3:" in text and f"{path}:4: [E210]" in text
    from click.testing import CliRunner

    from pipeline.cli import main

    written = json.loads((tmp_path / "out" / "checks_summary.json").read_text(encoding="utf-8"))
    assert written["complete"] is False and written["input_rows_skipped"] == 3
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(tmp_path / "cli")])
    assert result.exit_code == 3 and "skipped" in result.stderr
    clean = tmp_path / "clean.jsonl"
    clean.write_text("".join(json.dumps(r) + "\n" for r in good), encoding="utf-8")
    run_checks([clean], tmp_path / "ok")
    assert json.loads((tmp_path / "ok" / "checks_summary.json").read_text(encoding="utf-8"))["complete"] is True


def test_run_checks_reports_undecodable_and_missing_files(tmp_path):
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(b'{"claim_id": "caf\xe9"}\n')
    summary = run_checks([bad], tmp_path / "out")
    assert [p.code for p in summary.problems] == ["E212"] and summary.claims == 0
    with pytest.raises(UsageError) as err:
        run_checks([tmp_path / "missing.jsonl"], tmp_path / "out2")
    assert err.value.code == "E410"


# --- properties: exact relations rounded to their stated precision are never flagged ----

def rounded(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def figure(doc: str, sentence: int, places: int, amount: Decimal, **fields) -> dict:
    """A claim stating ``amount`` billion yuan rounded to ``places`` decimals."""
    shown = rounded(amount, places)
    return dict(doc_id=doc, sentence_index=sentence, company="Acme", unit="CNY", period="2024-Q3",
                value=float(shown.scaleb(9)), value_text=f"{shown} billion yuan", **fields)


amounts = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("900"), places=4)
places = st.integers(min_value=0, max_value=3)


@hypothesis_settings(max_examples=150, deadline=None)
@given(part=amounts, rest=amounts, part_places=places, whole_places=places,
       share_places=st.integers(min_value=0, max_value=2))
def test_rounded_share_is_never_flagged(part, rest, part_places, whole_places, share_places):
    whole = part + rest
    share = rounded(Decimal(100) * part / whole, share_places)
    claims = make_claims([
        figure("s.txt", 0, whole_places, whole, metric="revenue"),
        figure("s.txt", 1, part_places, part, metric="revenue", segment="cloud"),
        dict(doc_id="s.txt", sentence_index=1, company="Acme", metric="revenue share", segment="cloud",
             unit="%", period="2024-Q3", value=float(share), value_text=f"{share}%"),
    ])
    rows = [r for r in check_claims(claims) if r["check"] == "share_of_total"]
    assert [r["status"] for r in rows] == ["consistent"], rows


@hypothesis_settings(max_examples=150, deadline=None)
@given(parts=st.lists(amounts, min_size=3, max_size=7), digits=st.lists(places, min_size=8, max_size=8))
def test_rounded_segments_never_flagged(parts, digits):
    total = sum(parts)
    specs = [figure("g.txt", 0, digits[-1], total, metric="revenue")]
    specs += [figure("g.txt", 1, digits[i], p, metric="revenue", segment=f"line {chr(97 + i)}")
              for i, p in enumerate(parts)]
    rows = [r for r in check_claims(make_claims(specs)) if r["check"] == "segment_sum"]
    assert [r["status"] for r in rows] == ["consistent"], rows


@hypothesis_settings(max_examples=150, deadline=None)
@given(prior=amounts, now=amounts, prior_places=places, now_places=places,
       change_places=st.integers(min_value=0, max_value=2), basis=st.sampled_from(["from_value", "yoy"]))
def test_rounded_change_is_never_flagged(prior, now, prior_places, now_places, change_places, basis):
    change = rounded(Decimal(100) * (now / prior - 1), change_places)
    direction = "increase" if change > 0 else "decrease" if change < 0 else "flat"
    claims = make_claims([
        figure("c.txt", 4, now_places, now, metric="revenue", change=float(change), change_text=f"{abs(change)}%",
               change_unit="%", change_basis=basis, direction=direction),
        dict(figure("c.txt", 4 if basis == "from_value" else 9, prior_places, prior, metric="revenue"),
             period="2023-Q3"),
    ])
    rows = check_claims(claims)
    assert [r["status"] for r in rows if r["check"] == "change_vs_prior"] == ["consistent"], rows
    assert all(r["status"] == "consistent" for r in rows), rows


@hypothesis_settings(max_examples=150, deadline=None)
@given(prior=amounts, now=amounts, level_places=places, change_places=st.integers(min_value=0, max_value=2),
       abs_places=places)
def test_rounded_absolute_change_is_never_flagged(prior, now, level_places, change_places, abs_places):
    pct = rounded(Decimal(100) * (now / prior - 1), change_places)
    assume(pct > -99)  # at -100% the prior level is undefined: nothing to check
    delta = rounded(now - prior, abs_places)
    claims = make_claims([
        figure("a.txt", 2, level_places, now, metric="shipments", change=float(pct), change_text=f"{abs(pct)}%",
               change_unit="%", change_basis="yoy"),
        dict(doc_id="a.txt", sentence_index=7, company="Acme", metric="shipments", unit="CNY", period="2024-Q3",
             change=float(delta.scaleb(9)), change_text=f"{abs(delta)} billion yuan", change_unit="CNY",
             change_basis="yoy"),
    ])
    rows = [r for r in check_claims(claims) if r["check"] == "change_abs_vs_pct"]
    assert [r["status"] for r in rows] == ["consistent"], rows


def test_check_command(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    paths = conflict_files(tmp_path)
    result = CliRunner().invoke(main, ["check", *map(str, paths), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Inconsistent (1):" in result.output and "13.9 billion USD" in result.output
    rows = [json.loads(line) for line in (tmp_path / "out" / "checks.jsonl").read_text().splitlines()]
    assert [(r["check"], r["status"]) for r in rows] == [("conflict", "inconsistent")]
    missing = CliRunner().invoke(main, ["check", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "does not exist" in missing.output


@hypothesis_settings(max_examples=150, deadline=None)
@given(amount=amounts, digits=st.lists(places, min_size=2, max_size=4), about=st.booleans())
def test_one_figure_rounded_differently_is_never_a_conflict(amount, digits, about):
    specs = [figure(f"{n}.txt", n, d, amount, metric="revenue") for n, d in enumerate(digits)]
    if about:
        specs[0].update(qualifier="about", value_text="about " + specs[0]["value_text"])
    rows = [r for r in check_claims(make_claims(specs)) if r["check"] == "conflict"]
    assert len(rows) == len(digits) - 1
    assert all(r["status"] == "consistent" for r in rows), rows


# ---------------------------------------------------------------------------
# The file runner's compact records and streamed rows give check_claims' rows


def every_case_claim() -> list[dict]:
    """The claims of every case, each case an article of its own (ids made unique per case)."""
    rows = []
    for n, case in enumerate(load_cases()):
        for row in make_claims(case["claims"]):
            doc = f"case{n}/{row['doc_id']}"
            rows.append(dict(row, doc_id=doc, claim_id=f"{doc}:{row['claim_id'].split(':', 1)[1]}"))
    return rows


def test_run_checks_gives_check_claims_rows_for_odd_ids_left_out_fields_and_repeats(tmp_path):
    rows = every_case_claim()
    rows[0] = dict(rows[0], claim_id="not-the-schema-form")  # an id that is not "{doc}:{sentence}:{k}"
    rows[1] = dict(rows[1], claim_id=f"{rows[1]['doc_id']}:{rows[1]['sentence_index']}:007")  # nor this
    lean = [{k: v for k, v in row.items() if v is not None or k in ("value", "change")} for row in rows]
    lean[2] = dict(lean[2], start=float(lean[2]["start"]), end=float(lean[2]["end"]))  # only parse_claim_row's
    first = write_jsonl(tmp_path / "first.jsonl", lean)
    again = write_jsonl(tmp_path / "again.jsonl", [rows[3], dict(rows[4], value=(rows[4]["value"] or 0) + 1)])
    summary = run_checks([first, again, first], tmp_path / "out")
    written = [json.loads(line) for line in (tmp_path / "out" / "checks.jsonl").read_text().splitlines()]
    from pipeline.checks import set_aside

    kept, not_checked = set_aside(check_claims(rows), [parse_claim_row(r) for r in rows], CheckSettings())
    assert written == kept and summary.not_checked == not_checked
    assert summary.claims == len(rows) and summary.duplicates == len(rows) + 1
    assert [(p.path, p.line, p.code) for p in summary.problems] == [(str(again), 2, "E211")]
    shown = [json.loads(line) for line in (tmp_path / "out" / "checks.jsonl").read_text().splitlines()
             if json.loads(line)["status"] == "inconsistent"]
    assert [f.row for f in summary.inconsistent] == shown and len(shown) > 2
    by_id = {row["claim_id"]: row for row in rows}
    for flagged in (summary.inconsistent[0], summary.inconsistent[-1], *summary.inconsistent[1:3]):
        assert [c["claim_id"] for c in flagged.claims] == flagged.row["claim_ids"]
        assert [c["sentence"] for c in flagged.claims] == [by_id[i]["sentence"] for i in flagged.row["claim_ids"]]


def test_claims_remembered_by_the_hash_of_their_id_are_told_apart_when_two_ids_share_it():
    from pipeline.check_files import SeenIds
    from pipeline.checks import CheckSettings, _FigMaker

    maker = _FigMaker(CheckSettings())
    one, two = (maker.make(dict(row, claim_id=cid)) for row, cid in
                zip(seed_claims(), ["x.txt:1:0", "another id"]))
    seen = SeenIds(hash_of=lambda claim_id: 7)  # every id has one hash
    seen.add("x.txt:1:0", one)
    assert seen.get("x.txt:1:0") is one and seen.get("another id") is None
    seen.add("another id", two)
    assert seen.get("another id") is two and seen.get("x.txt:1:0") is one and len(seen) == 2


def test_a_claim_id_in_the_schemas_form_is_made_again_from_the_claims_place():
    from pipeline.checks import CheckSettings, _claim_number, _FigMaker

    assert _claim_number("a.txt:3:12", "a.txt", 3) == 12
    assert _claim_number("a.txt:3:012", "a.txt", 3) == "a.txt:3:012"
    assert _claim_number("a.txt:4:1", "a.txt", 3) == "a.txt:4:1"
    assert _claim_number("b:c.txt:3:1", "b:c.txt", 3) == 1
    assert _claim_number("a.txt:3:²", "a.txt", 3) == "a.txt:3:²"
    row = seed_claims()[0]
    fig = _FigMaker(CheckSettings()).make(row)
    assert fig.id == row["claim_id"] and fig._id != row["claim_id"]


def test_the_terminal_summary_shows_a_bounded_number_of_inconsistencies(tmp_path):
    from pipeline.checks import summary_lines

    summary = run_checks(conflict_files(tmp_path), tmp_path / "out")
    summary.inconsistent = [summary.inconsistent[0]] * 60
    lines = list(summary_lines(summary, max_shown=50))
    assert sum(1 for line in lines if line.startswith(("1. [", "50. [", "51. ["))) == 2
    assert f"... and 10 more, all in {summary.out_path}" in lines


def test_the_same_article_twice_is_no_conflict_between_its_copies() -> None:
    # a syndicated story in two folders: each copy states both values (a segment the extractor
    # missed); the difference is the article's own, compared within it and set aside, not reported
    specs = [{"doc_id": doc, "sentence_index": i, "company": "Acme", "metric": "revenue", "value": value,
              "value_text": text, "unit": "USD", "period": "2024-Q2"}
             for doc in ("x/a.txt", "y/a.txt") for i, (value, text) in enumerate([(12.4e9, "$12.4 billion"),
                                                                                  (1.0e9, "$1 billion")])]
    rows = [r for r in check_claims(make_claims(specs)) if r["check"] == "conflict"]
    inconsistent = [r for r in rows if r["status"] == "inconsistent"]
    assert inconsistent and all(len({cid.split(":")[0] for cid in r["claim_ids"]}) == 1 for r in inconsistent)
    other = [dict(s, doc_id="z/b.txt", value=13.9e9, value_text="$13.9 billion") for s in specs[:1]]
    rows = [r for r in check_claims(make_claims(specs[:2] + other)) if r["check"] == "conflict"]
    assert any(r["status"] == "inconsistent" and {c.split(":")[0] for c in r["claim_ids"]} == {"x/a.txt", "z/b.txt"}
               for r in rows)  # another article's own value still conflicts


# --------------------------------------------------------------------------
# The claim records of a large run: whole rows taken in one call, figures' intervals cached


def _whole_row(**fields) -> dict:
    row = make_claims([{"doc_id": "d", "sentence_index": 0, "metric": "revenue", "company": "Acme",
                        "value": 5e9, "value_text": "5 billion", "unit": "USD", "period": "2024"}])[0]
    row.update(fields)
    return row


def _fig_fields(fig) -> tuple:
    return (fig.id, fig.doc_id, fig.sentence_index, fig.start, fig.key, fig.stated_unit, fig.stated_change_unit,
            fig.change_unit, fig.change_basis, fig.direction, fig.qualifier, fig.actual, fig.unsure,
            fig.value, fig.change)


@pytest.mark.parametrize("fields", [{}, {"qualifier": "about"}, {"change": 12.0, "change_unit": "%"},
                                    {"modality": "forecast", "confidence": 0.1}, {"value": None}])
def test_a_row_with_fields_left_out_makes_the_same_claim_record(fields):
    from pipeline.checks import _FigMaker

    whole = _whole_row(**fields)
    sparse = {k: v for k, v in whole.items() if v is not None and k not in ("start", "end", "sentence")}
    settings = CheckSettings()
    assert _fig_fields(_FigMaker(settings).make(whole)) == _fig_fields(_FigMaker(settings).make(sparse))


def test_zero_and_minus_zero_keep_their_sign_through_the_interval_cache():
    from pipeline.checks import _FigMaker

    maker = _FigMaker(CheckSettings())
    plus = maker.make(_whole_row(value=0.0, value_text="0"))
    minus = maker.make(_whole_row(value=-0.0, value_text="0", claim_id="d:0:1"))
    assert str(plus.value.mid) == "0.0" and str(minus.value.mid) == "-0.0"


def test_the_interval_cache_gives_the_interval_worked_out_and_stays_bounded(monkeypatch):
    from pipeline import checks
    from pipeline.checks import _FigMaker, _stated_interval

    monkeypatch.setattr(checks, "_INTERVAL_CACHE", 3)
    settings = CheckSettings()
    maker = _FigMaker(settings)
    for n in range(1, 8):
        fig = maker.make(_whole_row(value=n * 1e6, value_text=f"{n} million", qualifier="about"))
        assert fig.value == _stated_interval(n * 1e6, None, "about", f"{n} million", "USD", settings)
        assert len(maker._intervals) <= 3


@pytest.mark.parametrize("fields", [{"claim_id": ""}, {"doc_id": 3}, {"metric": None}, {"sentence_index": True},
                                    {"qualifier": "roughly"}, {"modality": "maybe"}, {"direction": "sideways"},
                                    {"change_basis": "wow"}, {"start": 5, "end": 4}, {"start": -1},
                                    {"confidence": "high"}, {"value": float("inf")}, {"change": "3"},
                                    {"company": 7}, {"unit": ["USD"]}, {"period": 2024}])
def test_a_whole_row_is_judged_as_a_sparse_one(fields):
    from pipeline.checks import _plainly_valid

    whole = _whole_row(**fields)
    assert not _plainly_valid(whole)
    sparse = dict(whole, **fields)
    sparse.pop("sentence")  # one field left out: the field-by-field path
    assert not _plainly_valid(sparse)
    assert _plainly_valid(_whole_row()) and _plainly_valid({k: v for k, v in _whole_row().items() if k != "sentence"})


def test_no_conflict_between_figures_with_no_company_and_no_segment():
    # "Revenue at Plumbrook rose to $10 million" / "Sales at Brightvane rose to $300 million", with
    # both companies unknown to the extractor: not one quantity stated twice
    specs = [dict(doc_id=doc, sentence_index=0, company=None, metric="revenue", value=value, unit="USD",
                  period="2024-Q3", value_text=text)
             for doc, value, text in (("one.txt", 10e6, "$10 million"), ("five.txt", 300e6, "$300 million"))]
    assert [r for r in check_claims(make_claims(specs)) if r["check"] == "conflict"] == []
    specs[1]["segment"] = specs[0]["segment"] = "global smartphone market"  # a named market still conflicts
    rows = [r for r in check_claims(make_claims(specs)) if r["check"] == "conflict"]
    assert rows and {r["status"] for r in rows} == {"inconsistent"}
