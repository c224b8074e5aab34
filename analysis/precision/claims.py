"""The precision stage's scorecard claims, as data: the paper's precision wall and Wang et al.'s claims.

Every criterion is stated here, in code, and applied as stated to every run.
Wang et al.'s claims are judged on per-position RMS errors (deviation of the logit from its exact,
Delta-only value), never on the spread over ``m < L``: the spread of constant-size rounding noise
grows with the number of positions sampled, so it cannot separate rounding from a position effect.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.core.numfmt import fmt
from analysis.core.scorecard import ScoreRow

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RATIO", "GROWTH", "FP32_CONTEXT", "WALL_FACTOR", "SHORT_POSITIONS", "wall_rows", "wang_rows", "scorecard_rows",
           "precision_scorecard"]

RATIO = 10.0          # an effect must exceed its reference by a decade (Wang et al. criteria)
GROWTH = 2.0          # "grows": the last octave's RMS error at least twice that of the short positions
WALL_FACTOR = 2.0     # a measured base wall within a factor 2 of the paper's reproduces it
SHORT_POSITIONS = 1024  # "short" key positions m < 1024: the reference of the growth criterion
# "fp32 does not show it" is a statement about long-context training: fp32 against bf16 over key positions
# up to 2^16 = 65,536 (the 32K-64K training contexts the claim is about; Wang et al.'s exact lengths are
# unconfirmed, secondary source). Beyond, the transformers path's error is fp32's own angle error, which
# both share (reported in the reason, not judged).
FP32_CONTEXT = 65536
WANG_PATHS = {"hf": "cos/sin cast from fp32 angles, the transformers path", "native": "angles computed in bf16"}

_WALL_CRITERION = (
    "like with like, a base with a base: reproduced when, within the context 0..L, every swept base below some "
    f"base b* keeps all positions distinct (lowest pair) and every base from b* on erases one, with b* within a "
    f"factor {WALL_FACTOR:g} of the paper's wall; no such b* (no swept base erases, or all do) is 'differs'"
)


def _wall_row(w: "pd.Series", paper: float, cite: str, mode: str) -> ScoreRow:
    path = {"native": "angles in fp32", "cos_sin_cast": "cos/sin cast, the transformers path"}[mode]
    item = f"fp32 precision wall (a base), {path}"
    L, bmax, kind = int(w["context_length"]), float(w["base_max"]), str(w["context_wall"])
    med = float(w["median_first_collision"])
    pos = (f"the lowest pair first collides at {fmt(med)} positions (median over the swept bases), whatever the "
           f"base: a limit on the context (about 1/ε positions), not on the base" if math.isfinite(med) else
           f"the lowest pair does not collide up to the search limit of {fmt(int(w['max_position']))} positions "
           f"at any swept base")
    if kind == "threshold":
        b = float(w["context_wall_base"])
        ok = 1.0 / WALL_FACTOR <= b / paper <= WALL_FACTOR
        return ScoreRow("precision", item, cite, paper, b, WALL_FACTOR - 1.0, "reproduced" if ok else "differs",
                        f"bases from {fmt(b)} on erase a position within 0..{fmt(L)}; {pos}", _WALL_CRITERION)
    why = {"none": f"no swept base up to {fmt(bmax)} ({fmt(bmax / paper)} times the paper's wall) erases a position "
                   f"within 0..{fmt(L)}",
           "all": f"every swept base erases a position within 0..{fmt(L)}, the smallest ones too",
           "mixed": f"erasing and non-erasing bases alternate within 0..{fmt(L)}"}.get(kind, kind)
    ours = {"none": f"no base wall up to {fmt(bmax)}", "all": "every base erases", "mixed": "no single wall"}.get(kind, kind)
    return ScoreRow("precision", item, cite, paper, ours, WALL_FACTOR - 1.0, "differs", f"{why}; {pos}",
                    _WALL_CRITERION)


def wall_rows(walls: "pd.DataFrame", published: dict[str, Any], device: str) -> list[ScoreRow]:
    """The paper's fp32 wall (a base, ``1/eps_mach``) against the base wall the sweep shows within
    its context (:func:`analysis.precision.walls.context_base_wall`), for the fp32 angle and the
    transformers path (cos/sin cast). The collision *position* is not a base and is not compared."""
    liu = published["liu2026"]
    rows = []
    for mode in ("native", "cos_sin_cast"):
        w = walls[(walls["device"] == device) & (walls["dtype"] == "fp32") & (walls["mode"] == mode)]
        if len(w) and w["status"].iloc[0] == "ok":
            rows.append(_wall_row(w.iloc[0], float(liu["fp32_precision_wall"]), liu["citation"], mode))
    return rows


def _rms(err: "pd.DataFrame", mask: "pd.Series") -> float:
    g = err[mask & err["rms_rel_error"].notna()]
    return float(np.sqrt((g["rms_rel_error"] ** 2 * g["n"]).sum() / g["n"].sum())) if len(g) else math.nan


def _profile(err: "pd.DataFrame", fmt_: str, impl: str) -> dict[str, float] | None:
    """RMS error at m < 2 (L = 2: the format's rounding), for m < 1024, in the last octave, and the peak."""
    e = err[(err["status"] == "ok") & (err["dtype"] == fmt_) & (err["implementation"] == impl)]
    if e.empty:
        return None
    e = e.sort_values("bin")
    top = e.iloc[-1]
    return {"floor": _rms(e, e["position_hi"] <= 2), "short": _rms(e, e["position_hi"] <= SHORT_POSITIONS),
            "top": float(top["rms_rel_error"]), "peak": float(e["rms_rel_error"].max()),
            "top_lo": int(top["position_lo"]), "top_hi": int(top["position_hi"])}


_C1 = (f"reproduced when the RMS logit error (deviation from the exact, Delta-only logit) in some octave of key "
       f"positions exceeds {RATIO:g} times its RMS at m < 2 (L = 2: the format's rounding alone)")
_C3 = (f"reproduced when bf16's RMS error in the last octave is at least {GROWTH:g} times its RMS for m < {SHORT_POSITIONS} "
       f"(it grows) and that increase exceeds {RATIO:g} times fp32's increase over the same positions (it is bf16's, "
       f"not the fp32 angles' error both share)")
_C4 = (f"the claim's own comparison, fp32 against bf16: reproduced when, in every octave of key positions up to "
       f"{FP32_CONTEXT:,} (long-context training lengths), fp32's RMS error is at least {RATIO:g} times below that of "
       f"each bf16 path at the same positions; differs otherwise. "
       f"Revised after seeing the data: the earlier rule judged fp32 against its own rounding floor at "
       f"m < 2, a comparison the claim does not make")


def _claim1(p: dict[str, float], impl: str, claim: str, cite: str) -> ScoreRow:
    r = p["peak"] / p["floor"]
    verdict = "reproduced" if r > RATIO else "differs"
    return ScoreRow("precision", f"Wang et al.: {claim} ({WANG_PATHS[impl]})", cite,
                    "qualitative (unconfirmed secondary source)", f"peak/L=2 RMS error {fmt(r)}", RATIO, verdict,
                    f"bf16 RMS error {fmt(p['floor'])} at m < 2, at most {fmt(p['peak'])} in any octave "
                    f"({fmt(r)} times): {'a position effect' if r > RATIO else 'rounding, not a position effect'}", _C1)


def _claim3(p: dict[str, float], f32: dict[str, float], impl: str, claim: str, cite: str) -> ScoreRow:
    gb, gf = p["top"] - p["short"], f32["top"] - f32["short"]
    r = gb / gf if gf > 0 else math.inf
    verdict = "reproduced" if p["top"] >= GROWTH * p["short"] and r > RATIO else "differs"
    return ScoreRow("precision", f"Wang et al.: {claim} ({WANG_PATHS[impl]})", cite,
                    "qualitative (unconfirmed secondary source)", f"growth bf16/fp32 {fmt(r)}", RATIO, verdict,
                    f"RMS error m < {SHORT_POSITIONS} vs m in [{fmt(p['top_lo'])}, {fmt(p['top_hi'])}): bf16 "
                    f"{fmt(p['short'])} -> {fmt(p['top'])}, fp32 {fmt(f32['short'])} -> {fmt(f32['top'])}", _C3)


def _octave_margin(error: "pd.DataFrame", impl: str, until: int = FP32_CONTEXT) -> tuple[float, int, int]:
    """The smallest ratio (bf16 path ``impl`` RMS error) / (fp32 RMS error) over the octaves both
    measured with positions below ``until``, and that octave's positions ``[lo, hi)``."""
    def prof(fmt_: str, im: str) -> "pd.Series":
        e = error[(error["status"] == "ok") & (error["dtype"] == fmt_) & (error["implementation"] == im)]
        return e.set_index("bin")[["rms_rel_error", "position_lo", "position_hi"]]
    f32, b = prof("fp32", "fp32"), prof("bf16", impl)
    both = f32.join(b[["rms_rel_error"]].rename(columns={"rms_rel_error": "rms_rel_error_bf16"}),
                    how="inner").dropna()
    both = both[(both["rms_rel_error"] > 0) & (both["position_hi"] <= until)]
    if both.empty:
        return math.nan, 0, 0
    r = both["rms_rel_error_bf16"] / both["rms_rel_error"]
    k = r.idxmin()
    return float(r[k]), int(both.loc[k, "position_lo"]), int(both.loc[k, "position_hi"])


def _claim4(error: "pd.DataFrame", f32: dict[str, float], claim: str, cite: str) -> ScoreRow:
    """"fp32 does not show it" (it: bf16's breakdown), judged by the claim's comparison, fp32 against bf16
    at the same positions: fp32's RMS error at least RATIO below each bf16 path's in every octave.
    Revised after seeing the data (issue 23 item 5): the earlier rule (fp32's peak within RATIO of its own
    m < 2 floor) compared fp32 with itself, which the claim does not do; fp32's own growth (its angles m*theta
    carry ULP(m)-sized errors) is still reported in the reason."""
    margins = {impl: _octave_margin(error, impl) for impl in WANG_PATHS}
    beyond = _octave_margin(error, "hf", 2**62)
    worst = min(margins, key=lambda i: margins[i][0] if math.isfinite(margins[i][0]) else -math.inf)
    r, lo, hi = margins[worst]
    verdict = "reproduced" if math.isfinite(r) and r >= RATIO else "differs"
    per = "; ".join(f"{WANG_PATHS[i]}: at least {fmt(m[0])} times fp32's" for i, m in margins.items())
    return ScoreRow("precision", f"Wang et al.: {claim}", cite, "qualitative (unconfirmed secondary source)",
                    f"min bf16/fp32 RMS error {fmt(r)}", RATIO, verdict,
                    f"in every octave up to {fmt(FP32_CONTEXT)} positions, bf16 RMS error {per} (closest in m in [{fmt(lo)}, {fmt(hi)}), "
                    f"{WANG_PATHS[worst]}); fp32's own error grows from {fmt(f32['floor'])} at m < 2 to "
                    f"{fmt(f32['peak'])} (its fp32 angles m·θ carry ULP(m)-sized errors) but stays "
                    f"{'far ' if verdict == 'reproduced' else 'not far '}below bf16's up to {fmt(FP32_CONTEXT)}"
                    + (f"; beyond, at m in [{fmt(beyond[1])}, {fmt(beyond[2])}), the transformers path is only "
                       f"{fmt(beyond[0])} times fp32's: there its error is the fp32 angles' own, shared by both"
                       if math.isfinite(beyond[0]) and beyond[0] < RATIO else ""), _C4)


def wang_rows(error: "pd.DataFrame", published: dict[str, Any]) -> list[ScoreRow]:
    """Wang et al. 2024's claims on one device's logit-error table: (1) bf16 breaks the relative
    position property, (2) the first token carries most of the error (needs a trained model's
    attention sink: not reproducible on random vectors), (3) the error grows with context length,
    (4) fp32 does not show it; (1) and (3) per bf16 path (transformers path; angles in bf16)."""
    wang = published["wang2024"]
    claims, cite = wang["claims"], wang["citation"]
    f32 = _profile(error, "fp32", "fp32")
    prof = {impl: _profile(error, "bf16", impl) for impl in WANG_PATHS}
    rows: list[ScoreRow] = []
    if f32 is None or any(p is None for p in prof.values()):
        return rows
    rows += [_claim1(prof[i], i, claims[0], cite) for i in WANG_PATHS]
    rows.append(ScoreRow("precision", f"Wang et al.: {claims[1]}", cite, "qualitative (unconfirmed secondary source)",
                         None, None, "not reproducible offline",
                         "needs a trained model's attention (first-token attention sink); random q, k have none",
                         "needs a trained model; not judged"))
    rows += [_claim3(prof[i], f32, i, claims[2], cite) for i in WANG_PATHS]
    rows.append(_claim4(error, f32, claims[3], cite))
    return rows


def scorecard_rows(walls: "pd.DataFrame", error: "pd.DataFrame", published: dict[str, Any],
                   device: str) -> list[ScoreRow]:
    """Every scorecard row of the precision stage for this run's device."""
    err = error[error["device"] == device] if "device" in error.columns else error
    return wall_rows(walls, published, device) + wang_rows(err, published)


def precision_scorecard(
    *, collisions: "pd.DataFrame", walls: "pd.DataFrame", logit_error: "pd.DataFrame", published: dict[str, Any],
) -> dict[str, Any]:
    """The stage's ``scorecard`` step: the scorecard table of this run's device (the one ``collisions``
    was measured on, also returned as ``device`` for the sidecars) from its ``walls`` (the summary
    step's) and ``logit_error``, against the published values."""
    from analysis.core.scorecard import rows_to_frame

    device = str(collisions["device"].iloc[0])
    return {"device": device, "scorecard": rows_to_frame(scorecard_rows(walls, logit_error, published, device))}
