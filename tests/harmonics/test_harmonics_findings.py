"""Harmonics page: findings (plain, non-empty, no cross-references), display tables, figure data,
and a page that only displays (every inline value a finding or a caption)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis import harmonics as h
from analysis.core.config import ROOT, load_config, load_yaml
from analysis.core.findings import MARKUP, findings_dict
from analysis.core.numfmt import fmt_column
from analysis.core.scorecard import rows_to_frame
from analysis.harmonics import charts, claims, figure_data, findings
from tests.qmd import _CELL, _INLINE, page_text

PAGE = ROOT / "report" / "harmonics.qmd"
CAPTIONS = ROOT / "report" / "captions" / "harmonics.yaml"
REAL = {"n_positions": 64, "text": "data/harmonics/passage.txt", "layers": 2, "base": 10000.0, "head_dim": 16,
        "hidden_act": "gelu_pytorch_tanh", "device": "cpu", "line_power_ratio": {"-1": 0.86, "0": 1.11, "1": 0.92}}


@pytest.fixture(scope="module")
def stage() -> dict:
    """The smoke profile's synthetic results, sweep and scorecard, computed in memory."""
    cfg = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "smoke.yaml")["harmonics"]
    im, sw, sg = cfg["intermod"], cfg["sweep"], cfg["swiglu"]
    syn = h.harmonics_synthetic_tables(
        base=cfg["base"], head_dim=cfg["head_dim"], n_positions=cfg["n_positions"], window=cfg["window"],
        activations=cfg["activations"], biases=cfg["biases"], tone_amplitude=cfg["tone_amplitude"],
        max_harmonic=cfg["max_harmonic"], intermod_amplitudes=im["amplitudes"], intermod_bias=im["bias"],
        intermod_max_order=im["max_order"], torus_grid=im["torus_grid"], swiglu_gate_amplitude=sg["gate_amplitude"],
        swiglu_up_amplitude=sg["up_amplitude"], swiglu_gate_bias=sg["gate_bias"],
        swiglu_max_harmonic=sg["max_harmonic"],
        ffn_hidden=cfg["ffn_hidden"], max_line_order=cfg["max_line_order"], seed=cfg["seed"],
    )
    sweep, summary = h.sweep_results(
        base=cfg["base"], head_dim=cfg["head_dim"], ffn_hidden=cfg["ffn_hidden"], activations=cfg["activations"],
        n_positions=cfg["n_positions"], n_offsets=sw["n_offsets"], attn_head_dim=sw["attn_head_dim"],
        attn_window=sw["attn_window"], seed=cfg["seed"],
    )
    return {"cfg": cfg, "syn": syn, "sweep": sweep, "sweep_summary": summary}


def page_findings(stage: dict, real=REAL) -> dict:
    syn, cfg = stage["syn"], stage["cfg"]
    rows = claims.claim_rows(
        summary=syn["summary"], harmonics=syn["harmonics"], sweep=stage["sweep"], activations=cfg["activations"],
        amplitude_tolerance=cfg["amplitude_tolerance"], tone_amplitude=cfg["tone_amplitude"],
        line_ratio_threshold=cfg["real_model"]["line_ratio_threshold"], real=real,
    )
    return findings.harmonics_findings(
        summary=syn["summary"], harmonics=syn["harmonics"], intermod=syn["intermod"], ffn_summary=syn["ffn_summary"],
        sweep=stage["sweep"], sweep_summary=stage["sweep_summary"], scorecard=rows_to_frame(rows), real=real,
    )


@pytest.mark.parametrize("real", [REAL, None])
def test_findings_are_checked_plain_and_never_empty(stage, real):
    r = page_findings(stage, real)
    items = findings_dict(r["findings"])  # raises on an empty text, markup in a plain finding, a duplicate
    for name, f in items.items():
        assert f["text"].strip(), name
        assert not re.search(r"@(fig|tbl|sec|eq)-", f["text"]), name
        if f["markdown"]:
            assert MARKUP.search(f["text"]), f"{name} is marked markdown but holds no markup"
    assert items["focus_verdict"]["text"] == "reproduced"  # every misaligned offset less focused (issue 23.4)
    assert "not rise monotonically" in items["focus_sentence"]["text"]
    assert items["n_rows"]["value"] == 8
    if real is None:
        assert "not configured in this run" in items["real_model_sentence"]["text"]
    else:
        assert "-layer subject model" in items["real_model_sentence"]["text"]


def test_display_tables_are_formatted_text(stage):
    r = page_findings(stage)
    ffn, score = r["ffn_power"], r["scorecard"]
    assert list(score.columns) == ["claim", "ours", "criterion", "verdict", "reason"]
    for df in (ffn, score):
        assert all(isinstance(v, str) and v for v in df.to_numpy().ravel())
        assert isinstance(df.index, pd.RangeIndex)
    assert list(ffn["power at predicted lines"]) == fmt_column(stage["syn"]["ffn_summary"]["line_power_fraction"], 3)
    # display tables hold plain text (|x| as written): Markdown escaping happens once, in reportkit
    assert not any("\\|" in v for v in score.to_numpy().ravel())
    from analysis.report.reportkit import pipe_table

    table = pipe_table(score)
    rows = [ln for ln in table.splitlines() if ln.startswith("|")]
    assert all(ln.count("|") - ln.count("\\|") == rows[0].count("|") for ln in rows)  # every row keeps its cells


def test_sweep_figure_data_normalises_to_aligned(stage):
    d = figure_data.sweep_figure_data(stage["sweep"], stage["cfg"]["activations"])
    act = d["sweep_activation"]
    for a in stage["cfg"]["activations"]:
        s = act[act.series == a]
        assert s.loc[s.phi.abs().idxmin(), "value"] == 1.0
    inp = act[act.series == figure_data.INPUT_AMPLITUDE]
    np.testing.assert_allclose(inp["value"], np.abs(np.cos(inp["phi"] / 2)), atol=1e-12)
    assert set(d["sweep_entropy"]["window"]) == {name for _, name in figure_data.ENTROPY_SERIES}


def test_charts_draw_exactly_the_figure_data(stage):
    d = figure_data.sweep_figure_data(stage["sweep"], stage["cfg"]["activations"])
    spec = charts.phase_sweep_chart(d["sweep_activation"], d["sweep_entropy"], head_dim=8, attn_head_dim=16,
                                    attn_window=16).to_dict()
    drawn = sorted(len(v) for v in spec["datasets"].values())
    assert drawn == sorted([len(d["sweep_activation"]), len(d["sweep_entropy"])])
    assert "d = 8" in spec["title"] and "W = 16" in spec["title"]


def _inline_calls(text: str) -> list[str]:
    return _INLINE.findall(text)


def test_page_only_displays_findings_captions_figures_and_tables(stage):
    text = page_text(PAGE)
    allowed_cell = re.compile(
        r'(from analysis\.report import reportkit as rk|rk\.figure\("harmonics", "\w+"\)|'
        r'rk\.markdown_table\(rk\.table\("harmonics", "display/\w+\.parquet"\)\))'
    )
    for cell in _CELL.findall(text):
        for line in cell.splitlines():
            if line.strip() and not line.startswith("#|"):
                assert allowed_cell.fullmatch(line.strip()), f"page computes: {line!r}"
    names = {f.name for f in page_findings(stage)["findings"]}
    caps = load_yaml(CAPTIONS)
    for call in _inline_calls(text):
        m = re.fullmatch(r'rk\.(f|caption)\("harmonics", "([\w./]+)"\)', call.strip())
        assert m, f"inline expression is not a finding or caption: {call!r}"
        assert m.group(2) in (names if m.group(1) == "f" else caps), call


def test_every_float_div_ends_with_its_caption():
    text = PAGE.read_text()
    divs = re.findall(r"^::: \{#((?:fig|tbl)-[\w-]+)\}\n(.*?)^:::$", text, re.S | re.M)
    assert len(divs) == 8
    caps = load_yaml(CAPTIONS)
    for label, body in divs:
        last = body.strip().split("\n\n")[-1].strip()
        m = re.fullmatch(r'`\{python\} rk\.caption\("harmonics", "([\w./]+)"\)`', last)
        assert m and m.group(1) in caps, f"{label}: last paragraph is not its caption: {last!r}"
    for key, cap in caps.items():
        assert 20 < len(cap) < 400 and not re.search(r"[`$*]|\]\(|@(fig|tbl)-|\bharmonics\.\w", cap), key


def test_unavailable_chart_says_why():
    spec = charts.unavailable_chart(None).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert "probes.subject_variant is not set" in rows[0]["text"]
