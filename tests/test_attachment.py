"""The attachment model: candidates, fitting, the model file, confidence, cross-validation."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from pipeline import evaluate
from pipeline.attachment import SLOTS
from pipeline.attachment.crossval import cross_validate, reliability_table
from pipeline.attachment.model import AttachmentModel
from pipeline.attachment.training import GoldSet, _conditional_logit, fold_of, train, training_sets
from pipeline.build import make_nlp
from pipeline.checks import CheckSettings, set_aside
from pipeline.claim import Claim
from pipeline.config import PROJECT_DIR, load_settings
from pipeline.errors import LexiconError

SHARED_DEV = PROJECT_DIR.parent / "shared" / "dev"


def _claims(nlp, text: str, doc_date: str | None = None) -> list[dict]:
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"], doc.user_data["doc_date"] = "case.txt", doc_date
    return nlp(doc).user_data["claims"]


def _collecting_nlp():
    from pipeline.attachment.model import Attacher

    settings = load_settings()
    settings.claims["attachment_model"] = ""
    nlp = make_nlp(settings)
    nlp.get_pipe("figures_claims").attacher = Attacher(None, str(settings.models_dir), collect=True)
    return nlp


def test_conditional_logit_prefers_the_feature_that_marks_the_right_candidate() -> None:
    # three groups of two candidates; feature 0 marks the right one, feature 1 the wrong one
    x = sp.csr_matrix(np.array([[1, 0], [0, 1], [0, 1], [1, 0], [1, 1], [0, 1]], dtype=float))
    y = np.array([1, 0, 0, 1, 1, 0], dtype=float)
    starts = np.array([0, 2, 4])
    w = _conditional_logit(x, y, starts, regularization=1.0)
    assert w[0] > 0 > w[1] and w[0] - w[1] > 1.0
    assert np.array_equal(w, _conditional_logit(x, y, starts, regularization=1.0))  # deterministic


def test_model_file_round_trips_and_rejects_another_version(tmp_path: Path) -> None:
    model = AttachmentModel({s: {"src=mention": 1.25, "none": -0.5} for s in SLOTS} | {"claim": {"kind=money": 2.0}},
                            {s: 0.0 for s in SLOTS} | {"claim": -1.0}, [0.1, 0.5], [0.2, 0.8], {"articles": 2})
    path = tmp_path / "m.json"
    path.write_text(model.to_json(), encoding="utf-8")
    back = AttachmentModel.load(path)
    assert back.to_json() == model.to_json()
    assert back.calibrate(0.3) == pytest.approx(0.5)  # linear between (0.1, 0.2) and (0.5, 0.8)
    assert back.calibrate(0.0) == 0.2 and back.calibrate(1.0) == 0.8
    path.write_text(json.dumps({"version": 99}), encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        AttachmentModel.load(path)
    assert err.value.code == "E320" and str(path) in str(err.value)


def test_a_missing_model_file_is_an_error_naming_it(tmp_path: Path) -> None:
    settings = load_settings()
    settings.claims["attachment_model"] = str(tmp_path / "absent.json")
    with pytest.raises(LexiconError) as err:
        make_nlp(settings)
    assert err.value.code == "E320" and "absent.json" in str(err.value)


def test_every_claim_carries_a_confidence_from_0_to_1() -> None:
    nlp = make_nlp(load_settings())
    claims = _claims(nlp, "Orbit Mobile reported revenue of 42.3 billion yuan in the first quarter of 2024, "
                          "up 12.5% year-on-year. Its smartphone shipments fell 3% to 11.2 million units.",
                     "2024-05-20")
    assert len(claims) == 2
    assert all(0.0 <= c["confidence"] <= 1.0 for c in claims)
    assert set(Claim.from_dict(claims[0]).to_dict()) == set(claims[0])  # the row is schema v1.1


def test_a_person_and_a_country_are_candidates_the_features_mark_as_such() -> None:
    nlp = _collecting_nlp()
    # (not "Paysetu's revenue ... rose to": a possessive owner of the metric is decided by the grammar)
    claims = _claims(nlp, "Chief executive Maria Lopes said revenue at Paysetu in Brazil rose to $41 million.")
    company = dict(claims[0]["_candidates"]["company"])
    assert company["Maria Lopes"].get("person_like") == 1.0
    assert company["Brazil"].get("place_like") == 1.0
    assert "Paysetu" in company and None in company  # the name read from the text, and NONE


def test_the_company_whose_possessive_names_the_metric_owns_the_figure() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "ASML reported revenue of 6.9 billion euros. Apple's revenue in China fell 3% to $17.8 billion, "
                          "while Samsung shipped 58 million phones.")
    apple, samsung = (next(c for c in claims if c["value"] == v) for v in (17.8e9, 58e6))
    assert [v for v, _ in apple["_candidates"]["company"]] == ["Apple"]  # the grammar decides
    assert len(samsung["_candidates"]["company"]) > 1  # another clause, no possessive: the model weighs


def test_a_unit_named_by_the_companys_name_is_a_segment_candidate() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Nykaa Fashion posted revenue growth of 22 per cent. MTN Group booked charges of ZAR 1.7 billion "
                          "on MTN Sudan.")
    values = [{v for v, _ in c["_candidates"]["segment"]} for c in claims]
    assert "nykaa fashion" in values[0] and "mtn sudan" in values[1]
    assert not any(v and v.endswith(" group") for v in values[1])  # a legal or group word names no unit


def test_a_modifier_the_metric_name_holds_is_no_segment() -> None:
    nlp = _collecting_nlp()
    claim = _claims(nlp, "Zomato IPO subscribed 38.25 times on the last day.", "2021-07-16")[0]
    assert claim["metric"] == "ipo subscription"
    assert [v for v, _ in claim["_candidates"]["segment"]] == [None]  # not "ipo": the metric says it


def test_a_currency_prefix_is_no_company_name() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Net profit of Kestrel Semiconductor rose to NT$6.87 billion from NT$5.06 billion.")
    company = dict(claims[0]["_candidates"]["company"])
    assert "NT" not in company and "Kestrel Semiconductor" in company


def test_the_articles_own_yearless_quarter_is_a_candidate_for_every_figure() -> None:
    nlp = _collecting_nlp()
    text = ("Oracle beat estimates for the fiscal fourth quarter, which ended May 31.\n"
            "- Revenue: $15.9 billion vs. $15.59 billion expected\n"
            "Revenue will rise 16% in fiscal 2026, after 8% growth in fiscal 2025.")
    bullet = next(c for c in _claims(nlp, text) if c["value"] == 15.9e9)
    values = {v for v, _ in bullet["_candidates"]["period"]}
    assert {"FY2025-Q4", "FY2026-Q4"} <= values


def test_period_candidates_include_the_fiscal_naming_and_the_year_earlier_for_a_prior() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Revenue rose to $5.1 billion in the first quarter of 2024 from $4.2 billion.")
    prior = next(c for c in claims if c["value"] == 4.2e9)
    values = {v for v, _ in prior["_candidates"]["period"]}
    assert {"2024-Q1", "2023-Q1", "FY2024-Q1"} <= values


def test_a_priors_own_period_words_are_read_against_its_levels_period() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Revenue rose to $5.1 billion in the first quarter of 2024 from $4.2 billion a year earlier.")
    prior = next(c for c in claims if c["value"] == 4.2e9)
    # "a year earlier" right after the figure is its own period: the grammar decides
    assert {v for v, _ in prior["_candidates"]["period"]} == {"2023-Q1"}


def test_the_noun_before_of_is_a_metric_candidate_unless_it_says_how_much() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Corvid Systems reported remaining performance obligations of $2.4 billion. "
                          "The price is set in the range of 260,000 to 300,000 yuan.")
    rpo, price = (next(c for c in claims if c["value"] == v) for v in (2.4e9, 260000))
    assert ("remaining performance obligations", "np_of") in {
        (v, s[4:]) for v, f in rpo["_candidates"]["metric"] for s in f if s.startswith("src=")}
    assert "range" not in {v for v, _ in price["_candidates"]["metric"]}


def test_the_nouns_right_after_a_figure_are_a_metric_candidate() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Corvid handled 1.5 billion daily search queries and 15 million daily chat sessions "
                          "with its assistant. Corvid has a $3 billion annual revenue run rate.")
    srcs = {c["value"]: {(v, s[4:]) for v, f in c["_candidates"]["metric"] for s in f if s.startswith("src=")}
            for c in claims}
    assert ("daily search queries", "np_noun_after") in srcs[1.5e9]
    assert ("daily chat sessions", "np_noun_after") in srcs[15e6]  # cut before "with"
    assert ("annual revenue run rate", "np_noun_after") in srcs[3e9]


def test_the_subject_of_the_figures_verb_is_read_past_a_change_and_after_a_reporting_verb() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "The loan book expanded 83.2% year over year to $11.02 billion. "
                          "Corvid said average paid memberships rose to 12 million. "
                          "The number of active merchants grew to 4.1 million.")
    srcs = {c["value"]: {(v, s[4:]) for v, f in c["_candidates"]["metric"] for s in f if s.startswith("src=")}
            for c in claims if c.get("value")}
    assert ("loan book", "np_subject") in srcs[11.02e9]
    assert ("average paid memberships", "np_subject") in srcs[12e6]
    assert ("active merchants", "np_subject") in srcs[4.1e6]


def test_a_comparison_figure_is_offered_its_levels_decided_values() -> None:
    nlp = make_nlp(load_settings())
    from pipeline.attachment.model import Attacher

    builder = nlp.get_pipe("figures_claims")
    model = builder.attacher.model
    builder.attacher = Attacher(model, str(load_settings().models_dir), collect=True)
    claims = _claims(nlp, "Orders per active buyer edged up to 3.4 from 3.3, but the average basket size "
                          "slipped to €41.5 from €43.0.", "2023-02-10")
    level, prior = (next(c for c in claims if c["value"] == v) for v in (41.5, 43.0))
    metric = {v: f for v, f in prior["_candidates"]["metric"]}
    # the level was decided first; its metric and company, and the
    # subject of its verb, are the prior's candidates
    assert [v for v, f in metric.items() if "src=level" in f] == [level["metric"]]
    assert "src=np_level_subject" in metric["average basket size"]
    assert "src=level" in dict(prior["_candidates"]["company"])[level["company"]]


@pytest.mark.parametrize("text", [
    "Net sales in Q3 2015 were EUR 3.0 billion (EUR 3.1 billion in Q3 2014). Operating profit rose 4 percent.",
    "Revenue in Q3 2014 was EUR 3.1 billion. Net sales in Q3 2015 were EUR 3.0 billion. Operating profit rose 4 percent.",
])
def test_the_articles_main_period_is_not_a_comparison_and_of_two_the_later(text: str) -> None:
    nlp = _collecting_nlp()
    rise = next(c for c in _claims(nlp, text, "2015-10-29") if c["change"] == 4)
    # a period named as a comparison does not count; of two named as often, news reports the later
    assert [v for v, f in rise["_candidates"]["period"] if "src=article0" in f] == ["2015-Q3"]


def test_a_reported_quarter_has_ended_by_the_publication_date() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Microsoft reported revenue of $19.95 billion for the second quarter of 2011.", "2011-01-27")
    values = {v for v, _ in claims[0]["_candidates"]["period"]}
    # a calendar Q2 2011 ends in June 2011, after the story: the fiscal quarter is what was reported
    assert "2011-Q2" not in values and "FY2011-Q2" in values
    forecast = _claims(nlp, "Microsoft expects revenue of $20 billion for the second quarter of 2011.", "2011-01-27")
    assert "2011-Q2" in {v for v, _ in forecast[0]["_candidates"]["period"]}  # a forecast may be of one to come


def test_a_change_basis_is_no_period_of_the_level_or_the_change() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Kestrel's first-quarter revenue of 2024 was $5.1 billion. In 2023, revenue rose to $4.8 billion, "
                          "climbing 12 percent from a year earlier.", "2024-05-02")
    level = next(c for c in claims if c["value"] == 4.8e9)
    mentioned = {v for v, f in level["_candidates"]["period"] if "src=mention" in f}
    # "from a year earlier" is the change's basis (the grammar decides): it names no period of the
    # figure (2022 may still come as the year-earlier variant of 2023, with its own features)
    assert mentioned == {"2023"}


def test_a_descriptor_subject_is_the_articles_company_not_the_one_named_last() -> None:
    # the rules carry the company named last (SoftBank); the model weighs the descriptor
    # ("The telecoms operator's") against the article's most named company
    nlp = make_nlp(load_settings())
    text = ("Kestrel Telekom raises 2022 outlook as quarterly revenue rises\n\nKestrel Telekom raised its outlook "
            "on Thursday. Last month, Kestrel Telekom bought additional shares in T-Mobile from SoftBank. The telecoms "
            "operator's first-quarter revenue increased by 6.2% to 28 billion euros.")
    claim, = _claims(nlp, text, "2022-05-12")
    assert claim["company"] == "Kestrel Telekom"
    row, = _claims(_collecting_nlp(), text, "2022-05-12")
    feats = dict(row["_candidates"]["company"])
    assert "descriptor_subject|is_top=True" in feats["Kestrel Telekom"]
    assert "descriptor_subject|is_top=False" in feats["SoftBank"]


def test_labels_follow_the_scorer(tmp_path: Path) -> None:
    from pipeline.attachment.training import label

    nlp = _collecting_nlp()
    text = "Kestrel Semiconductor reported revenue of $12.4 billion for the second quarter of 2024."
    rows = _claims(nlp, text)
    gold = [{"doc_id": "case.txt", "start": rows[0]["start"], "end": rows[0]["end"], "value": 12.4e9,
             "company": "Kestrel", "metric": "revenue", "segment": None, "period": "2024-Q2"}]
    ex = label(rows, gold)
    assert ex.matched == 1
    for slot in SLOTS:
        (feats, labels), = ex.groups[slot]
        values = [v for v, _ in rows[0]["_candidates"][slot]]
        right = {v for v, y in zip(values, labels) if y}
        assert right == {v for v in values if evaluate.field_ok(slot, gold[0], {slot: v if v is not None or slot != "metric" else "unknown"})}
    assert "Kestrel Semiconductor" in {v for v, y in zip([v for v, _ in rows[0]["_candidates"]["company"]],
                                                      ex.groups["company"][0][1]) if y}


def test_folds_are_dealt_round_robin_in_sorted_order() -> None:
    assert fold_of(["c", "a", "b", "d"], 2) == {"a": 0, "b": 1, "c": 0, "d": 1}


def test_reliability_table_counts_each_claim_once() -> None:
    table = reliability_table([0.1, 0.55, 0.92, 1.0, 0.95], [False, True, True, True, False])
    assert sum(n for _, _, n, _, _ in table) == 5
    top = table[-1]
    assert (top[2], top[3]) == (2, 1)  # 0.95 and 1.0 in the last bin, one of them right


def test_uncertain_relations_and_conflicts_within_an_article_are_set_aside() -> None:
    def claim(cid, doc, value, confidence, segment=None):
        return Claim(claim_id=cid, doc_id=doc, doc_date=None, sentence_index=0, sentence="s", start=0, end=1,
                     company="A", metric="revenue", value=value, unit="USD", period="2024-Q1",
                     segment=segment, confidence=confidence)
    claims = [claim("a:0:0", "a", 1e9, 0.9), claim("a:1:0", "a", 2e9, 0.9), claim("b:0:0", "b", 3e9, 0.05)]
    rows = [{"check": "conflict", "claim_ids": ["a:0:0", "a:1:0"], "status": "inconsistent"},
            {"check": "conflict", "claim_ids": ["a:0:0", "b:0:0"], "status": "inconsistent"},
            {"check": "direction_sign", "claim_ids": ["a:0:0"], "status": "consistent"}]
    kept, counts = set_aside(rows, claims, CheckSettings(min_confidence=0.2))
    assert kept == rows[2:]
    assert counts == {"attachment_uncertain": 1, "missed_segment_possible": 1}


def test_cross_validation_on_the_corpus_scores_held_out_articles() -> None:
    settings = load_settings()
    corpus = GoldSet.read(PROJECT_DIR / "corpus" / "articles", PROJECT_DIR / "corpus" / "gold.jsonl", settings)
    cv = cross_validate(corpus, [], settings, folds=2)
    result = evaluate.score(corpus.gold, cv.predictions)
    assert result.matched > 0.9 * result.gold  # the figures are found whichever model attaches them
    assert all(r.get("confidence") is not None for r in cv.predictions)
    assert {r["doc_id"] for r in cv.predictions} <= {a.doc_id for a in corpus.articles}


@pytest.mark.skipif(not SHARED_DEV.is_dir(), reason="../shared/dev is not beside the repository")
def test_train_rebuilds_the_shipped_model_byte_for_byte(tmp_path: Path) -> None:
    settings = load_settings()
    out = tmp_path / "attachment.json"
    train(training_sets(settings), settings, out, settings.training["folds"], settings.training["regularization"])
    shipped = Path(settings.models_dir) / settings.claims["attachment_model"]
    assert out.read_bytes() == shipped.read_bytes()


@pytest.mark.parametrize("definition,metric", [
    ("gross merchandise value (GMV)", "gross merchandise value"),
    ("gross merchandise volume (GMV)", "gross merchandise volume"),
])
def test_an_abbreviation_means_what_the_article_defines_it_as(definition: str, metric: str) -> None:
    nlp = make_nlp(load_settings())
    doc = nlp(nlp.make_doc(f"Its {definition} rose 25% to $3 billion. Fashion GMV rose 10% to $1 billion."))
    assert [(m.text, m.label_) for m in doc.spans["metrics"]] == [
        (definition.split(" (")[0], metric), ("GMV", metric), ("GMV", metric)]


@pytest.mark.parametrize("name", ["Flipkart India Pvt. Ltd", "Grab Holdings Pte. Ltd", "Acme Corp."])
def test_a_legal_form_s_period_ends_no_sentence(name: str) -> None:
    nlp = make_nlp(load_settings())
    doc = nlp(nlp.make_doc(f"{name} reported a loss of Rs 281.7 crore. Revenue rose 5%."))
    assert [s.text for s in doc.sents][0] == f"{name} reported a loss of Rs 281.7 crore."


@pytest.mark.parametrize("text,market", [
    ("Worldwide PC shipments fell 1.5% to 70.2 million units in the fourth quarter.", "global pc market"),
    ("According to Canalys, the Indian smartphone shipments came in at 27 million units.", "india smartphone market"),
])
def test_a_market_metric_s_geography_modifier_is_a_market_candidate(text: str, market: str) -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, text)
    segments = dict(claims[-1]["_candidates"]["segment"])
    assert segments[market].get("src=modifier_market") == 1.0


def test_a_company_s_own_move_is_a_share_price_candidate() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Why Is Corvid Systems (CRVD) Down 13.9% Since Last Earnings Report?")
    metrics = dict(claims[0]["_candidates"]["metric"])
    assert metrics["share price"].get("src=name_moved") == 1.0


def test_a_metric_word_after_after_names_what_was_taken_off() -> None:
    nlp = make_nlp(load_settings())
    doc = nlp(nlp.make_doc("Its net profit after zakat and tax amounted to 2.85 billion riyals."))
    assert [(m.text, m.label_) for m in doc.spans["metrics"]] == [("net profit", "net profit")]


def test_respectively_gives_the_nth_figure_the_nth_company() -> None:
    nlp = make_nlp(load_settings())
    claims = _claims(nlp, "Lenovo and HP reported operating margins of 5.1% and 8.2%, respectively, in the quarter.")
    assert [(c["company"], c["value"]) for c in claims] == [("Lenovo", 5.1), ("HP", 8.2)]


def test_a_specific_metric_in_the_sentence_refines_the_general_one() -> None:
    nlp = make_nlp(load_settings())
    doc = nlp(nlp.make_doc("Corvid raises $4.72 billion from its Hong Kong IPO. Pellan raised $30 million in a Series B round."))
    assert [(m.text, m.label_) for m in doc.spans["metrics"]] == [
        ("raises", "ipo proceeds"), ("IPO", "ipo proceeds"), ("raised", "funding"), ("Series B round", "funding")]


def test_a_figure_in_a_relative_clause_is_its_subject_s() -> None:
    nlp = make_nlp(load_settings())
    claims = _claims(nlp, "This puts Lenovo ahead of HP, which shipped 13.2 million units (21% market share), "
                          "in the third quarter of 2023.")
    assert [(c["company"], c["value"]) for c in claims] == [("HP", 13200000), ("HP", 21)]


def test_a_figure_in_a_fronted_with_phrase_is_the_following_subject_s() -> None:
    nlp = make_nlp(load_settings())
    claims = _claims(nlp, "Lenovo led the market in the second quarter of 2023. "
                          "With 4 million shipments and a 16% market share, HP comes in third.")
    assert [(c["company"], c["value"]) for c in claims[-2:]] == [("HP", 4000000), ("HP", 16)]


def test_its_in_a_later_clause_is_the_one_company_named_before() -> None:
    nlp = make_nlp(load_settings())
    claims = _claims(nlp, "Lenovo kept first place in the second quarter of 2023. Second-placed HP's shipments fell "
                          "4 per cent, reducing its market share 3 percentage points to 20 per cent.")
    assert [(c["company"], c["value"], c["change"]) for c in claims[-2:]] == [("HP", None, -4), ("HP", 20, -3)]


def test_the_calibration_s_top_step_pools_enough_held_out_claims() -> None:
    from pipeline.attachment.training import _pooled_top

    xs, ys = [0.1, 0.5, 0.8, 0.9], [0.2, 0.5, 0.6, 1.0]
    raws = [0.1] * 10 + [0.5] * 10 + [0.8] * 10 + [0.9] * 3
    rights = [False] * 8 + [True] * 2 + [True] * 5 + [False] * 5 + [True] * 6 + [False] * 4 + [True] * 3
    # the top step (3 claims, all right) is pooled with the one below: 9 of 13 right, read as the
    # lower end of its one-sided 90% Wilson interval (z = 1.2816), not the share itself
    p, n, z = 9 / 13, 13, 1.2815516
    low = (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)
    got_x, got_y = _pooled_top(xs, ys, raws, rights, 10)
    assert got_x == [0.1, 0.5, 0.8, 0.9] and got_y[:2] == [0.2, 0.5]
    assert got_y[2] == got_y[3] == pytest.approx(low, abs=1e-6) and 0.5 < low < 9 / 13
    assert _pooled_top(xs, ys, raws, rights, 0) == (xs, ys)


@pytest.mark.parametrize("phrase,named", [("segment", False), ("monthly average", False), ("shares tank", False),
                                          ("earnings", False), ("food delivery", True), ("server networking", True)])
def test_words_that_name_no_segment_are_no_segment_candidate(phrase: str, named: bool) -> None:
    from pipeline.attachment.features import word_lists
    from pipeline.attachment.segment import _no_segment

    assert _no_segment(phrase, word_lists(str(load_settings().models_dir))) is not named


def test_a_ticker_used_as_a_name_is_the_company_it_abbreviates() -> None:
    nlp = _collecting_nlp()
    claims = _claims(nlp, "Spotify grew its subscriber base to 268 million in Q1 2025. In its filing, SPOT reported "
                          "263 million subscribers at the end of the prior quarter.")
    companies = dict(claims[-1]["_candidates"]["company"])
    assert companies["Spotify"].get("src=mention") == 1.0  # the mention "SPOT" is read as Spotify


def test_no_metric_pattern_is_shadowed_by_another_entry() -> None:
    """A pattern listed under two metrics is read as whichever the matcher keeps; only the verb
    "cost(s)" is listed twice on purpose (a price, "the top model costs ¥289,800", or expenses)."""
    from collections import defaultdict

    from pipeline.lexicons import load_metrics

    owners = defaultdict(set)
    for entry in load_metrics():
        for pattern in entry.patterns:
            owners[(pattern.lower(), entry.after)].add(entry.metric)
    assert {p for (p, _), metrics in owners.items() if len(metrics) > 1} == {"cost", "costs"}


def test_a_company_name_moving_leaves_only_the_share_price() -> None:
    nlp = _collecting_nlp()
    row = _claims(nlp, "Why Is Oracle (ORCL) Down 13.9% Since Last Earnings Report?")[0]
    assert {v for v, _ in row["_candidates"]["metric"]} == {"share price"}
    row = _claims(nlp, "Huawei's shipments fell 25 per cent in Europe, while Xiaomi's rose 88 per cent.")[-1]
    assert "share price" not in {v for v, _ in row["_candidates"]["metric"]}  # "'s" alone leaves out the metric


@pytest.mark.parametrize("text, metrics", [
    ("Brazilian grocery delivery platform Cestaria reported a net profit of 12 million reais.", ["net profit"]),
    ("The payments company said revenue rose 8%.", ["revenue"]),
    ("Deliveries rose 8% to 12,000 vehicles.", ["deliveries"]),
])
def test_a_metric_word_before_a_firm_noun_says_what_the_firm_does(text: str, metrics: list[str]) -> None:
    nlp = make_nlp(load_settings())
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"], doc.user_data["doc_date"] = "case.txt", "2024-10-22"
    assert [s.label_ for s in nlp(doc).spans["metrics"]] == metrics


def test_a_count_takes_the_unit_of_the_metric_decided() -> None:
    from pipeline.attachment.model import _unit_of_metric

    units = {"subscriptions": "subscribers", "revenue": None}
    text = "EMEA subscriber additions were 1.9 million. The base reached 61.4 million paying customers."
    row = {"metric": "subscriptions", "start": 31, "end": 42, "unit": None, "change_unit": "users"}
    _unit_of_metric(row, units, text)
    assert row["change_unit"] == "subscribers"  # no noun of its own: the metric's unit
    written = {"metric": "subscriptions", "start": 61, "end": 73, "unit": "customers", "change_unit": None}
    assert text[61:73] == "61.4 million"
    _unit_of_metric(written, units, text)
    assert written["unit"] == "customers"  # a noun written after the figure stays
    share = {"metric": "subscriptions", "start": 0, "end": 1, "unit": "%", "change_unit": "pp"}
    _unit_of_metric(share, units, "5% ")
    assert (share["unit"], share["change_unit"]) == ("%", "pp")


def test_a_place_in_a_newspapers_name_is_no_geography() -> None:
    nlp = make_nlp(load_settings())
    doc = nlp.make_doc("The Korea Times reports that operating profit in Korea rose to 6.8 trillion won.")
    doc.user_data["doc_id"], doc.user_data["doc_date"] = "case.txt", "2024-10-22"
    places = [(s.text, s.start_char) for s in nlp(doc).spans["segments"] if s.id_ == "geography"]
    assert places == [("Korea", 49)]  # the place of the profit ("in Korea"), not the masthead's
