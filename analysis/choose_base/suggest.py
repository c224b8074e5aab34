"""Suggest a RoPE base (and, when extending a model, a scaling setting) for a target context.

Two questions, one answer each:

1. **Which base?** :func:`minimum_bases`: the minimum base by each criterion — Men et al.'s certified
   minimum (``B(m) >= 0`` for every ``m <= L``; the shipped curve, else the certified search), the
   phase-modulation aliasing, DC-stability and depth-compounded bounds (exact and paper form) — the
   largest of them named, and the precision wall of the number format.
2. **How to get there from a trained model?** :func:`scaling_settings`: for each way of extending a
   model (raise ``rope_theta``; linear; dynamic NTK; YaRN; llama3), the smallest setting whose
   *effective* frequencies (transformers' own ``ROPE_INIT_FUNCTIONS``, read as ``classify`` reads
   them: :func:`analysis.case_study.frequencies.group_frequencies`) meet the chosen criterion at the
   target length, with a ready-to-paste config block.

How each setting is searched (stated in every result):

- phase criteria (aliasing, DC, depth) depend on the lowest effective frequency only, which no
  method raises as its factor grows (each frequency is ``theta_i`` times a non-increasing function
  of the factor): the predicate is monotone and **bisection** on ``[1, max_factor]`` finds the
  smallest factor;
- Men et al.'s criterion is *not* monotone in the base (the feasible bases are not an interval), so
  the factor is found by a **grid scan** (``per_octave`` log-spaced factors from 1 to ``max_factor``)
  and **bisection inside the first feasible grid cell**; a feasible window narrower than one grid
  cell below it would be missed (said in the result). Raising ``rope_theta`` needs no search: its
  frequencies are an unscaled RoPE, whose smallest feasible base is Men et al.'s certified minimum.

Every suggested value is checked: the criterion holds at it and fails at ``below`` (a value at most a
relative ``rtol`` under it, or the certified edge for ``rope_theta``).

What a check of Men et al.'s criterion costs (:class:`MenAlongFactor`): a failing factor is usually
decided by ``B`` at a distance where an earlier factor failed (a few cosines) or at every 32nd distance;
only a passing factor, or a new kind of failure, scans every distance ``0..L``. The answers are those
of the plain scan (tested); the search visits the same factors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.core.errors import InputError

__all__ = [
    "CRITERIA", "METHODS", "Extension", "SearchSettings", "minimum_bases", "criterion_limit", "criterion_met",
    "men_witness", "MenAlongFactor",
    "method_rope", "method_frequencies", "search_factor", "scaling_settings", "closed_form_settings", "suggest",
]

CRITERIA: tuple[str, ...] = ("men", "dc", "depth", "aliasing")
METHODS: tuple[str, ...] = ("rope_theta", "linear", "dynamic", "yarn", "llama3")
_BOUND_KEYS = {"aliasing": "aliasing", "dc": "dc_stability", "depth": "depth_compounded"}
_DIGITS = 7  # significant digits of a suggested factor (rounded up, then re-checked)


@dataclass(frozen=True)
class Extension:
    """A trained model to extend: its base, the context its frequencies were trained at, and the
    fixed parameters of the scaling methods (llama3's band factors, YaRN's betas)."""

    from_base: float
    original_context: int
    low_freq_factor: float = 1.0
    high_freq_factor: float = 4.0
    beta_fast: float = 32.0
    beta_slow: float = 1.0


@dataclass(frozen=True)
class SearchSettings:
    """How factors are searched (config keys choose_base.*)."""

    max_factor: float = 1024.0
    per_octave: int = 8
    rtol: float = 1e-6


def minimum_bases(L: int, d: int, layers: int, epsilon: float, dtype: str, progress: bool = False,
                  angle_dtype: str = "fp32") -> dict[str, Any]:
    """The minimum base for context ``L`` by each criterion, the largest one named, and the
    precision walls of ``dtype`` and of ``angle_dtype`` (the format the RoPE angles are computed in;
    both forms). Men et al.'s value comes from the shipped curve, else the certified search (with a
    progress bar when ``progress``)."""
    from analysis.bounds.phase import phase_bounds, precision_wall
    from analysis.case_study.men import men_min_base_and_method as men_min_base

    pb = phase_bounds(L, layers, epsilon, d, dtype)
    men, how = men_min_base(int(L), pb.head_dim, progress=progress)
    rows = {"men": {"exact": men, "paper": None, "source": how}}
    for crit, key in _BOUND_KEYS.items():
        b = getattr(pb, key)
        rows[crit] = {"exact": b["exact"], "paper": b["paper"], "source": "closed form"}
    largest = max(rows, key=lambda k: rows[k]["exact"])
    wall = pb.precision_wall
    return {
        "context_length": int(L), "rotary_dims": pb.head_dim, "layers": pb.layers, "epsilon": pb.epsilon,
        "dtype": pb.dtype, "bounds": rows, "largest": largest, "largest_base": rows[largest]["exact"],
        "precision_wall": {"exact": wall["exact"], "paper": wall["paper"], "eps_mach": wall["eps_mach"]},
        "feasible": bool(rows[largest]["exact"] < wall["exact"]),
        "angle_dtype": angle_dtype, "angle_wall": precision_wall(angle_dtype, pb.head_dim)["exact"],
    }


def criterion_limit(criterion: str, epsilon: float, layers: int) -> float:
    """For the phase criteria, the largest ``L * theta_min`` allowed: aliasing ``2 pi``, DC
    ``arccos(eps)``, depth ``arccos(eps^(1/N))`` (the exact forms of :mod:`analysis.bounds.phase`)."""
    if criterion == "aliasing":
        return 2.0 * math.pi
    if criterion == "dc":
        return math.acos(epsilon)
    if criterion == "depth":
        return math.acos(epsilon ** (1.0 / layers))
    raise InputError(f"criterion must be one of {', '.join(c for c in CRITERIA if c != 'men')} here, got {criterion!r}")


# stride of the quick rejection in men_witness (distances)
SUBSAMPLE = 32


def _subsampled_witness(theta: NDArray[np.float64], L: int) -> int | None:
    """A cheap sure rejection: ``B`` at every ``SUBSAMPLE``-th distance is ``B`` of the frequencies
    ``SUBSAMPLE * theta`` at consecutive ones (1/SUBSAMPLE of the work); a value clearly below zero
    there is a negative ``B(m)``, ``m <= L`` (returned). None: no verdict, scan every distance."""
    from analysis.core.men import men_B

    n = int(L) // SUBSAMPLE + 1
    if n < 16:
        return None
    sub = men_B(SUBSAMPLE * np.asarray(theta, dtype=np.float64), 0, n, row=max(16, math.isqrt(n)))
    j = int(np.argmin(sub))
    return SUBSAMPLE * j if float(sub[j]) < -1e-9 else None


def men_witness(theta: NDArray[np.float64], L: int) -> int | None:
    """A distance ``m <= L`` with ``B(m) < 0`` for frequencies ``theta`` (None: ``B(m) >= 0`` for
    every ``m <= L``, from the full early-stopping scan :func:`analysis.core.men.men_scan`)."""
    return _witness_and_scan(theta, L)[0]


def _witness_and_scan(theta: NDArray[np.float64], L: int) -> tuple[int | None, dict[str, Any] | None]:
    """:func:`men_witness`'s answer and the early-stopping scan it ran (None when the subsampled
    rejection decided without one)."""
    from analysis.core.men import men_scan

    m = _subsampled_witness(theta, L)
    if m is not None:
        return int(m), None
    scan = men_scan(theta, int(L), stop_at_first=True)  # a pass scans every distance
    m = scan["first_negative"]
    return (None if m is None else int(m)), scan


def criterion_met(theta: NDArray[np.float64], L: int, criterion: str, epsilon: float, layers: int) -> bool:
    """Whether frequencies ``theta`` meet ``criterion`` at context ``L``: Men et al.'s ``B(m) >= 0``
    for every ``m <= L`` (:func:`men_witness`), or ``L * theta_min`` within the phase limit."""
    if criterion == "men":
        return men_witness(theta, int(L)) is None
    return float(L) * float(np.min(theta)) <= criterion_limit(criterion, epsilon, layers)


class MenAlongFactor:
    """Men et al.'s criterion along one method's factor: ``pred(f)`` is ``B(m) >= 0`` for every
    ``m <= L`` on the effective frequencies at factor ``f`` (:func:`men_witness`'s test, the same
    answers). Two savings, neither changes an answer:

    - every failing check records its *witness* (a distance with ``B < 0``) and every later check
      first evaluates ``B`` at the witnesses only (a few cosines): a negative value there is a sure
      failure, so most failing factors of a search never pay for a scan;
    - the scan of a passing factor is kept (:meth:`scan` returns it instead of scanning again).
    """

    def __init__(self, frequencies: Callable[[float], NDArray[np.float64]], L: int):
        self.frequencies, self.L = frequencies, int(L)
        self.witnesses: list[int] = []
        self.scans = 0
        self._passed: dict[float, dict[str, Any]] = {}

    def __call__(self, f: float) -> bool:
        from analysis.core.men import men_B_at

        theta = self.frequencies(f)
        if self.witnesses and float(np.min(men_B_at(theta, self.witnesses))) < 0.0:
            return False
        m, scan = _witness_and_scan(theta, self.L)
        if scan is not None:
            self.scans += 1
        if m is None:
            assert scan is not None  # a pass is decided only by a full scan
            self._passed[float(f)] = scan
            return True
        self.witnesses.append(m)
        return False

    def scan(self, f: float) -> dict[str, Any]:
        """:func:`analysis.core.men.men_scan` of the frequencies at ``f`` (kept from a passing check)."""
        from analysis.core.men import men_scan

        return self._passed.get(float(f)) or men_scan(self.frequencies(f), self.L)


def method_rope(method: str, factor: float, ext: Extension, L: int) -> tuple[dict[str, Any], int]:
    """Standardised rope parameters (transformers v5 ``rope_parameters``) and the
    ``max_position_embeddings`` of ``method`` at ``factor`` (for ``rope_theta``: the new base is
    ``from_base * factor``). Dynamic NTK reads the original context from ``max_position_embeddings``
    (transformers rescales above it), so that field stays the original length."""
    b, f, orig = float(ext.from_base), float(factor), int(ext.original_context)
    if method == "rope_theta":
        return {"rope_type": "default", "rope_theta": b * f}, int(L)
    if method == "linear":
        return {"rope_type": "linear", "factor": f, "rope_theta": b}, int(L)
    if method == "dynamic":
        return {"rope_type": "dynamic", "factor": f, "rope_theta": b}, orig
    if method == "yarn":
        return {"rope_type": "yarn", "factor": f, "original_max_position_embeddings": orig,
                "beta_fast": float(ext.beta_fast), "beta_slow": float(ext.beta_slow), "rope_theta": b}, int(L)
    if method == "llama3":
        return {"rope_type": "llama3", "factor": f, "low_freq_factor": float(ext.low_freq_factor),
                "high_freq_factor": float(ext.high_freq_factor), "original_max_position_embeddings": orig,
                "rope_theta": b}, int(L)
    raise InputError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def method_frequencies(method: str, factor: float, ext: Extension, L: int, d: int) -> tuple[NDArray[np.float64], float]:
    """Effective frequencies (and attention factor) the model runs at sequence length ``L`` with
    ``method`` at ``factor``, from transformers' RoPE init functions (as ``classify`` reads them)."""
    from analysis.case_study.frequencies import group_frequencies

    rope, mpe = method_rope(method, factor, ext, L)
    theta, attn, _ = group_frequencies(rope, int(d), mpe, int(L))
    return theta, attn


@dataclass
class Search:
    """Result of :func:`search_factor`: the smallest factor found (None: not attainable up to
    ``max_factor``), the checked value just below it, and how it was searched."""

    factor: float | None
    below: float | None
    how: str
    evaluations: int = 0
    already: bool = False
    notes: list[str] = field(default_factory=list)


def _bisect(pred: Callable[[float], bool], lo: float, hi: float, rtol: float) -> tuple[float, float, int]:
    """Shrink ``[lo, hi]`` (``pred(lo)`` False, ``pred(hi)`` True) in log space to ``hi/lo - 1 <= rtol``."""
    n = 0
    while hi / lo - 1.0 > rtol:
        mid = math.sqrt(lo * hi)
        n += 1
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return lo, hi, n


def _round_up_checked(pred: Callable[[float], bool], f: float, below: float) -> tuple[float, float, int]:
    """``f`` rounded up to :data:`_DIGITS` significant digits where the criterion still holds."""
    from analysis.bounds.men import _round_up

    r, n = _round_up(f, _DIGITS), 0
    for _ in range(8):
        n += 1
        if pred(r):
            return r, below, n
        r = _round_up(r * (1 + 10.0 ** (1 - _DIGITS)), _DIGITS)
    return f, below, n  # every rounded value failed (a narrow window): keep the unrounded one


def search_factor(pred: Callable[[float], bool], monotone: bool, s: SearchSettings) -> Search:
    """Smallest factor ``f`` in ``[1, max_factor]`` with ``pred(f)`` (see the module docstring)."""
    top = float(s.max_factor)
    if pred(1.0):
        return Search(1.0, None, "met at factor 1, the smallest factor transformers accepts", 1, already=True)
    if monotone:
        how = "bisection (the criterion is monotone in the factor)"
        if not pred(top):
            return Search(None, top, f"not attainable up to factor {top:g} ({how})", 2)
        lo, hi, n = _bisect(pred, 1.0, top, s.rtol)
        f, below, k = _round_up_checked(pred, hi, lo)
        return Search(f, below, how, n + k + 2)
    n_grid = int(math.ceil(math.log2(top) * s.per_octave))
    grid = np.exp(np.linspace(0.0, math.log(top), n_grid + 1))
    how = (f"grid of {s.per_octave} factors per octave up to {top:g}, then bisection in the first feasible "
           "cell (not monotone; a feasible window narrower than a grid cell below it would be missed)")
    prev = 1.0
    for i, g in enumerate(grid[1:], start=1):
        if pred(float(g)):
            lo, hi, n = _bisect(pred, prev, float(g), s.rtol)
            f, below, k = _round_up_checked(pred, hi, lo)
            return Search(f, below, how, i + 1 + n + k)
        prev = float(g)
    return Search(None, top, f"not attainable up to factor {top:g} ({how})", len(grid))


def _blocks(rope: Mapping[str, Any], mpe: int) -> dict[str, Any]:
    """The config.json fragments: transformers v5 ``rope_parameters`` and the legacy ``rope_theta`` +
    ``rope_scaling`` (transformers v4, vLLM, llama.cpp's converters)."""
    rope = dict(rope)
    legacy: dict[str, Any] = {"max_position_embeddings": int(mpe), "rope_theta": rope["rope_theta"]}
    scaling = {k: v for k, v in rope.items() if k != "rope_theta"}
    legacy["rope_scaling"] = None if scaling.get("rope_type") == "default" else scaling
    return {"rope_parameters": {"max_position_embeddings": int(mpe), "rope_parameters": rope}, "legacy": legacy}


_KEYS = {
    "rope_theta": "rope_theta (rope_type default: no rope_scaling)",
    "linear": "factor",
    "dynamic": "factor; max_position_embeddings = the original context (transformers rescales above it)",
    "yarn": "factor, original_max_position_embeddings, attention_factor (optional: default 0.1 ln(factor) + 1), "
            "beta_fast, beta_slow",
    "llama3": "factor, original_max_position_embeddings, low_freq_factor, high_freq_factor",
}


def _one_method(method: str, ext: Extension, L: int, d: int, criterion: str, epsilon: float, layers: int,
                s: SearchSettings, men_min: float | None) -> dict[str, Any]:
    from analysis.case_study.frequencies import effective_base

    def frequencies(f: float) -> NDArray[np.float64]:
        return method_frequencies(method, f, ext, L, d)[0]

    # Men et al.'s check along the factor: the search's predicate for the men criterion, and for every
    # criterion the table's B(m) column at the chosen factor (men_check.scan; kept if the search passed it)
    men_check = MenAlongFactor(frequencies, L)
    pred: Callable[[float], bool] = men_check
    if criterion != "men":
        def pred(f: float) -> bool:
            return criterion_met(frequencies(f), L, criterion, epsilon, layers)

    if method == "rope_theta" and criterion == "men" and men_min is not None:
        # an unscaled RoPE: the smallest feasible base is Men et al.'s certified minimum (every smaller
        # base certified infeasible); below = a base just under it
        f = men_min / ext.from_base
        if f <= 1.0 and pred(1.0):
            res = Search(1.0, None, "met by the current base (no change needed)", 1, already=True)
        elif pred(f) and not pred(f * (1 - 1e-6)):
            res = Search(f, f * (1 - 1e-6), "Men et al.'s certified minimum base (no search)", 3)
        else:  # pragma: no cover - the certified value failed its own check: search instead
            res = search_factor(pred, monotone=False, s=s)
    else:
        res = search_factor(pred, monotone=criterion != "men", s=s)
    out: dict[str, Any] = {"method": method, "criterion": criterion, "search": res.how,
                           "search_kind": _kind(res.how),
                           "evaluations": res.evaluations, "attainable": res.factor is not None,
                           "already_met": res.already, "keys": _KEYS[method], "notes": list(res.notes)}
    if res.factor is None:
        out.update({"factor": None, "setting": None, "below": res.below, "effective_base": None,
                    "men_ok": None, "men_first_negative": None, "blocks": None})
        return out
    f = res.factor  # the block's value: the smallest factor, except for YaRN (a whole number of tokens)
    rope, mpe = method_rope(method, f, ext, L)
    if method == "yarn" and not res.already:  # transformers wants factor = max_position_embeddings / original
        f, mpe_y, note = _yarn_consistent(pred, f, ext, L)
        out["notes"].append(note)
        rope, mpe = method_rope(method, f, ext, L)[0], mpe_y
    theta, attn = method_frequencies(method, f, ext, L, d)
    if method == "yarn":
        rope = {**rope, "attention_factor": float(attn)}
    scan = men_check.scan(f)
    out.update({
        "factor": res.factor, "setting": rope["rope_theta"] if method == "rope_theta" else f,
        "below": None if res.below is None else (res.below * ext.from_base if method == "rope_theta" else res.below),
        "effective_base": effective_base(theta, d, float(ext.from_base)),
        "men_ok": scan["first_negative"] is None, "men_first_negative": scan["first_negative"],
        "men_min_B": scan["min_B"], "attention_factor": float(attn), "blocks": _blocks(rope, mpe),
    })
    return out


def _kind(how: str) -> str:
    """A short name of how a setting was found (table column)."""
    for key, name in (("met at factor 1", "factor 1"), ("met by the current", "current base"), ("certified", "certified curve"),
                      ("grid", "grid + bisection"), ("bisection", "bisection")):
        if key in how:
            return name
    return how


def _yarn_consistent(pred: Callable[[float], bool], f: float, ext: Extension, L: int) -> tuple[float, int, str]:
    """YaRN's factor made a whole number of tokens over the original context (transformers warns when
    ``factor != max_position_embeddings / original_max_position_embeddings``), re-checked."""
    orig = int(ext.original_context)
    conventional = L / orig
    if f <= conventional and pred(conventional):
        return conventional, int(L), (f"smallest factor {f:.7g}; the block uses the conventional factor target / "
                                      f"original = {conventional:.7g} (the criterion holds there too), so that "
                                      "max_position_embeddings = the target")
    k = math.ceil(f * orig)
    for _ in range(64):
        if pred(k / orig):
            mpe = k
            g = k / orig
            extra = "" if mpe >= L else (f"; below the target, as transformers ties max_position_embeddings to "
                                         f"factor × original (the criterion is checked at the target {L:,})")
            return g, mpe, (f"factor {g:.7g} = {mpe:,} / {orig:,} tokens (max_position_embeddings / "
                            f"original_max_position_embeddings, as transformers requires){extra}")
        k += 1
    return f, int(round(f * orig)), "no factor of a whole number of tokens just above the smallest one meets the criterion"


def scaling_settings(ext: Extension, L: int, d: int, criterion: str, epsilon: float, layers: int,
                     s: SearchSettings, men_min: float | None = None,
                     methods: tuple[str, ...] = METHODS) -> list[dict[str, Any]]:
    """For each method, the smallest setting whose effective frequencies meet ``criterion`` at ``L``
    (see the module docstring), the effective base, whether ``B(m) >= 0`` holds up to ``L``, and the
    config blocks."""
    if criterion not in CRITERIA:
        raise InputError(f"criterion must be one of {', '.join(CRITERIA)}, got {criterion!r}")
    if int(L) <= int(ext.original_context):
        raise InputError(f"target context {int(L):,} is not above the original context {int(ext.original_context):,}: "
                         "nothing to extend")
    return [_one_method(m, ext, int(L), int(d), criterion, epsilon, layers, s, men_min) for m in methods]


def closed_form_settings(target_base: float, from_base: float, d: int, L: int, original_context: int) -> dict[str, float]:
    """Settings whose lowest frequency equals that of an unscaled RoPE with ``target_base`` (what the
    phase criteria read; the page's calculator shows these): raise ``rope_theta`` to the target;
    linear factor ``(target / base)^((d-2)/d)``; dynamic NTK factor ``f`` with
    ``base (f L / L0 - f + 1)^(d/(d-2)) = target`` at sequence length ``L`` (original ``L0``)."""
    ratio = (float(target_base) / float(from_base)) ** ((d - 2.0) / d)
    return {"rope_theta": float(target_base), "linear": ratio,
            "dynamic": (ratio - 1.0) / (float(L) / float(original_context) - 1.0) if L > original_context else math.nan}


def suggest(L: int, d: int, layers: int, epsilon: float, dtype: str, criterion: str = "men",
            extension: Extension | None = None, search: SearchSettings = SearchSettings(),
            progress: bool = False, angle_dtype: str = "fp32") -> dict[str, Any]:
    """Everything ``rope-bounds suggest`` prints: :func:`minimum_bases` and, with ``extension``,
    :func:`scaling_settings` for the chosen criterion."""
    if criterion not in CRITERIA:
        raise InputError(f"criterion must be one of {', '.join(CRITERIA)}, got {criterion!r}")
    out = minimum_bases(L, d, layers, epsilon, dtype, progress=progress, angle_dtype=angle_dtype)
    out["criterion"] = criterion
    out["search_settings"] = asdict(search)
    if extension is not None:
        out["extension"] = asdict(extension)
        out["scaling"] = scaling_settings(extension, L, out["rotary_dims"], criterion, out["epsilon"], out["layers"],
                                          search, men_min=out["bounds"]["men"]["exact"])
    return out


@dataclass(frozen=True)
class ModelStart:
    """What ``suggest --config`` takes from a model's config.json (read as ``classify`` reads it)."""

    name: str
    model_type: str
    rotary_dims: int
    rope_layers: int
    dtype: str | None
    extension: Extension
    current: dict[str, Any]  # the label group's rope parameters as the config states them
    max_position_embeddings: int


def model_start(raw: Mapping[str, Any], name: str = "config") -> ModelStart:
    """Rotary dims, RoPE layers, dtype, base and original context of a parsed config.json, from the
    reader of ``classify`` (its full-attention RoPE layers: the group the case study labels). The
    original context is the scaling's ``original_max_position_embeddings`` when the config already
    scales (the suggested settings replace that scaling), else ``max_position_embeddings``."""
    from analysis.case_study.groups import label_group, layer_groups
    from analysis.case_study.reader import read_config
    from analysis.case_study.validate import validate_config

    mc = read_config(validate_config(raw, name), name)
    groups = layer_groups(mc, mc.max_position_embeddings)
    g = label_group(groups)
    if g is None or g.rope is None:
        raise InputError(f"{name}: no layer applies RoPE: there is no base to choose")
    rope = dict(g.rope)
    orig = int(rope.get("original_max_position_embeddings") or mc.max_position_embeddings)
    ext = Extension(
        from_base=float(rope["rope_theta"]), original_context=orig,
        low_freq_factor=float(rope.get("low_freq_factor") or 1.0), high_freq_factor=float(rope.get("high_freq_factor") or 4.0),
        beta_fast=float(rope.get("beta_fast") or 32.0), beta_slow=float(rope.get("beta_slow") or 1.0),
    )
    n = sum(x.layers for x in groups if x.kind != "nope")
    return ModelStart(name, mc.model_type, mc.rotary_dims, n, mc.dtype, ext, rope, mc.max_position_embeddings)
