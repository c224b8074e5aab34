"""p-RoPE over seeds: aggregation, the ordering criterion, scorecard rows and the page's findings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.core.findings import MARKUP, findings_dict
from analysis.core.scorecard import VERDICTS, rows_to_frame
from analysis.probes import claims, findings, prope

PAPER = {"RoPE base 10k": {"wiki": 4.4627, "flanv2": 6.4429}, "0.75-RoPE": {"wiki": 4.4414, "flanv2": 6.4422},
         "NoPE": {"wiki": 4.8594, "flanv2": 6.6429}}
PROF = {"seeds": [0, 1, 2], "layers": 2, "hidden": 64, "heads": 2, "head_dim": 32, "steps": 120, "seq_len": 256,
        "batch": 16}


def _result(variant, label, losses, restored=None):
    runs = [{"seed": s, "val_loss": l, "val_perplexity": math.exp(l), "val_bits_per_byte": l / math.log(2),
             "val_bytes": 1000, "restored_val_loss": None if restored is None else restored[i],
             "train_loss_curve": [3.0, 2.5, 2.0 + l / 10]} for i, (s, l) in enumerate(zip(PROF["seeds"], losses))]
    return {"variant": variant, "label": label, "device": "cpu", "profile": PROF, "runs": runs, "parameters": 1234,
            "corpus_sha256": "abc"}


RESULTS = [
    _result("rope10k", "RoPE base 10k", [2.00, 2.02, 2.01]),
    _result("p075", "0.75-RoPE", [2.015, 2.005, 2.03], restored=[2.016, 2.005, 2.031]),
    _result("nope", "NoPE", [2.20, 2.25, 2.21]),
]


def test_compare_pair_criterion():
    assert prope.compare_pair([1.0, 1.1], [1.2, 1.3], 4.0, 5.0)["verdict"] == "reproduced"
    assert prope.compare_pair([1.0, 1.1], [1.2, 1.3], 5.0, 4.0)["verdict"] == "differs"
    assert prope.compare_pair([1.0, 1.25], [1.2, 1.3], 4.0, 5.0)["verdict"] == "inconclusive"
    # one seed has no spread: never judged, however large the difference
    assert prope.compare_pair([1.0], [2.0], 4.0, 5.0)["verdict"] == "inconclusive"
    c = prope.compare_pair([1.0, 1.1], [1.2, 1.4], 4.0, 5.0)
    assert c["diff_mean"] == pytest.approx(-0.25) and c["spread_b"] == pytest.approx(0.2)


def test_prope_table_aggregates_over_seeds():
    table, runs, summary = prope.prope_table(RESULTS, PAPER)
    assert len(runs) == 9 and list(table.variant) == ["rope10k", "p075", "nope"]
    r = table.set_index("variant").loc["p075"]
    loss = np.array([2.015, 2.005, 2.03])
    assert r.val_loss_mean == pytest.approx(loss.mean()) and r.val_loss_std == pytest.approx(loss.std(ddof=1))
    assert (r.val_loss_min, r.val_loss_max) == (2.005, 2.03) and r.val_perplexity == pytest.approx(math.exp(loss.mean()))
    assert r.restored_max_abs_change == pytest.approx(0.001)
    assert math.isnan(table.set_index("variant").loc["nope"].restored_val_loss_mean)
    comp = {c["variant"]: c["verdict"] for c in summary["comparisons"]}
    assert comp == {"p075": "inconclusive", "nope": "reproduced"}  # p075's ranges overlap RoPE 10k's
    assert summary["our_order"] == ["RoPE base 10k", "0.75-RoPE", "NoPE"] and summary["min_seeds"] == 3


def test_prope_results_rejects_another_corpus():
    from analysis.core.errors import InputError

    with pytest.raises(InputError, match="another corpus"):
        prope.prope_results(RESULTS, PAPER, corpus_sha256="other")
    curves = prope.prope_results(RESULTS, PAPER, corpus_sha256="abc")["curves"]
    assert len(curves) == 9 * 3 and curves.loss_mean.iloc[1] == pytest.approx(2.75)


def test_ordering_rows_state_the_criterion_and_follow_it():
    table, _, summary = prope.prope_table(RESULTS, PAPER)
    rows = claims.prope_claims(table, summary, steps=120)
    order = [r for r in rows if r.item.startswith("Table 2 ordering")]
    assert {r.verdict for r in order} == {"inconclusive", "reproduced"}
    assert all(r.criterion == prope.ORDER_CRITERION for r in order)
    assert all(r.verdict == "not reproducible offline" for r in rows if "perplexity" in r.item)
    assert all(r.verdict in VERDICTS for r in rows)


def _page_inputs():
    """The findings step's inputs other than the p-RoPE ones (synthetic, prop32, subject, heads, corpus)."""
    syn = {"head_dim": 128, "base": 1e4, "ones_at_zero": 128.0, "max_distance": 300, "ones_decay_ratio": 0.44,
           "gauss_n_seeds": 16, "gauss_far_std_over_sqrt_d": 1.01, "prop32_samples": 4000, "prop32_max_abs_z": 1.1,
           "prop32_max_abs_var_rel_diff": 0.016, "prop32_var_closed": 128.0, "prop31_targets": [1, 10],
           "head_seq_len": 16, "highest_freq_near_returns_64": [6, 44], "highest_freq_near_returns": [],
           "positional_heads": [{"head": "previous-token", "logit_scale": s, "min_target_weight": w}
                                for s, w in ((5.0, 0.3), (5e4, 1.0))]}
    subject = {"name": "our byte-level Gemma", "trained_by_pipeline": True, "texts": 2, "tokens_per_text": [10, 20],
               "band_size": 1, "head_dim": 16, "inv_freq": [1.0, 0.1, 0.0]}
    heads = pd.DataFrame({"layer": [0, 1], "head": [0, 0], "q_low_share": [0.2, 0.3], "q_high_share": [0.1, 0.1],
                          "k_low_share": [0.2, 0.2], "k_high_share": [0.1, 0.2], "diag_score": [0.5, 0.1],
                          "prev_score": [0.2, 0.7]})
    corpus = {"train_bytes": 100, "files": ["a.py"], "root": "/usr/lib/python3", "sha256": "f" * 64, "val_every": 5,
              "val_bytes": 1001}
    p32 = pd.DataFrame({"distance": [0, 1], "mean": [0.1, -0.2], "sem": [0.1, 0.1], "z_mean": [1.0, -2.0],
                        "var": [127.0, 130.0], "var_closed": [128.0, 128.0], "var_rel_diff": [-0.01, 0.02]})
    return syn, p32, subject, heads, corpus


def test_findings_are_plain_and_display_tables_are_text():
    table, _, summary = prope.prope_table(RESULTS, PAPER)
    summary = {**summary, "seeds": [0, 1]} | {"min_seeds": 2}
    syn, p32, subject, heads, corpus = _page_inputs()
    score = rows_to_frame(claims.prope_claims(table, summary, steps=120))
    out = findings.probes_findings(syn, p32, subject, heads, corpus, table, summary, score)
    items = findings_dict(out["findings"])  # raises on empty or markup-holding plain findings
    assert all(not v["markdown"] and not MARKUP.search(v["text"]) for v in items.values())
    assert "fewer than the 3" in items["seeds_sentence"]["text"]
    assert items["near_returns_seq"]["text"] == "none" and items["prop31_targets"]["text"] == "1, 10"
    assert items["prev_layer"]["text"] == "1" and items["n_order_inconclusive"]["text"] == "1"
    assert "0.75-RoPE against RoPE base 10k: inconclusive" in items["comparisons_text"]["text"]
    assert "16 frequencies restored" in items["restored_text"]["text"]
    for name in ("prop32", "prope", "scorecard"):
        df = out[name]
        assert all(str(t) == "string" for t in df.dtypes) and not df.isna().any().any()
        assert list(df.index) == list(range(len(df)))
    assert out["prope"]["loss, mean (nats/byte)"].tolist() == ["2.0100", "2.0167", "2.2200"]


def test_ordering_without_power_is_inconclusive_even_when_ranges_separate():
    """Issue 23 item 3: 0.75-RoPE's seed range lies below RoPE 10k's (the range rule says reproduced), but
    restoring its removed frequencies changes its loss by 2e-5 nats/byte, far below RoPE 10k's seed range
    (0.02): the model does not use them, so the ordering has no power and is inconclusive."""
    res = [_result("rope10k", "RoPE base 10k", [2.00, 2.02, 2.01]),
           _result("p075", "0.75-RoPE", [1.95, 1.96, 1.97], restored=[1.95002, 1.96002, 1.97002]),
           _result("nope", "NoPE", [2.20, 2.25, 2.21])]
    assert prope.compare_pair([1.95, 1.96, 1.97], [2.00, 2.02, 2.01], 4.4414, 4.4627)["verdict"] == "reproduced"
    _, _, summary = prope.prope_table(res, PAPER)
    comp = {c["variant"]: c for c in summary["comparisons"]}
    assert comp["p075"]["verdict"] == "inconclusive" and comp["p075"]["power"] is False
    assert comp["nope"]["verdict"] == "reproduced" and comp["nope"]["power"] is None  # no restore check
    # restoring that does change the loss by more than the seed range keeps the range verdict
    res[1] = _result("p075", "0.75-RoPE", [1.95, 1.96, 1.97], restored=[2.1, 2.1, 2.1])
    _, _, summary = prope.prope_table(res, PAPER)
    assert {c["variant"]: c["verdict"] for c in summary["comparisons"]}["p075"] == "reproduced"
    text = findings._power_text(summary["comparisons"], summary["profile"])
    assert text.startswith("Every judged ordering")
    # the angle argument: 0.75-RoPE's removed frequencies turn at most 0.256 rad in 256 bytes
    assert prope.removed_rotation(0.75, False, 1e4, 32, 256) == pytest.approx(0.256)


def _five(variant, label, losses, restored=None):
    """A variant trained on five seeds (the archived run's shape)."""
    prof = {**PROF, "seeds": [0, 1, 2, 3, 4]}
    runs = [{"seed": s, "val_loss": l, "val_perplexity": math.exp(l), "val_bits_per_byte": l / math.log(2),
             "val_bytes": 1000, "restored_val_loss": None if restored is None else restored[s],
             "train_loss_curve": [3.0, 2.5, 2.0]} for s, l in enumerate(losses)]
    return {"variant": variant, "label": label, "device": "cpu", "profile": prof, "runs": runs, "parameters": 1234,
            "corpus_sha256": "abc"}


def _naive_paired_verdict(a, b, paper_a_better, power=None):
    """The rule of PAIRED_CRITERION written out directly: per-seed differences, their bootstrap interval,
    the side it excludes zero on."""
    from analysis.core.stats import paired_bootstrap

    ci = paired_bootstrap([x - y for x, y in zip(a, b)])
    if len(a) < 5 or power is False or ci["lo"] <= 0 <= ci["hi"]:
        return "inconclusive"
    return "reproduced" if (ci["hi"] < 0) == paper_a_better else "differs"


BASE5 = [2.00, 2.10, 1.95, 2.05, 2.02]
CASES = {  # variant: (losses, restored, paper label)
    "better": ([x - 0.03 for x in BASE5], None, "0.75-RoPE"),           # paper: better; ours: better on every seed
    "worse": ([x + 0.2 for x in BASE5], None, "NoPE"),                  # paper: worse; ours: worse
    "wrong": ([x + 0.05 for x in BASE5], None, "0.75-RoPE"),            # paper: better; ours: worse
    "noise": ([x + d for x, d in zip(BASE5, [0.03, -0.02, 0.01, -0.04, 0.02])], None, "NoPE"),  # straddles zero
}


@pytest.mark.parametrize("name", list(CASES))
def test_paired_comparisons_follow_the_stated_rule(name):
    losses, restored, paper_label = CASES[name]
    res = [_five("rope10k", "RoPE base 10k", BASE5), _five(name, paper_label, losses, restored)]
    table, runs, _ = prope.prope_table(res, PAPER)
    (c,) = prope.paired_comparisons(runs, table)
    expected = _naive_paired_verdict(losses, BASE5, PAPER[paper_label]["wiki"] < PAPER["RoPE base 10k"]["wiki"])
    assert c["verdict"] == expected and c["n"] == 5 and c["seeds"] == [0, 1, 2, 3, 4]
    assert c["diffs"] == pytest.approx([x - y for x, y in zip(losses, BASE5)])
    assert {"better": "reproduced", "worse": "reproduced", "wrong": "differs", "noise": "inconclusive"}[name] == expected


def test_paired_comparisons_need_five_seeds_and_power():
    # three seeds: never judged, however clear the difference
    table, runs, _ = prope.prope_table(RESULTS, PAPER)
    assert {c["variant"]: c["verdict"] for c in prope.paired_comparisons(runs, table)} == {
        "p075": "inconclusive", "nope": "inconclusive"}
    # five seeds, better on every seed, but restoring the removed frequencies changes nothing: no power
    better = [x - 0.03 for x in BASE5]
    res = [_five("rope10k", "RoPE base 10k", BASE5), _five("p075", "0.75-RoPE", better, [x + 1e-5 for x in better])]
    table, runs, _ = prope.prope_table(res, PAPER)
    (c,) = prope.paired_comparisons(runs, table)
    assert c["power"] is False and c["verdict"] == "inconclusive"
    assert c["baseline_range"] == pytest.approx(max(BASE5) - min(BASE5))
    # the same with restoring that matters: judged, and reproduced
    res[1] = _five("p075", "0.75-RoPE", better, [x + 0.5 for x in better])
    table, runs, _ = prope.prope_table(res, PAPER)
    (c,) = prope.paired_comparisons(runs, table)
    assert c["power"] is True and c["verdict"] == "reproduced"


def test_paired_display_shows_signed_differences_and_intervals():
    from analysis.probes.display import paired_display

    res = [_five("rope10k", "RoPE base 10k", BASE5), _five("wrong", "0.75-RoPE", CASES["wrong"][0])]
    table, runs, _ = prope.prope_table(res, PAPER)
    d = paired_display(prope.paired_comparisons(runs, table))
    row = d.iloc[0]
    assert row["paper: vs RoPE 10k"] == "better" and row["verdict"] == "differs"
    assert row["loss difference (nats/byte)"] == "+0.050"
    assert row["95% interval"] == "+0.050 to +0.050"


def test_archived_run_drives_scorecard_and_summary(tmp_path_factory):
    """An archive folder (results.json + provenance.json) through the archived step: its paired verdicts
    become the scorecard's ordering rows (with the quick verdict in the reason) and the Summary sentence."""
    from analysis.core.archive import write_archive
    from analysis.probes.archive import archived_prope

    results = [_five("rope10k", "RoPE base 10k", BASE5), _five("p075", "0.75-RoPE", CASES["wrong"][0]),
               _five("nope", "NoPE", CASES["worse"][0])]
    folder = write_archive(tmp_path_factory.mktemp("arc") / "full-cpu", jsons={"results.json": results}, settings={},
                           record={"command": "python -m analysis.probes archive --profile full", "profile": "full",
                                   "device": "cpu", "train_seconds": 600.0})
    a = archived_prope(folder=str(folder), published={"barbero2024": {"prope_perplexity": PAPER}})
    assert {c["variant"]: c["verdict"] for c in a["summary"]["paired"]} == {"p075": "differs", "nope": "reproduced"}
    assert list(a["paired_display"]["verdict"]) == ["differs", "reproduced"]
    assert "summed over its processes" in a["summary"]["record"]["describe"]  # no wall time: the sum of its parts

    table, _, quick = prope.prope_table(RESULTS, PAPER)
    rows = claims.prope_claims(table, quick, steps=120, archived=a["summary"], archived_table=a["table"])
    order = {r.item: r for r in rows if r.item.startswith("Table 2 ordering")}
    assert sorted(r.verdict for r in order.values()) == ["differs", "reproduced"]
    assert all(r.criterion == prope.PAIRED_CRITERION and "Quick run of this build" in r.reason for r in order.values())

    syn, p32, subject, heads, corpus = _page_inputs()
    score = rows_to_frame(rows)
    out = findings.probes_findings(syn, p32, subject, heads, corpus, table, quick, score,
                                   archived=a["summary"], archived_table=a["table"])
    items = findings_dict(out["findings"])
    assert items["headline_text"]["text"].startswith("p-RoPE in the archived full run (5 seeds")
    assert items["headline_text"]["text"].endswith("1 reproduced, 1 differs (0.75-RoPE differs; NoPE reproduced).")
    assert "0.75-RoPE: differs (mean difference +0.050 nats/byte over 5 paired seeds" in items["full_paired_text"]["text"]
    assert items["full_n_order_differs"]["text"] == "1" and items["full_n_order_reproduced"]["text"] == "1"
    assert items["full_wall_minutes"]["text"] == "10 min summed over its processes"
    assert items["scorecard_source"]["text"].startswith("the archived full run below (5 seeds")
    # without an archive the Summary falls back to the quick run, and says so
    out = findings.probes_findings(syn, p32, subject, heads, corpus, table, quick, rows_to_frame(
        claims.prope_claims(table, quick, steps=120)))
    assert findings_dict(out["findings"])["headline_text"]["text"].startswith("p-RoPE in this build's quick run")
