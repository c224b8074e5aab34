"""Model case study: real RoPE models classified against the bounds on the base.

For each model of ``config/models.yaml`` at its claimed context ``L``:

1. **Effective frequencies.** The frequencies the model actually runs come from transformers' own RoPE
   initialisation functions (``transformers.modeling_rope_utils.ROPE_INIT_FUNCTIONS`` for linear,
   dynamic NTK, YaRN, llama3 and LongRoPE; ``LlamaRotaryEmbedding.compute_default_rope_parameters``
   for plain RoPE) applied to a ``LlamaConfig`` built from the entry, never re-implemented here.
   transformers computes them in float32; we take the per-frequency scaling ``scaled / unscaled`` (both
   from transformers, so the float32 rounding of ``base ** x`` cancels) and apply it to the exact
   float64 frequencies ``base ** (-2 i / d)``. The **effective base** is the base of an unscaled RoPE
   with the same lowest frequency: ``theta_min ** (-d / (d - 2))`` (equal to ``rope_theta`` when the
   model has no scaling).
2. **Bounds** (``analysis.bounds``): aliasing, DC stability and the depth-compounded bound in the
   paper's form and exactly; Men et al.'s minimum base for ``(L, d)``; the precision wall of the
   training dtype (the paper's literal reading) and of the angle-computation dtype (float32 in Hugging
   Face implementations: ``inv_freq`` is float32 and ``position * inv_freq`` is computed in float32
   before cos/sin are cast to the activation dtype). Margins are ratios ``effective base / bound``
   (lower bounds) and ``wall / effective base`` (precision wall): > 1 means the bound is met.
3. **Classification** (:func:`classify`), the rule written out:

   - ``infeasible``: the Goldilocks zone is empty (lower bound >= wall) or the effective base is at or
     above the precision wall (positional erasure);
   - ``unstable``: the effective base is below the lower bound (the largest of aliasing, DC and the
     depth-compounded bound);
   - ``very stable``: inside the zone with ``margin_low >= very_stable_margin`` (config);
   - ``stable``: inside the zone otherwise.

   The label uses the exact bounds (config ``form``) and the wall of the angle-computation dtype
   (config ``label_wall``): with the training dtype the literal rule calls every bf16 model infeasible
   (``1 / eps_mach(bf16) = 128``), which contradicts the paper's own "stable" labels and ignores that
   the angles are computed in float32. Both walls and the literal-reading label are columns of the table.
   Separate verdicts: Men et al.'s criterion ``B(m) = sum_i cos(m theta_i) >= 0 for all m <= L``
   evaluated on the model's effective frequencies, and the precision wall of each dtype.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis import bounds
from analysis.core.config import ROOT, load_yaml
from analysis.core.errors import InputError
from analysis.core.rope import inv_freq, rotary_dim, validate_base

__all__ = [
    "LABELS",
    "SCALING_TYPES",
    "MODELS_SCHEMA",
    "load_models",
    "transformers_config",
    "effective_frequencies",
    "effective_base",
    "men_scan",
    "classify",
    "model_row",
    "case_study_table",
    "men_searched",
    "men_pairs",
    "men_bound",
    "classify_config",
    "classify_config_file",
    "scorecard_rows",
    "display_table",
    "to_markdown",
    "to_latex",
    "bibtex",
]

LABELS: tuple[str, ...] = ("very stable", "stable", "unstable", "infeasible")
SCALING_TYPES: tuple[str, ...] = ("linear", "dynamic", "yarn", "llama3", "longrope")
MODELS_SCHEMA = ROOT / "workflow" / "schemas" / "models.schema.yaml"

# defaults shared with the case_study config section; epsilon matches bounds.epsilon (0.5 = cos 60 deg)
DEFAULTS: dict[str, Any] = {
    "epsilon": 0.5,
    "angle_dtype": "fp32",
    "label_wall": "angle",
    "form": "exact",
    "very_stable_margin": 10.0,
    "men_scan_chunk": 65536,
    "men_max_context": 1048576,
}


# --------------------------------------------------------------------------------------------- models
def load_models(path: str | os.PathLike[str], include: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Read and validate ``config/models.yaml``; return its entries (only ``include`` ids when given).

    A schema error raises :class:`InputError` naming the model and the key:
    ``models.yaml: model 'llama-3-8b' key 'rope_theta': 'x' is not of type 'number'``.
    """
    import jsonschema

    data = load_yaml(path)
    schema = load_yaml(MODELS_SCHEMA)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    name = Path(path).name
    if errors:
        e = errors[0]
        p = list(e.absolute_path)
        if len(p) >= 2 and p[0] == "models" and isinstance(p[1], int):
            entry = data["models"][p[1]]
            mid = entry.get("id", f"#{p[1]}") if isinstance(entry, dict) else f"#{p[1]}"
            key = ".".join(str(x) for x in p[2:])
            if not key and e.validator == "required":  # a missing field: name it
                key = str(e.message).split("'")[1]
            raise InputError(f"{name}: model '{mid}' key '{key or '<entry>'}': {e.message}")
        raise InputError(f"{name}: key '{'.'.join(map(str, p)) or '<top level>'}': {e.message}")
    models = data["models"]
    ids = [m["id"] for m in models]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{name}: duplicate model id(s): {', '.join(dup)}")
    for m in models:
        d = rotary_dim(m["head_dim"], m["partial_rotary_factor"])
        sc = m["rope_scaling"]
        if sc and sc["rope_type"] == "longrope":
            for k in ("long_factor", "short_factor", "original_max_position_embeddings"):
                if k not in sc:
                    raise InputError(
                        f"{name}: model '{m['id']}' key 'rope_scaling.{k}': required for longrope"
                    )
                if k != "original_max_position_embeddings" and len(sc[k]) != d // 2:
                    raise InputError(
                        f"{name}: model '{m['id']}' key 'rope_scaling.{k}': needs {d // 2} values "
                        f"(rotary dims / 2), got {len(sc[k])}"
                    )
    if include:
        unknown = sorted(set(include) - set(ids))
        if unknown:
            raise InputError(f"{name}: unknown model id(s) in case_study.include: {', '.join(unknown)}")
        models = [m for m in models if m["id"] in set(include)]
    return models


# ------------------------------------------------------------------------------ effective frequencies
def transformers_config(
    rope_theta: float,
    rotary_dims: int,
    max_position_embeddings: int,
    rope_scaling: Mapping[str, Any] | None = None,
    rope_parameters: Mapping[str, Any] | None = None,
    **extra: Any,
) -> Any:
    """A ``transformers.LlamaConfig`` carrying the RoPE settings (old style ``rope_theta`` +
    ``rope_scaling`` or new style ``rope_parameters``), standardised by transformers itself.

    The head is set to the rotary dims (one head, no partial factor), which is all RoPE reads.
    """
    from transformers import LlamaConfig
    from transformers.utils import logging as hf_logging

    kw: dict[str, Any] = dict(
        hidden_size=int(rotary_dims), num_attention_heads=1, num_key_value_heads=1, head_dim=int(rotary_dims),
        max_position_embeddings=int(max_position_embeddings), num_hidden_layers=1, vocab_size=8,
        intermediate_size=8,
    )
    if rope_parameters is not None:
        kw["rope_parameters"] = {**dict(rope_parameters), "rope_theta": float(rope_theta)}
    else:
        kw["rope_theta"] = float(rope_theta)
        if rope_scaling:
            kw["rope_scaling"] = dict(rope_scaling)
    kw.update(extra)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        cfg = LlamaConfig(**kw)
    except (KeyError, ValueError, TypeError) as e:
        raise InputError(f"invalid RoPE settings for transformers: {e}") from None
    finally:
        hf_logging.set_verbosity(verbosity)
    return cfg


def effective_frequencies(
    rope_theta: float,
    rotary_dims: int,
    rope_scaling: Mapping[str, Any] | None,
    max_position_embeddings: int,
    seq_len: int,
    rope_parameters: Mapping[str, Any] | None = None,
    **extra: Any,
) -> tuple[NDArray[np.float64], float, str]:
    """Angular frequencies (rad / position) the model runs at sequence length ``seq_len``, from
    transformers' RoPE init functions; returns ``(theta[d/2] float64, attention_factor, rope_type)``.

    ``theta_i = base ** (-2 i / d) * (scaled_i / unscaled_i)`` where ``scaled`` and ``unscaled`` are
    transformers' float32 ``inv_freq`` with and without the scaling (see the module docstring).
    """
    import torch
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding
    from transformers.utils import logging as hf_logging

    base = validate_base(rope_theta, "rope_theta")
    d = int(rotary_dims)
    cfg = transformers_config(base, d, max_position_embeddings, rope_scaling, rope_parameters, **extra)
    rope_type = str(cfg.rope_parameters.get("rope_type", "default"))
    plain = transformers_config(base, d, max_position_embeddings)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        unscaled, _ = LlamaRotaryEmbedding.compute_default_rope_parameters(plain)
        if rope_type == "default":
            scaled, attn = unscaled, 1.0
        elif rope_type in ROPE_INIT_FUNCTIONS and rope_type in SCALING_TYPES:
            scaled, attn = ROPE_INIT_FUNCTIONS[rope_type](cfg, torch.device("cpu"), seq_len=int(seq_len))
        else:
            raise InputError(
                f"unknown rope scaling type {rope_type!r}; supported: default, {', '.join(SCALING_TYPES)}"
            )
    except (KeyError, TypeError) as e:
        raise InputError(f"rope scaling {rope_type!r}: missing or invalid parameter {e}") from None
    finally:
        hf_logging.set_verbosity(verbosity)
    ratio = scaled.detach().double().cpu().numpy() / unscaled.detach().double().cpu().numpy()
    if ratio.shape != (d // 2,) or not np.all(np.isfinite(ratio)) or np.any(ratio <= 0):
        raise InputError(
            f"rope scaling {rope_type!r} gave {ratio.shape[0]} frequencies, expected {d // 2} positive"
        )
    return inv_freq(base, d) * ratio, float(attn), rope_type


def effective_base(theta: NDArray[np.float64], d: int, base: float | None = None) -> float:
    """Base of an unscaled RoPE whose lowest frequency equals ``min(theta)``: ``theta_min ** (-d/(d-2))``.

    With the nominal ``base`` it is computed as ``base * (theta_min(base) / min(theta)) ** (d/(d-2))``,
    which returns ``base`` exactly for unscaled frequencies (no float round trip)."""
    if base is None:
        return float(np.min(theta) ** (-d / (d - 2.0)))
    nominal = float(inv_freq(base, d)[-1])
    return float(base) * (nominal / float(np.min(theta))) ** (d / (d - 2.0))


def men_scan(theta: NDArray[np.float64], L: int, chunk: int = 65536) -> dict[str, float | int | None]:
    """Men et al.'s criterion on an arbitrary set of frequencies: ``B(m) = sum_i cos(m theta_i)`` for
    every relative distance ``m = 0..L`` (float64, in blocks of ``chunk`` distances).

    Returns ``first_negative`` (smallest ``m`` with ``B(m) < 0``, None if none), ``n_negative`` (how
    many ``m`` have ``B(m) < 0``) and ``min_B`` with its ``argmin_m``; ``B(0) = d/2``.
    """
    th = np.asarray(theta, dtype=np.float64)
    L = int(L)
    first: int | None = None
    n_neg = 0
    min_b, arg = math.inf, 0
    for start in range(0, L + 1, int(chunk)):
        m = np.arange(start, min(start + int(chunk), L + 1), dtype=np.float64)
        B = np.cos(np.outer(m, th)).sum(axis=1)
        neg = np.flatnonzero(B < 0)
        if neg.size and first is None:
            first = int(m[neg[0]])
        n_neg += int(neg.size)
        k = int(np.argmin(B))
        if B[k] < min_b:
            min_b, arg = float(B[k]), int(m[k])
    return {"first_negative": first, "n_negative": n_neg, "min_B": min_b, "argmin_m": arg}


# ------------------------------------------------------------------------------------ classification
def classify(margin_low: float, margin_high: float, zone_feasible: bool, very_stable_margin: float) -> str:
    """The case-study label (see the module docstring for the rule).

    ``margin_low = base / lower bound``; ``margin_high = wall / base``; ``zone_feasible``: lower bound
    < wall. Returns one of :data:`LABELS`.
    """
    if not zone_feasible or margin_high <= 1.0:
        return "infeasible"
    if margin_low < 1.0:
        return "unstable"
    if margin_low >= very_stable_margin:
        return "very stable"
    return "stable"


@lru_cache(maxsize=None)
def _men_min_base(L: int, d: int) -> float:
    """Men et al.'s minimum base for ``(L, d)`` from the bounds module, cached per pair."""
    return float(bounds.men_min_base(int(L), head_dim=int(d)))


def men_searched(L: int, max_context: int) -> bool:
    """Whether Men et al.'s minimum base is searched for context ``L``: the certified search of the
    bounds module takes about a minute at 1M tokens (d = 128) and grows with ``L``, so contexts above
    ``max_context`` (0: no limit) are left out (NaN, with a note) and only the cheap ``B(m)`` check
    on the model's own frequencies is made there."""
    return int(max_context) <= 0 or int(L) <= int(max_context)


def men_pairs(models: Iterable[Mapping[str, Any]], max_context: int = 0) -> list[tuple[int, int]]:
    """Sorted unique ``(claimed_context, rotary_dims)`` pairs whose Men et al. bound a table needs
    (those with ``claimed_context <= max_context``; 0: all)."""
    pairs = {(int(m["claimed_context"]), rotary_dim(m["head_dim"], m["partial_rotary_factor"])) for m in models}
    return sorted(p for p in pairs if men_searched(p[0], max_context))


def men_bound(L: int, d: int) -> dict[str, Any]:
    """Men et al.'s minimum base for one ``(context_length, head_dim)`` pair, as a record (the workflow
    caches one file per pair, so a pair is searched once however the models change)."""
    return {"context_length": int(L), "head_dim": int(d), "min_base": _men_min_base(int(L), int(d))}


def _settings(cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    s = {**DEFAULTS, **{k: v for k, v in (cfg or {}).items() if k in DEFAULTS}}
    s["epsilon"] = bounds.validate_epsilon(s["epsilon"])
    s["angle_dtype"] = bounds.canonical_dtype(s["angle_dtype"])
    if s["form"] not in ("paper", "exact"):
        raise InputError(f"case_study.form must be 'paper' or 'exact', got {s['form']!r}")
    if s["label_wall"] not in ("angle", "training"):
        raise InputError(f"case_study.label_wall must be 'angle' or 'training', got {s['label_wall']!r}")
    return s


def model_row(
    model: Mapping[str, Any],
    cfg: Mapping[str, Any] | None = None,
    men_min_base: float | None = None,
    context_length: int | None = None,
) -> dict[str, Any]:
    """Every bound, margin and verdict for one model entry at ``context_length`` (default: its claimed
    context). ``men_min_base``: a precomputed Men et al. bound for ``(L, d)`` (computed when None)."""
    s = _settings(cfg)
    d = rotary_dim(model["head_dim"], model["partial_rotary_factor"])
    L = int(context_length or model["claimed_context"])
    N = int(model["layers"])
    sc = model.get("rope_scaling") or None
    extra = model.get("_transformers_extra") or {}
    theta, attn, rope_type = effective_frequencies(
        model["rope_theta"], d, sc, max_position_embeddings=int(model["claimed_context"]), seq_len=L,
        rope_parameters=model.get("_rope_parameters"), **extra,
    )
    eff = effective_base(theta, d, float(model["rope_theta"]))
    train_dt = bounds.canonical_dtype(model["training_dtype"])
    pb_angle = bounds.phase_bounds(L, N, s["epsilon"], d, s["angle_dtype"])
    pb_train = bounds.phase_bounds(L, N, s["epsilon"], d, train_dt)
    if men_min_base is not None:
        men = float(men_min_base)
    else:
        men = _men_min_base(L, d) if men_searched(L, s["men_max_context"]) else math.nan
    men_note = "" if math.isfinite(men) else (
        f"not searched: L above case_study.men_max_context ({s['men_max_context']:,})"
    )
    scan = men_scan(theta, L, s["men_scan_chunk"])
    first_neg = scan["first_negative"]
    form = s["form"]

    def label(pb: bounds.PhaseBounds, f: str) -> tuple[str, float, float, bool]:
        low, high = pb.lower_bound[f], pb.precision_wall[f]
        ml, mh = eff / low, high / eff
        return classify(ml, mh, bool(low < high), s["very_stable_margin"]), ml, mh, bool(low < high)

    wall_pb = pb_angle if s["label_wall"] == "angle" else pb_train
    lab, m_low, m_high, feasible = label(wall_pb, form)
    lab_paper_form, *_ = label(wall_pb, "paper")
    lab_literal, *_ = label(pb_train, "paper")
    pl = model.get("paper_label") or None
    paper_label = pl["label"] if pl else "unconfirmed"
    paper_conf = bool(pl["confirmed"]) if pl else False
    return {
        "id": model["id"],
        "name": model["name"],
        "family": model["family"],
        "rope_theta": float(model["rope_theta"]),
        "rotary_dims": d,
        "layers": N,
        "pretrain_context": int(model["pretrain_context"]),
        "claimed_context": L,
        "scaling": rope_type if sc else "none",
        "scaling_factor": float(sc.get("factor", math.nan)) if sc and "factor" in sc else math.nan,
        "training_dtype": train_dt,
        "angle_dtype": s["angle_dtype"],
        "attention_factor": attn,
        "effective_min_frequency": float(np.min(theta)),
        "effective_base": eff,
        "aliasing_min_base_paper": pb_angle.aliasing["paper"],
        "aliasing_min_base_exact": pb_angle.aliasing["exact"],
        "dc_min_base_paper": pb_angle.dc_stability["paper"],
        "dc_min_base_exact": pb_angle.dc_stability["exact"],
        "depth_min_base_paper": pb_angle.depth_compounded["paper"],
        "depth_min_base_exact": pb_angle.depth_compounded["exact"],
        "lower_bound": pb_angle.lower_bound[form],
        "men_min_base": men,
        "men_min_base_note": men_note,
        "wall_angle_paper": pb_angle.precision_wall["paper"],
        "wall_angle_exact": pb_angle.precision_wall["exact"],
        "wall_training_paper": pb_train.precision_wall["paper"],
        "wall_training_exact": pb_train.precision_wall["exact"],
        "margin_aliasing": eff / pb_angle.aliasing[form],
        "margin_dc": eff / pb_angle.dc_stability[form],
        "margin_depth": eff / pb_angle.depth_compounded[form],
        "margin_men": eff / men,
        "margin_wall_angle": pb_angle.precision_wall[form] / eff,
        "margin_wall_training": pb_train.precision_wall[form] / eff,
        "margin_low": m_low,
        "margin_high": m_high,
        "zone_feasible": feasible,
        "label": lab,
        "label_paper_form": lab_paper_form,
        "label_literal_training_wall": lab_literal,
        "men_first_negative_m": float(first_neg) if first_neg is not None else math.nan,
        "men_negative_count": int(scan["n_negative"]),
        "men_min_B": float(scan["min_B"]),
        "verdict_men": "meets" if first_neg is None else "violated",
        "verdict_wall_angle": "below wall" if eff < pb_angle.precision_wall[form] else "at or above wall",
        "verdict_wall_training": "below wall" if eff < pb_train.precision_wall[form] else "at or above wall",
        "paper_label": paper_label,
        "paper_label_confirmed": paper_conf,
        "label_differs": bool(pl is not None and pl["label"] != lab),
        "source": model.get("source", ""),
        "note": model.get("note", ""),
    }


def case_study_table(
    models: Sequence[Mapping[str, Any]], cfg: Mapping[str, Any] | None = None, men: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One :func:`model_row` per model; ``men``: Men et al.'s bounds (records of :func:`men_bound`:
    ``context_length, head_dim, min_base``) for every pair :func:`men_pairs` lists; pairs above
    ``men_max_context`` get NaN."""
    from tqdm import tqdm

    s = _settings(cfg)
    lookup: dict[tuple[int, int], float] = {}
    if men is not None:
        lookup = {(int(r.context_length), int(r.head_dim)): float(r.min_base) for r in men.itertuples()}
    rows = []
    for m in tqdm(models, desc="case study", unit="model"):
        key = (int(m["claimed_context"]), rotary_dim(m["head_dim"], m["partial_rotary_factor"]))
        val = lookup.get(key)
        if men is not None and val is None:
            if men_searched(key[0], s["men_max_context"]):
                raise InputError(f"Men et al. bound missing for model {m['id']!r} (L={key[0]}, d={key[1]})")
            val = math.nan
        rows.append(model_row(m, cfg, val))
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- classify a config.json
_DTYPE_KEYS = ("torch_dtype", "dtype")


def classify_config(
    config: Mapping[str, Any],
    context_length: float | None = None,
    dtype: str | None = None,
    cfg: Mapping[str, Any] | None = None,
    name: str = "config",
) -> dict[str, Any]:
    """Classify a Hugging Face ``config.json`` (already parsed) against the bounds.

    Accepts the old style (``rope_theta`` + ``rope_scaling``) and the new style (``rope_parameters``
    with ``rope_theta`` inside). Rotary dims: ``qk_rope_head_dim`` (MLA) or ``head_dim`` (else
    ``hidden_size // num_attention_heads``) times ``partial_rotary_factor``. Context: ``context_length``
    or ``max_position_embeddings``. Dtype: ``dtype`` or the config's ``torch_dtype``/``dtype``, else bf16.
    """
    if not isinstance(config, Mapping):
        raise InputError(f"{name}: expected a JSON object, got {type(config).__name__}")
    rp = config.get("rope_parameters")
    if rp is not None and not isinstance(rp, Mapping):
        raise InputError(f"{name}: rope_parameters must be an object")
    if rp and all(isinstance(v, Mapping) for v in rp.values()):
        raise InputError(
            f"{name}: per-layer-type rope_parameters ({', '.join(rp)}) are not supported; "
            "write one layer type's parameters into a copy of the config"
        )
    theta = (rp or {}).get("rope_theta", config.get("rope_theta"))
    if theta is None:
        raise InputError(f"{name}: no rope_theta (neither top-level nor in rope_parameters)")
    scaling = config.get("rope_scaling")
    style = "rope_parameters" if rp else "rope_theta/rope_scaling"
    rope_type = str((rp or scaling or {}).get("rope_type", (rp or scaling or {}).get("type", "default")))
    if rope_type not in ("default", *SCALING_TYPES):
        raise InputError(
            f"{name}: unknown rope scaling type {rope_type!r}; supported: default, {', '.join(SCALING_TYPES)}"
        )

    def need_int(key: str) -> int:
        v = config.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            raise InputError(f"{name}: {key} missing or not a positive number (got {v!r})")
        return int(v)

    if config.get("qk_rope_head_dim"):
        head_dim = need_int("qk_rope_head_dim")
    elif config.get("head_dim"):
        head_dim = need_int("head_dim")
    else:
        head_dim = need_int("hidden_size") // need_int("num_attention_heads")
    prf = (rp or {}).get("partial_rotary_factor", config.get("partial_rotary_factor", 1.0))
    d = rotary_dim(head_dim, prf if prf is not None else 1.0)
    max_pos = need_int("max_position_embeddings")
    layers = need_int("num_hidden_layers")
    L = int(bounds.validate_context_length(context_length)) if context_length is not None else max_pos
    dt = dtype or next((config[k] for k in _DTYPE_KEYS if isinstance(config.get(k), str)), None) or "bf16"
    train_dt = bounds.canonical_dtype(dt)
    orig = config.get("original_max_position_embeddings")
    pre = int((rp or scaling or {}).get("original_max_position_embeddings", orig or max_pos))
    model: dict[str, Any] = {
        "id": name, "name": name, "family": str(config.get("model_type", "")), "rope_theta": float(theta),
        "head_dim": d, "partial_rotary_factor": 1.0, "layers": layers, "pretrain_context": pre,
        "claimed_context": max_pos, "rope_scaling": None if rp else (dict(scaling) if scaling else None),
        "training_dtype": train_dt, "paper_label": None, "note": "",
    }
    if rp:
        model["_rope_parameters"] = {k: v for k, v in rp.items() if k != "rope_theta"}
        if rope_type != "default":
            factor = {"factor": rp["factor"]} if "factor" in rp else {}
            model["rope_scaling"] = {"rope_type": rope_type, **factor}
    if orig is not None:
        model["_transformers_extra"] = {"original_max_position_embeddings": int(orig)}
    row = model_row(model, cfg, context_length=L)
    bkeys = ("aliasing", "dc", "depth")

    def both(prefix: str) -> dict[str, float]:
        return {"paper": row[f"{prefix}_paper"], "exact": row[f"{prefix}_exact"]}

    return {
        "config_style": style,
        "rope_theta": float(theta),
        "rope_type": row["scaling"],
        "rotary_dims": d,
        "layers": layers,
        "context_length": L,
        "training_dtype": train_dt,
        "angle_dtype": row["angle_dtype"],
        "effective_min_frequency": row["effective_min_frequency"],
        "effective_base": row["effective_base"],
        "men_min_base": None if math.isnan(row["men_min_base"]) else row["men_min_base"],
        "men_min_base_note": row["men_min_base_note"],
        "men_first_negative_m": (
            None if math.isnan(row["men_first_negative_m"]) else int(row["men_first_negative_m"])
        ),
        "men_negative_count": row["men_negative_count"],
        "men_min_B": row["men_min_B"],
        "bounds": {
            **{f"{k}_min_base": both(f"{k}_min_base") for k in bkeys},
            "precision_wall_angle_dtype": both("wall_angle"),
            "precision_wall_training_dtype": both("wall_training"),
        },
        "margins": {
            k: (None if math.isnan(row[f"margin_{k}"]) else row[f"margin_{k}"])
            for k in ("aliasing", "dc", "depth", "men", "wall_angle", "wall_training")
        },
        "verdict": {
            "label": row["label"],
            "label_paper_form": row["label_paper_form"],
            "label_literal_training_wall": row["label_literal_training_wall"],
            "men": row["verdict_men"],
            "precision_wall_angle_dtype": row["verdict_wall_angle"],
            "precision_wall_training_dtype": row["verdict_wall_training"],
        },
        "settings": _settings(cfg),
    }


def classify_config_file(
    path: str | os.PathLike[str], context_length: float | None = None, dtype: str | None = None,
    cfg: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """:func:`classify_config` on a local ``config.json``; a missing file or invalid JSON raises
    :class:`InputError` naming it."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file not found: {p}")
    try:
        data = json.loads(p.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{p}: invalid JSON: {e}") from None
    return classify_config(data, context_length=context_length, dtype=dtype, cfg=cfg, name=str(p))


# ------------------------------------------------------------------------------------------ outputs
def scorecard_rows(table: pd.DataFrame) -> list[Any]:
    """Scorecard rows for the per-model labels of the phase-modulation paper: all 'not reproducible
    offline' (the paper's case-study rows and epsilon are unconfirmed), with our label as our value."""
    from analysis.core.scorecard import ScoreRow, published

    pub = published()["liu2026"]
    rows = []
    for r in table.itertuples():
        if r.paper_label == "unconfirmed":
            reason = (
                "the paper's label for this model is unconfirmed "
                "(the summaries available to us give only the qualitative outcome)"
            )
            paper: str | None = None
        else:
            paper = f"{r.paper_label} (secondary, unconfirmed)"
            agree = "agrees" if not r.label_differs else "differs"
            reason = (
                f"paper's configuration for this row is unconfirmed; our stand-in's label {agree} with the "
                "secondary summary"
            )
        rows.append(ScoreRow("case_study", f"label: {r.name}", pub["citation"], paper, r.label, None,
                             "not reproducible offline", reason))
    return rows


_MD_COLS = {
    "name": "model", "rope_theta": "base", "effective_base": "eff. base", "rotary_dims": "d", "layers": "N",
    "claimed_context": "L", "scaling": "scaling", "lower_bound": "lower bound",
    "men_min_base": "Men min base",
    "wall_angle_exact": "wall (angle dtype)", "margin_low": "margin low", "margin_high": "margin wall",
    "label": "label", "verdict_men": "Men", "label_literal_training_wall": "literal (training dtype)",
    "paper_label": "paper",
}


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The columns shown in the report and the Markdown/LaTeX renderings, formatted for reading."""
    out = table[list(_MD_COLS)].rename(columns=_MD_COLS).copy()
    for c in ("base", "eff. base", "lower bound", "Men min base", "wall (angle dtype)"):
        out[c] = [f"{v:.3g}" if math.isfinite(v) else "not searched" for v in out[c]]
    for c in ("margin low", "margin wall"):
        out[c] = [f"{v:.3g}" for v in out[c]]
    out["L"] = [f"{int(v):,}" for v in out["L"]]
    out["paper"] = [p + (" (differs)" if dif else "") for p, dif in zip(out["paper"], table["label_differs"])]
    out["Men"] = [
        "meets" if v == "meets" else f"fails at {n:,} m"
        for v, n in zip(table["verdict_men"], table["men_negative_count"])
    ]
    return out


def to_markdown(table: pd.DataFrame) -> str:
    """The table as GitHub Markdown (display columns, 3 significant digits)."""
    return display_table(table).to_markdown(index=False) + "\n"


def to_latex(table: pd.DataFrame) -> str:
    """The table as a LaTeX ``tabular`` (booktabs; special characters escaped)."""
    df = display_table(table)

    def esc(s: Any) -> str:
        t = str(s)
        for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#")):
            t = t.replace(a, b)
        return t

    lines = [r"\begin{tabular}{" + "l" + "r" * (len(df.columns) - 1) + "}", r"\toprule"]
    lines.append(" & ".join(esc(c) for c in df.columns) + r" \\")
    lines.append(r"\midrule")
    for row in df.itertuples(index=False):
        lines.append(" & ".join(esc(v) for v in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    return "\n".join(lines)


def bibtex(version: str, year: int, url: str | None = None) -> str:
    """A BibTeX entry for citing the case-study table of this project version (``url``: where the
    project is published, omitted when not known)."""
    how = f"  howpublished = {{\\url{{{url}}}}},\n" if url else ""
    return (
        f"@misc{{rope_bounds_case_study_{version.replace('.', '_').replace('+', '_')},\n"
        "  title        = {rope-bounds: RoPE models classified against bounds on the base"
        " (case-study table)},\n"
        f"  author       = {{{{rope-bounds contributors}}}},\n"
        f"  year         = {{{year}}},\n"
        f"  version      = {{{version}}},\n"
        f"{how}"
        f"  note         = {{Table results/case\\_study/table.csv, version {version}}}\n"
        "}\n"
    )
