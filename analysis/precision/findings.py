"""The precision page's numbers, sentence fragments and display tables (results/precision/findings.json)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from analysis.core.markdown import md_escape
from analysis.core.findings import Finding, computed_in, finding
from analysis.core.numfmt import fmt, fmt_column, sci

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PATHS", "page", "precision_findings", "findings_list", "display_tables"]

PATHS = {"native": "native (angle in the format)", "fp32_cast": "fp32 angle, then cast",
         "cos_sin_cast": "cos/sin cast (transformers path)"}


def _get(df: "pd.DataFrame", col: str, **eq: Any) -> float:
    g = df
    for k, v in eq.items():
        g = g[g[k] == v]
    return float(g[col].iloc[0]) if len(g) and g[col].notna().iloc[0] else math.nan


def _exact(v: float) -> str:
    """An exact position, every digit (2^24 = 16,777,216 is the point, not 1.68×10⁷): fmt's integer
    style (thousands separators) extended past 10^7."""
    return f"{int(v):,}" if float(v).is_integer() else fmt(v)


def _pos(v: float, cap: int) -> str:
    """A collision position, or that none was found up to the search limit."""
    return _exact(v) if math.isfinite(v) else f"none up to {_exact(cap)}"


def _until(v: float, cap: int) -> str:
    """The last position of a run of distinct vectors (the one before the first repeat)."""
    return f"up to position {_exact(int(v) - 1)}" if math.isfinite(v) else f"up to the search limit of {_exact(cap)}"


def _base(v: float, none: str = "none among the swept bases") -> str:
    return fmt(v) if math.isfinite(v) else none


def _ok(df: "pd.DataFrame") -> "pd.DataFrame":
    return df[df["status"] == "ok"]


def _erasure_findings(erasure: "pd.DataFrame", walls: "pd.DataFrame", cap: int) -> list[Finding]:
    e = erasure
    vec = {f"vec_{m}_{f}": _get(e, "whole_vector_min", dtype=f, mode=mode)
           for m, mode in (("hf", "cos_sin_cast"), ("native", "native")) for f in ("fp32", "bf16", "fp16")}
    low = {f"low_{f}": _get(walls, "median_first_collision", dtype=f, mode="native") for f in ("fp32", "bf16", "fp16")}
    out = [finding(k, None if not math.isfinite(v) else int(v), _pos(v, cap), source="erasure") for k, v in vec.items()]
    out += [finding(k, None if not math.isfinite(v) else int(v), _pos(v, cap), source="walls") for k, v in low.items()]
    low_hf = _get(walls, "median_first_collision", dtype="bf16", mode="cos_sin_cast")
    out.append(finding("low_hf_bf16", None if not math.isfinite(low_hf) else low_hf, _pos(low_hf, cap), source="walls"))
    until = {f"until_hf_{f}": _until(vec[f"vec_hf_{f}"], cap) for f in ("fp32", "bf16")}
    out += [finding(k, v, source="erasure") for k, v in until.items()]
    summary = (f"Finite precision erases the lowest RoPE frequency, not the position: the lowest-frequency pair stops "
               f"telling adjacent positions apart after about 1/ε positions whatever the base (median first repeat: "
               f"fp32 {_pos(low['low_fp32'], cap)}, bf16 {_pos(low['low_bf16'], cap)}), while the whole RoPE vector "
               f"stays distinct {until['until_hf_fp32']} (fp32) and {until['until_hf_bf16']} (bf16) on "
               f"the transformers path (fp32 angles, cos/sin cast); computed natively in the format, position "
               f"{_pos(vec['vec_native_bf16'], cap)} already repeats the previous one in bf16, "
               f"{_pos(vec['vec_native_fp16'], cap)} in fp16.")
    return out + [finding("summary", summary)]


def _wall_findings(walls: "pd.DataFrame", scorecard: "pd.DataFrame") -> list[Finding]:
    out = [finding("fp32_paper_wall", _get(walls, "paper_wall", dtype="fp32", mode="native"),
                   sci(_get(walls, "paper_wall", dtype="fp32", mode="native")), source="walls"),
           finding("fp32_inv_eps", _get(walls, "inv_eps_positions", dtype="fp32", mode="native"), source="walls")]
    under16 = _get(walls, "underflow_base", dtype="fp16", mode="native")
    under8 = _get(walls, "underflow_base", dtype="fp8_e4m3", mode="fp32_cast")
    out += [finding("fp16_underflow_base", None if not math.isfinite(under16) else under16, _base(under16), source="walls"),
            finding("fp8_underflow_base", None if not math.isfinite(under8) else under8, _base(under8), source="walls")]
    for key, label in (("native", "angles in fp32"), ("cossin", "cos/sin cast, the transformers path")):
        row = scorecard[scorecard["item"] == f"fp32 precision wall (a base), {label}"]
        out.append(finding(f"wall_{key}_verdict", row["verdict"].iloc[0] if len(row) else "not measured",
                           source="scorecard"))
        out.append(finding(f"wall_{key}_reason", row["reason"].iloc[0] if len(row) else "the fp32 rows were skipped",
                           source="scorecard"))
    return out


def _logit_findings(error: "pd.DataFrame", invariance: "pd.DataFrame") -> list[Finding]:
    err, inv = _ok(error), _ok(invariance)

    def top(df: "pd.DataFrame", f: str, impl: str, col: str, key: str) -> float:
        g = df[(df["dtype"] == f) & (df["implementation"] == impl)].sort_values(key)
        return float(g[col].iloc[-1]) if len(g) else math.nan

    vals = {"e_bf16_hf": top(err, "bf16", "hf", "rms_rel_error", "position_hi"),
            "e_bf16_nat": top(err, "bf16", "native", "rms_rel_error", "position_hi"),
            "e_fp32": top(err, "fp32", "fp32", "rms_rel_error", "position_hi"),
            "e_bf16_hf_1": _get(err, "rms_rel_error", dtype="bf16", implementation="hf", position_hi=1024),
            "e_fp32_1": _get(err, "rms_rel_error", dtype="fp32", implementation="fp32", position_hi=1024),
            "s_bf16_hf": top(inv, "bf16", "hf", "median_rel_spread", "context_length"),
            "s_bf16_nat": top(inv, "bf16", "native", "median_rel_spread", "context_length"),
            "s_fp32": top(inv, "fp32", "fp32", "median_rel_spread", "context_length")}
    out = [finding(k, v, sci(v), source="logit_error" if k.startswith("e_") else "invariance") for k, v in vals.items()]
    out.append(finding("l_max", int(inv["context_length"].max()), source="invariance"))
    out.append(finding("p_max", int(err["position_hi"].max()), source="logit_error"))
    return out


def _claim_findings(scorecard: "pd.DataFrame") -> list[Finding]:
    w = scorecard[scorecard["item"].str.startswith("Wang et al.")]
    names = ["claim1_hf", "claim1_native", "claim2", "claim3_hf", "claim3_native", "claim4"]
    return [finding(n, str(v), source="scorecard") for n, v in zip(names, w["verdict"])] if len(w) == len(names) else \
        [finding(n, "not measured") for n in names]


def findings_list(
    *, walls: "pd.DataFrame", erasure: "pd.DataFrame", scorecard: "pd.DataFrame", collisions: "pd.DataFrame",
    logit_error: "pd.DataFrame", invariance: "pd.DataFrame", devices_walls: "pd.DataFrame", head_dim: int,
    logits_base: float, delta: int, n_vectors: int, bases_per_decade: int,
) -> list[Finding]:
    """Every number and data-dependent phrase of report/precision.qmd."""
    c = collisions
    cap, L = int(c["max_position"].iloc[0]), int(c["context_length"].iloc[0])
    sk_c, sk_l = c[c["status"] == "skipped"], logit_error[logit_error["status"] == "skipped"]
    skipped = sorted(set(sk_c["dtype"]) | set(sk_l["dtype"]))
    reasons = sorted(set(sk_c["reason"]) | set(sk_l["reason"]))
    out = computed_in("collisions", [
        finding("device", str(c["device"].iloc[0])), finding("device_type", str(c["device_type"].iloc[0])),
        finding("torch_version", str(c["torch_version"].iloc[0]))])
    out += [finding("head_dim", int(head_dim)),
           finding("sources", sorted(devices_walls["source"].unique()), ", ".join(sorted(devices_walls["source"].unique())),
                   source="devices_walls"),
           finding("context_length", L, source="collisions"), finding("max_position", cap, source="collisions"),
           finding("bases_per_decade", int(bases_per_decade)),
           finding("logits_base", float(logits_base)), finding("delta", int(delta)), finding("n_vectors", int(n_vectors)),
           finding("skipped_formats", skipped, md_escape(", ".join(skipped) if skipped else "none"), markdown=True),
           finding("skip_reasons", reasons, md_escape("; ".join(reasons) if reasons else "none on this device"), markdown=True)]
    out += _erasure_findings(erasure, walls, cap)
    out += _wall_findings(walls, scorecard)
    out += _logit_findings(logit_error, invariance)
    return out + _claim_findings(scorecard)


def _walls_display(walls: "pd.DataFrame") -> "pd.DataFrame":
    import pandas as pd

    w = walls
    kind = {"threshold": "from base", "none": "no wall up to", "all": "every base erases", "mixed": "no single wall",
            "skipped": "skipped"}
    wall = [f"{kind.get(k, k)} {fmt(b) if k == 'threshold' else (fmt(m) if k == 'none' else '')}".strip()
            for k, b, m in zip(w["context_wall"], w["context_wall_base"], w["base_max"])]
    return pd.DataFrame({
        "format": w["dtype"], "path": w["mode"].map(PATHS),
        "ε": fmt_column(w["eps_mach"]), "paper wall 1/ε (base)": fmt_column(w["paper_wall"]),
        "measured base wall within 0..L": wall,
        "lowest pair, median first collision (position)": fmt_column(w["median_first_collision"]),
        "first-radian wall (base)": fmt_column(w["first_radian_wall"]),
        "underflow base": fmt_column(w["underflow_base"]),
    })


def _erasure_display(erasure: "pd.DataFrame") -> "pd.DataFrame":
    import pandas as pd

    e = erasure
    cap = [f"none up to {fmt(int(c))}" for c in e["max_position"]]
    med = fmt_column(e["lowest_pair_median"])
    rng = [f"{a}–{b}" for a, b in zip(fmt_column(e["lowest_pair_min"]), fmt_column(e["lowest_pair_max"]))]
    vlo, vhi = ([_exact(v) if math.isfinite(v) else "–" for v in e[c]] for c in ("whole_vector_min", "whole_vector_max"))
    vec = [c if math.isnan(lo) else (a if a == b else f"{a}–{b}")
           for c, lo, a, b in zip(cap, e["whole_vector_min"], vlo, vhi)]
    low = [c if math.isnan(m) else f"{a} ({r})" for c, m, a, r in zip(cap, e["lowest_pair_median"], med, rng)]
    return pd.DataFrame({"format": e["dtype"], "path": e["mode"].map(PATHS),
                         "lowest pair: first repeat, median (range) over bases": low,
                         "whole vector: first repeat": vec})


def _wang_display(scorecard: "pd.DataFrame") -> "pd.DataFrame":
    import pandas as pd

    w = scorecard[scorecard["item"].str.startswith("Wang et al.")].reset_index(drop=True)
    return pd.DataFrame({"claim": w["item"].str.removeprefix("Wang et al.: "), "verdict": w["verdict"],
                         "criterion": w["criterion"], "evidence": w["reason"]})


def display_tables(*, walls: "pd.DataFrame", erasure: "pd.DataFrame", scorecard: "pd.DataFrame") -> dict[str, "pd.DataFrame"]:
    """The page's tables, formatted (one number style per column), no index."""
    return {"walls": _walls_display(walls), "erasure": _erasure_display(erasure), "wang": _wang_display(scorecard)}


def page(**tables: Any) -> tuple[list[Finding], dict[str, "pd.DataFrame"]]:
    """Findings (:func:`findings_list`) and display tables (:func:`display_tables`) of the page."""
    disp = display_tables(walls=tables["walls"], erasure=tables["erasure"], scorecard=tables["scorecard"])
    return findings_list(**tables), disp


def precision_findings(**tables: Any) -> dict[str, Any]:
    """The findings step: ``findings`` (:func:`findings_list`) and the display tables ``walls``,
    ``erasure`` and ``wang`` (:func:`display_tables`, written to ``display/<name>.parquet``)."""
    items, disp = page(**tables)
    return {"findings": items, **disp}
