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
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: small matrices, 1 thread is faster
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
