"""Command line: ``python -m analysis <command> ...``.

Every command prints its result on stdout (JSON or CSV). Bad input exits with status 2 and one line
on stderr naming the problem; no traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from analysis.core.errors import InputError

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _number(kind: type, name: str):
    def parse(s: str) -> Any:
        try:
            return kind(float(s)) if kind is int and float(s).is_integer() else kind(s)
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(f"{name} must be {'an integer' if kind is int else 'a number'}, got {s!r}") from None

    return parse


def _int_list(s: str) -> list[int]:
    out = []
    for x in (t.strip() for t in s.split(",")):
        if not x:
            continue
        try:
            v = float(x)
        except ValueError:
            v = math.nan
        if not (math.isfinite(v) and v.is_integer()):
            raise argparse.ArgumentTypeError(f"context lengths must be comma-separated integers, got {x!r}")
        out.append(int(v))
    if not out:
        raise argparse.ArgumentTypeError("context lengths must not be empty")
    return out


def _cmd_bounds(a: argparse.Namespace) -> int:
    from analysis import bounds

    b = bounds.phase_bounds(a.context_length, a.layers, a.epsilon, a.head_dim, a.dtype)
    out: dict[str, Any] = b.to_dict()
    if a.base is not None:
        out["verdict"] = {form: bounds.verdict(a.base, b, form) for form in ("exact", "paper")}
    print(json.dumps(out, indent=2))
    return 0


def _cmd_men_table(a: argparse.Namespace) -> int:
    from analysis.core.device import default_threads

    default_threads()  # before numpy loads: small matrices, 1 thread is faster
    from analysis.bounds.curve import lookup_min_base
    from analysis.bounds.inputs import min_head_dim

    d = min_head_dim(a.head_dim)
    shipped = {L: lookup_min_base(L, d) for L in a.context_lengths}  # the shipped curve, where it reaches
    missing = [L for L, b in shipped.items() if b is None]
    if missing:  # the certified search for the rest, with a progress bar on stderr
        from analysis import bounds

        df = bounds.men_min_base_table(missing, d, progress=True)
        shipped.update(zip((int(x) for x in df["context_length"]), (float(x) for x in df["min_base"])))
    sys.stdout.write("context_length,min_base\n")
    for L in a.context_lengths:
        sys.stdout.write(f"{int(L)},{shipped[L]:.9e}\n")
    return 0


def _cmd_classify(a: argparse.Namespace) -> int:
    # everything is checked before torch and transformers are imported (bad input fails in < 2 s)
    from analysis.case_study.validate import config_path, load_config_json

    from dataclasses import replace

    from analysis.case_study.groups import JudgingSettings

    d = JudgingSettings.defaults()  # config/config.yaml's settings
    eps = d.epsilon if a.epsilon is None else a.epsilon
    if not (isinstance(eps, float) and 0.0 < eps < 1.0):
        raise InputError(f"epsilon must lie strictly between 0 and 1, got {eps!r}")
    if a.context_length is not None and not (math.isfinite(a.context_length) and a.context_length >= 1):
        raise InputError(f"context length must be a positive finite number, got {a.context_length!r}")
    mmc = d.men_max_context if a.men_max_context is None else a.men_max_context
    if mmc < 0:
        raise InputError(f"men max context must be >= 0, got {mmc}")
    if a.dtype is not None:
        from analysis.bounds import canonical_dtype

        canonical_dtype(a.dtype)
    paths = [config_path(p) for p in a.config]
    data = [load_config_json(p) for p in paths]

    from analysis.case_study.config_verdict import classify_config

    s = replace(d, epsilon=eps, men_max_context=mmc)
    L = int(a.context_length) if a.context_length is not None else None
    out = [classify_config(raw, settings=s, context_length=L, dtype=a.dtype, name=str(p))
           for p, raw in zip(paths, data)]
    if a.json:
        print(json.dumps(out[0] if len(out) == 1 else out, indent=2, default=str, ensure_ascii=False))
    else:
        from analysis.case_study.terminal import render_results

        sys.stdout.write(render_results(out))
    return 0


def _suggest_defaults() -> dict[str, Any]:
    """The suggest defaults, from config/config.yaml (physics.*, case_study.angle_dtype, choose_base.*)."""
    from analysis.core.config import default_setting

    return {"epsilon": default_setting("physics.epsilon"), "head_dim": default_setting("physics.head_dim"),
            "angle_dtype": default_setting("case_study.angle_dtype"), **default_setting("choose_base")}


def _cmd_suggest(a: argparse.Namespace) -> int:
    from analysis.core.device import default_threads

    default_threads()  # before numpy loads: B(m) in small blocks, 1 thread is faster
    from analysis.bounds.dtypes import canonical_dtype
    from analysis.bounds.inputs import min_head_dim, validate_context_length, validate_epsilon, validate_layers
    from analysis.core.rope import validate_base

    d = _suggest_defaults()
    L = validate_context_length(a.context_length)
    if not float(L).is_integer() or L < 2:
        raise InputError(f"context length must be a whole number of tokens >= 2, got {a.context_length!r}")
    L = int(L)
    eps = validate_epsilon(d["epsilon"] if a.epsilon is None else a.epsilon)
    if a.max_factor is not None and not (math.isfinite(a.max_factor) and a.max_factor > 1):
        raise InputError(f"max factor must be a finite number > 1, got {a.max_factor!r}")
    if a.config is not None and a.head_dim is not None:
        raise InputError("give either --config or --head-dim (the config states its rotary dims)")
    start = None
    if a.config is not None:
        from analysis.case_study.validate import config_path, load_config_json

        p = config_path(a.config)
        raw = load_config_json(p)
        from analysis.choose_base.suggest import model_start

        start = model_start(raw, str(p))
    head_dim = min_head_dim(start.rotary_dims if start else (d["head_dim"] if a.head_dim is None else a.head_dim))
    layers = validate_layers(a.layers if a.layers is not None else (start.rope_layers if start else d["layers"]))
    dtype = canonical_dtype(a.dtype or (start.dtype if start and start.dtype else d["dtype"]))

    from analysis.choose_base.suggest import Extension, SearchSettings, suggest

    ext = None
    base = a.from_base if a.from_base is not None else (start.extension.from_base if start else None)
    orig = a.original_context if a.original_context is not None else (start.extension.original_context if start else None)
    if (base is None) != (orig is None):
        raise InputError("extending a model needs both --from-base and --original-context (or --config)")
    if base is not None:
        base = validate_base(base, "from base")
        if not (float(orig).is_integer() and orig >= 1):
            raise InputError(f"original context must be a positive whole number of tokens, got {orig!r}")
        if int(orig) >= L:
            raise InputError(f"target context {L:,} must exceed the original context {int(orig):,} to extend a model")
        kw = {}
        if start:
            e = start.extension
            kw = dict(low_freq_factor=e.low_freq_factor, high_freq_factor=e.high_freq_factor,
                      beta_fast=e.beta_fast, beta_slow=e.beta_slow)
        else:
            kw = dict(low_freq_factor=d["llama3_low_freq_factor"], high_freq_factor=d["llama3_high_freq_factor"],
                      beta_fast=d["yarn_beta_fast"], beta_slow=d["yarn_beta_slow"])
        ext = Extension(from_base=base, original_context=int(orig), **kw)
    search = SearchSettings(max_factor=float(a.max_factor or d["max_factor"]), per_octave=int(d["grid_per_octave"]),
                            rtol=float(d["factor_rtol"]))
    out = suggest(L, head_dim, layers, eps, dtype, a.criterion or d["criterion"], ext, search, progress=True,
                  angle_dtype=d["angle_dtype"])
    if start is not None:
        out["config"] = {"path": start.name, "model_type": start.model_type,
                         "max_position_embeddings": start.max_position_embeddings, "current_rope": start.current}
    if a.json:
        print(json.dumps(out, indent=2, default=str, ensure_ascii=False))
    else:
        from analysis.choose_base.terminal import render_suggestion

        if start is not None:
            cur = start.current
            sys.stdout.write(f"{start.name}: {start.model_type}, rope_theta {cur['rope_theta']:g}, "
                             f"{cur.get('rope_type', 'default')} scaling"
                             + (f" (factor {cur['factor']:g})" if cur.get("factor") else "")
                             + f", max_position_embeddings {start.max_position_embeddings:,}\n")
        sys.stdout.write(render_suggestion(out))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("bounds", help="phase-modulation bounds and the Goldilocks interval (JSON)")
    b.add_argument("--context-length", "-L", type=_number(float, "context length"), required=True)
    b.add_argument("--layers", "-N", type=_number(int, "layers"), default=1)
    b.add_argument("--epsilon", "-e", type=_number(float, "epsilon"), required=True)
    b.add_argument("--head-dim", "-d", type=_number(int, "head dim"), default=128, help="rotary dims")
    b.add_argument("--dtype", default="bf16", help="fp64, fp32, bf16, fp16, fp8_e4m3, fp8_e5m2")
    b.add_argument("--base", type=_number(float, "base"), default=None, help="judge this base")
    b.set_defaults(func=_cmd_bounds)

    m = sub.add_parser(
        "men-table", help="Men et al. minimum base for each context length (CSV; from the shipped curve when it can)"
    )
    m.add_argument("--head-dim", "-d", type=_number(int, "head dim"), default=128)
    m.add_argument("--context-lengths", type=_int_list, required=True, help="e.g. 1024,4096,32768")
    m.set_defaults(func=_cmd_men_table)

    c = sub.add_parser("classify", help="judge Hugging Face config.json files against the bounds (table or JSON)")
    c.add_argument("config", nargs="+", help="config.json file(s) or checkpoint folder(s)")
    c.add_argument("--json", action="store_true", help="print JSON instead of the table")
    c.add_argument("--context-length", "-L", type=_number(float, "context length"), default=None,
                   help="judge at this context (default: the config's max_position_embeddings)")
    c.add_argument("--dtype", default=None, help="training dtype (default: the config's torch_dtype, else bf16)")
    c.add_argument("--epsilon", "-e", type=_number(float, "epsilon"), default=None,
                   help="coherence threshold (default: physics.epsilon of config/config.yaml)")
    c.add_argument("--men-max-context", type=_number(int, "men max context"), default=None,
                   help="Men et al.'s bound only up to this context (default: case_study.men_max_context); 0: no limit")
    c.set_defaults(func=_cmd_classify)

    s = sub.add_parser("suggest", help="minimum base for a target context and the smallest scaling setting per method")
    s.add_argument("--context-length", "-L", type=_number(float, "context length"), required=True,
                   help="target context (tokens)")
    s.add_argument("--head-dim", "-d", type=_number(int, "head dim"), default=None,
                   help="rotary dims (default: physics.head_dim, or the --config's)")
    s.add_argument("--config", default=None, help="a model's config.json or checkpoint folder: d, layers, dtype, base "
                   "and original context from it")
    s.add_argument("--layers", "-N", type=_number(int, "layers"), default=None,
                   help="layers N (default: the config's RoPE layers, else choose_base.layers)")
    s.add_argument("--epsilon", "-e", type=_number(float, "epsilon"), default=None,
                   help="coherence threshold (default: physics.epsilon)")
    s.add_argument("--dtype", default=None, help="number format of the precision wall (default: the config's, "
                   "else choose_base.dtype)")
    s.add_argument("--from-base", type=_number(float, "from base"), default=None, help="current rope_theta of the model")
    s.add_argument("--original-context", type=_number(float, "original context"), default=None,
                   help="context (tokens) the model was trained at")
    s.add_argument("--criterion", choices=["men", "dc", "depth", "aliasing"], default=None,
                   help="what the scaling settings must meet (default: choose_base.criterion)")
    s.add_argument("--max-factor", type=_number(float, "max factor"), default=None,
                   help="largest factor searched (default: choose_base.max_factor)")
    s.add_argument("--json", action="store_true", help="print JSON instead of the table")
    s.set_defaults(func=_cmd_suggest)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as e:
        print(f"python -m analysis {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
