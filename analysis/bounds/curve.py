"""Men et al.'s minimum base as a curve of the context length: one certified walk per head dim.

``min base(L) = inf{base : B(m) >= 0 for all m <= L}`` is non-decreasing in ``L`` and piecewise
constant: if ``b`` is the minimum base at ``L`` and ``m1 > L`` is the first distance with
``B(m1) < 0`` at ``b``, then ``b`` is also the minimum base of every ``L'`` in ``[L, m1 - 1]`` (``b``
is feasible there, and every smaller base already fails at ``L <= L'``). The next piece starts at
``L = m1``, and its certified search (:func:`analysis.bounds.men.men_min_base_search`) starts at the
previous piece's base, since every base below it is infeasible for longer contexts too. So one walk
up the bases gives the whole curve, each piece with the value ``men_min_base_search`` returns (ten
significant digits, rounded up, verified at the printed value).

The curves for the common rotary dims (:data:`CURVE_HEAD_DIMS`) up to :data:`CURVE_MAX_CONTEXT`
tokens ship with the package (``analysis/bounds/data/men_min_base_curve.csv``), so
:func:`lookup_min_base` answers in microseconds. Rebuild them with
``python -m analysis.bounds.curve build`` (about an hour on one core, see benchmarks/README.md); the
workflow rule ``bounds_curve_check`` verifies the shipped file (:func:`verify_curve`).
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

import numpy as np

from analysis.core.errors import InputError

__all__ = [
    "CURVE_HEAD_DIMS", "CURVE_MAX_CONTEXT", "CURVE_MIN_CONTEXT", "DATA_FILE", "COLUMNS",
    "first_negative_distance", "men_min_base_curve", "build_curves", "curve_csv", "read_curves",
    "lookup_min_base", "verify_curve", "shipped_curves", "check_shipped_curve", "curve_check", "build_resumable",
]

CURVE_HEAD_DIMS: tuple[int, ...] = (32, 64, 80, 96, 128, 256)
CURVE_MAX_CONTEXT = 1_048_576  # tokens
CURVE_MIN_CONTEXT = 2  # at L = 1 every base > 1 is feasible (the infimum is 1 itself)
DATA_FILE = Path(__file__).resolve().parent / "data" / "men_min_base_curve.csv"
COLUMNS: tuple[str, ...] = ("head_dim", "context_from", "context_to", "min_base")
_BLOCK = 1024  # positions per block when scanning B(m) beyond L


def first_negative_distance(base: float, head_dim: int, lo: int, hi: int) -> int | None:
    """The first ``m`` in ``[lo, hi]`` with ``B(m) < 0`` at ``base`` (None if there is none), scanned
    in windows that double in length (the first negative distance is usually close to ``lo``)."""
    from analysis.core.men import men_B
    from analysis.core.rope import inv_freq

    theta = inv_freq(float(base), int(head_dim))
    s, blocks = int(lo), 1
    while s <= hi:
        e = min(int(hi), s + blocks * _BLOCK - 1) + 1
        neg = np.flatnonzero(men_B(theta, s, e) < 0.0)
        if neg.size:
            return s + int(neg[0])
        s, blocks = e, blocks * 2
    return None


def men_min_base_curve(
    head_dim: int, max_context: int = CURVE_MAX_CONTEXT, min_context: int = CURVE_MIN_CONTEXT, progress: bool = False,
    resume: Sequence[tuple[int, int, int, float]] = (), on_piece: Any = None,
) -> "pd.DataFrame":
    """The minimum base for every ``L`` in ``[min_context, max_context]`` as constant pieces
    (columns :data:`COLUMNS`: ``min_base`` holds for ``context_from <= L <= context_to``), by one
    walk up the bases (module docstring). ``progress`` shows a tqdm bar over ``L``.

    ``resume``: pieces already computed (rows of :data:`COLUMNS`, in order from ``min_context``);
    the walk continues after the last one, from just below its printed base (below the walk's first
    feasible base there, so nothing unverified is skipped). ``on_piece(row)`` is called with each
    new piece as soon as it is known (the build appends it to a file: an interrupted build resumes).
    """
    import pandas as pd
    from tqdm import tqdm

    from analysis.bounds.inputs import min_head_dim

    d = min_head_dim(head_dim)
    lo, hi = int(min_context), int(max_context)
    if not 2 <= lo <= hi:
        raise InputError(f"context range must satisfy 2 <= min_context <= max_context, got {lo}..{hi}")
    rows = [(d, int(a), int(b), float(m)) for _, a, b, m in resume]
    L, start = (rows[-1][2] + 1, rows[-1][3] * (1 - 10.0**-9)) if rows else (lo, 1.0 + 1e-9)
    with tqdm(total=hi - lo + 1, initial=L - lo, desc=f"min-base curve d={d}", unit="L", disable=not progress) as bar:
        while L <= hi:
            b, edge = _piece_base(L, d, start)
            m1 = first_negative_distance(b, d, L + 1, hi + 1)
            to = hi if m1 is None else min(m1 - 1, hi)
            rows.append((d, L, to, b))
            if on_piece is not None:
                on_piece(rows[-1])
            bar.update(to - L + 1)
            L, start = to + 1, edge
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _piece_base(L: int, d: int, start: float) -> tuple[float, float]:
    """The minimum base at ``L`` as :func:`men_min_base_search` computes it (same walk, same
    rounding up and verification at the printed value), without its extra diagnostics; returns the
    printed base and the walk's first feasible base (where the next piece's walk starts)."""
    from analysis.bounds.men import _MEN_DIGITS, _men_feasible_min, _men_walk, _round_up

    edge = math.exp(_men_walk(L, d, start).u)
    b = _round_up(edge, _MEN_DIGITS)
    while _men_feasible_min(L, b, d)[0] < 0.0:  # as men._men_certify: next printed value up
        b = _round_up(b * (1 + 10.0**-_MEN_DIGITS), _MEN_DIGITS)
    return b, edge


def build_curves(head_dims: Sequence[int], max_context: int = CURVE_MAX_CONTEXT, progress: bool = False) -> "pd.DataFrame":
    """:func:`men_min_base_curve` for each head dim, one table."""
    import pandas as pd

    return pd.concat([men_min_base_curve(d, max_context, progress=progress) for d in head_dims], ignore_index=True)


def curve_csv(curves: "pd.DataFrame") -> str:
    """The curve table as the shipped CSV text (bases with ten significant digits, exact)."""
    out = io.StringIO()
    out.write(",".join(COLUMNS) + "\n")
    for r in curves.itertuples(index=False):
        out.write(f"{int(r.head_dim)},{int(r.context_from)},{int(r.context_to)},{float(r.min_base):.9e}\n")
    return out.getvalue()


@functools.lru_cache(maxsize=8)  # the whole file and each shipped head dim
def read_curves(
    path: str | Path = DATA_FILE, head_dim: int | None = None
) -> dict[int, tuple[list[int], list[int], list[float]]]:
    """The shipped curves: ``{head_dim: (context_from, context_to, min_base)}`` lists, sorted (only
    ``head_dim``'s rows when it is given: a lookup parses one curve, not all of them)."""
    out: dict[int, tuple[list[int], list[int], list[float]]] = {}
    p = Path(path)
    if not p.is_file():
        return out
    with p.open(newline="") as fh:
        lines = iter(fh)
        header = next(lines, "")
        if head_dim is not None:
            prefix = f"{int(head_dim)},"
            lines = (ln for ln in lines if ln.startswith(prefix))
        for row in csv.DictReader(lines, fieldnames=next(csv.reader([header]), None)):
            lo, hi, b = out.setdefault(int(row["head_dim"]), ([], [], []))
            lo.append(int(row["context_from"]))
            hi.append(int(row["context_to"]))
            b.append(float(row["min_base"]))
    return out


def _positive_int(x: Any, name: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer, float)):
        raise InputError(f"{name} must be a positive integer, got {x!r}")
    if isinstance(x, float) and not (math.isfinite(x) and x.is_integer()):
        raise InputError(f"{name} must be a positive integer, got {x!r}")
    if int(x) <= 0:
        raise InputError(f"{name} must be a positive integer, got {x!r}")
    return int(x)


def lookup_min_base(context_length: int, head_dim: int) -> float | None:
    """Men et al.'s certified minimum base at ``context_length`` tokens for ``head_dim`` rotary dims
    from the shipped curve: the value :func:`analysis.bounds.men_min_base_search` returns (ten
    significant digits), or None when no curve is shipped for ``head_dim`` or ``context_length``
    lies outside it. A length or head dim that is not a positive integer raises InputError."""
    from bisect import bisect_right

    L = _positive_int(context_length, "context length")
    d = _positive_int(head_dim, "head dim")
    curve = read_curves(DATA_FILE, d).get(d)
    if curve is None:
        return None
    lo, hi, bases = curve
    i = bisect_right(lo, L) - 1
    if i < 0 or L > hi[i]:
        return None
    return bases[i]


def verify_curve(
    curves: "pd.DataFrame", spot_lengths: Sequence[int], head_dims: Sequence[int] | None = None,
    segment_checks: int = 16, seed: int = 0, progress: bool = False,
) -> "pd.DataFrame":
    """Checks of a curve table, one row each (columns ``head_dim, check, context_length, expected,
    got, ok``): pieces contiguous from ``CURVE_MIN_CONTEXT``, bases non-decreasing; for
    ``segment_checks`` pieces per dim (seeded sample, the first and last included) ``B(m) >= 0`` for
    every ``m`` of the piece at its base and ``B < 0`` at the next piece's first ``L``; and at each
    ``spot_lengths`` (within the curve) a fresh :func:`men_min_base_search` equal to the curve."""
    import pandas as pd

    from tqdm import tqdm

    rows: list[dict[str, Any]] = []
    dims = sorted(set(int(x) for x in curves["head_dim"])) if head_dims is None else [int(x) for x in head_dims]
    for d in dims:
        c = curves[curves["head_dim"] == d].sort_values("context_from").reset_index(drop=True)
        rows += _structure_checks(c, d)
        rows += _segment_checks(c, d, segment_checks, seed)
        for L in tqdm(list(spot_lengths), desc=f"spot checks d={d}", unit="L", disable=not progress):
            rows += _spot_check(c, d, int(L))
    out = pd.DataFrame(rows, columns=["head_dim", "check", "context_length", "expected", "got", "ok"])
    out["context_length"] = out["context_length"].astype("Int64")
    return out


def _row(d: int, check: str, L: int | None, expected: Any, got: Any, ok: bool) -> dict[str, Any]:
    return {"head_dim": d, "check": check, "context_length": L, "expected": str(expected), "got": str(got), "ok": bool(ok)}


def _structure_checks(c: "pd.DataFrame", d: int) -> list[dict[str, Any]]:
    """The pieces start at CURVE_MIN_CONTEXT, follow each other without gap and the base grows."""
    frm, to, b = c["context_from"].to_numpy(), c["context_to"].to_numpy(), c["min_base"].to_numpy()
    gaps = int(np.count_nonzero(frm[1:] != to[:-1] + 1)) if len(c) else 0
    drops = int(np.count_nonzero(np.diff(b) <= 0)) if len(c) else 0
    return [
        _row(d, "starts at the shortest context", None, CURVE_MIN_CONTEXT, int(frm[0]) if len(c) else None,
             len(c) > 0 and int(frm[0]) == CURVE_MIN_CONTEXT),
        _row(d, "pieces contiguous", None, 0, gaps, gaps == 0),
        _row(d, "base increasing", None, 0, drops, drops == 0),
    ]


def _segment_checks(c: "pd.DataFrame", d: int, n: int, seed: int) -> list[dict[str, Any]]:
    """At a piece's base: B(m) >= 0 for m <= its last L, and B < 0 at the next piece's first L."""
    from analysis.core.men import men_B
    from analysis.core.rope import inv_freq

    if not len(c) or n <= 0:
        return []
    rng = np.random.default_rng(seed)
    pick = {0, len(c) - 1} | set(rng.choice(len(c), size=min(n, len(c)), replace=False).tolist())
    rows = []
    for i in sorted(pick)[: max(n, 2)]:
        r = c.iloc[i]
        L, b = int(r.context_to), float(r.min_base)
        B = men_B(inv_freq(b, d), 0, L + 2)
        mn = float(B[: L + 1].min())
        rows.append(_row(d, "feasible over the piece", L, ">= 0", f"{mn:.3g}", mn >= 0.0))
        if i + 1 < len(c):
            nxt = float(B[L + 1])
            rows.append(_row(d, "fails at the next piece", L + 1, "< 0", f"{nxt:.3g}", nxt < 0.0))
    return rows


def _spot_check(c: "pd.DataFrame", d: int, L: int) -> list[dict[str, Any]]:
    """A fresh certified search at ``L`` must give the curve's value exactly (ten digits)."""
    from analysis.bounds.men import men_min_base_search

    hit = c[(c["context_from"] <= L) & (c["context_to"] >= L)]
    if hit.empty:  # a shorter (partly built) curve: lookups beyond it return None, nothing to compare
        return [_row(d, "spot length beyond this curve (not compared)", L, "–", f"curve ends at {int(c['context_to'].max())}", True)]
    got = float(hit["min_base"].iloc[0])
    expected = men_min_base_search(L, d).min_base
    return [_row(d, "certified search equals the curve", L, f"{expected:.9e}", f"{got:.9e}", expected == got)]


def _read_table(path: str | Path) -> "pd.DataFrame":
    import pandas as pd

    return pd.read_csv(path, dtype={"head_dim": "int64", "context_from": "int64", "context_to": "int64"})


def shipped_curves() -> "pd.DataFrame":
    """The shipped curve table (:data:`DATA_FILE`) as a DataFrame with :data:`COLUMNS`."""
    if not DATA_FILE.is_file():
        raise InputError(f"the shipped curve {DATA_FILE} is missing: run `python -m analysis.bounds.curve build`")
    return _read_table(DATA_FILE)


def check_shipped_curve(
    men_table: "pd.DataFrame", head_dim: int, spot_lengths: Sequence[int], segment_checks: int, seed: int = 0
) -> "pd.DataFrame":
    """The workflow's check of the shipped curve: :func:`verify_curve` over every shipped head dim
    (spot searches at ``spot_lengths``), plus, for ``head_dim``, each row of the workflow's own Men
    et al. table (independent certified searches) against :func:`lookup_min_base`."""
    import pandas as pd

    shipped = shipped_curves()
    checks = verify_curve(shipped, spot_lengths, segment_checks=segment_checks, seed=seed)
    rows = []
    for L, b in zip(men_table["context_length"], men_table["min_base"]):
        got = lookup_min_base(int(L), int(head_dim))
        rows.append(_row(int(head_dim), "Men et al. table equals the curve", int(L), f"{float(b):.9e}",
                         "outside" if got is None else f"{got:.9e}", got is not None and got == float(b)))
    out = pd.concat([checks, pd.DataFrame(rows, columns=checks.columns)], ignore_index=True)
    out["context_length"] = out["context_length"].astype("Int64")
    return out


def _partial_path(output: Path, d: int) -> Path:
    return output.with_name(f"{output.stem}.d{d}.partial.csv")


def _read_partial(path: Path) -> list[tuple[int, int, int, float]]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split(",")
        if len(parts) == 4 and parts[0].isdigit():
            rows.append((int(parts[0]), int(parts[1]), int(parts[2]), float(parts[3])))
    return rows


def build_resumable(head_dims: Sequence[int], max_context: int, output: Path, partial_ok: bool = False) -> "pd.DataFrame":
    """Build the curves of ``head_dims`` into ``output`` (CSV; the curves of other head dims already
    there are kept), each new piece appended at once to a per-dim ``<output>.d<d>.partial.csv`` so
    that an interrupted build resumes where it stopped.
    With ``partial_ok`` nothing is computed: the pieces so far are collected into ``output``."""
    import pandas as pd

    frames = []
    for d in head_dims:
        part = _partial_path(output, d)
        done = _read_partial(part)
        if partial_ok:
            frames.append(pd.DataFrame(done, columns=list(COLUMNS)))
            continue
        part.parent.mkdir(parents=True, exist_ok=True)
        with part.open("a") as fh:
            def keep(row: tuple[int, int, int, float], fh: Any = fh) -> None:
                fh.write(f"{row[0]},{row[1]},{row[2]},{row[3]:.9e}\n")
                fh.flush()

            frames.append(men_min_base_curve(d, max_context, progress=True, resume=done, on_piece=keep))
    if output.is_file():  # keep the curves of the head dims not built now
        old = _read_table(output)
        frames.append(old[~old["head_dim"].isin([int(d) for d in head_dims])])
    curves = pd.concat(frames, ignore_index=True).sort_values(["head_dim", "context_from"], ignore_index=True)
    text = curve_csv(curves)
    tmp = output.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(output)
    return curves


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.bounds.curve build|verify``: rebuild the shipped curve, or verify it."""
    ap = argparse.ArgumentParser(prog="python -m analysis.bounds.curve", description=main.__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="recompute the curves (one certified walk per head dim) and write them")
    b.add_argument("--head-dims", default=",".join(map(str, CURVE_HEAD_DIMS)))
    b.add_argument("--max-context", type=int, default=CURVE_MAX_CONTEXT)
    b.add_argument("--output", type=Path, default=DATA_FILE, help="CSV to write (default: the shipped file)")
    b.add_argument("--partial", action="store_true",
                   help="only collect the pieces computed so far (no computing), shorter curves included")
    v = sub.add_parser("verify", help="verify a curve file (structure, sampled pieces, spot searches)")
    v.add_argument("--input", type=Path, default=DATA_FILE)
    v.add_argument("--spot-lengths", default="1000,30000")
    v.add_argument("--segment-checks", type=int, default=16)
    a = ap.parse_args(argv)
    try:
        if a.command == "build":
            dims = [int(x) for x in a.head_dims.split(",") if x.strip()]
            curves = build_resumable(dims, a.max_context, a.output, partial_ok=a.partial)
            print(f"wrote {a.output} ({len(curves)} pieces)")
            return 0
        checks = verify_curve(_read_table(a.input), [int(x) for x in a.spot_lengths.split(",") if x.strip()],
                              segment_checks=a.segment_checks, progress=True)
        print(checks.to_string(index=False))
        return 0 if bool(checks["ok"].all()) else 1
    except (InputError, ValueError) as e:
        print(f"python -m analysis.bounds.curve: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


def curve_check(men_table: "pd.DataFrame", head_dim: int, spot_lengths: Sequence[int], segment_checks: int) -> "pd.DataFrame":
    """:func:`check_shipped_curve`, failing (InputError naming the failed checks) unless every check
    passes: the workflow never goes on with a shipped curve it could not verify."""
    from analysis.core.errors import InputError

    checks = check_shipped_curve(men_table, head_dim, spot_lengths, segment_checks)
    bad = checks[~checks["ok"].astype(bool)]
    if len(bad):
        raise InputError(f"the shipped curve {DATA_FILE} fails {len(bad)} checks:\n{bad.to_string(index=False)}")
    return checks

