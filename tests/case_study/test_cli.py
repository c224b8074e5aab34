"""Command line: the bounds and men-table commands, and every bad-input case (exit 2, one line)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


def test_bounds_prints_every_bound_and_the_verdict():
    p = run("bounds", "--context-length", "32768", "--layers", "32", "--epsilon", "0.5", "--head-dim", "128",
            "--dtype", "bf16", "--base", "1e6")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    for key in ("aliasing", "dc_stability", "depth_compounded", "precision_wall", "goldilocks"):
        assert set(out[key]) >= {"paper", "exact"}
    assert out["verdict"]["exact"]["status"] == "infeasible-zone"  # bf16 wall (~128) below every bound
    assert out["dc_stability"]["exact"] > out["dc_stability"]["paper"]


def test_men_table_prints_csv_with_ten_significant_digits():
    p = run("men-table", "--head-dim", "128", "--context-lengths", "1024,4096")
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == ["context_length", "min_base"]
    assert [int(r[0]) for r in rows[1:]] == [1024, 4096]
    for _, b in rows[1:]:
        mantissa = b.lower().split("e")[0].replace(".", "").lstrip("-")
        assert len(mantissa) >= 7
    # anyone can check B(m) >= 0 at exactly the printed digits
    from analysis.bounds import men_B
    import numpy as np

    for L, b in rows[1:]:
        assert men_B(np.arange(int(L) + 1), float(b)).min() >= 0


BAD = [
    # bounds
    (["bounds", "-L", "4096", "--epsilon", "1.5"], "epsilon"),
    (["bounds", "-L", "4096", "--epsilon", "0"], "epsilon"),
    (["bounds", "-L", "4096", "--epsilon", "-0.2"], "epsilon"),
    (["bounds", "-L", "0", "--epsilon", "0.5"], "context length"),
    (["bounds", "-L", "-100", "--epsilon", "0.5"], "context length"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "127"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "0"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "-64"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--dtype", "fp12"], "dtype"),
    (["bounds", "-L", "abc", "--epsilon", "0.5"], "context length"),
    (["bounds", "-L", "4096", "--epsilon", "half"], "epsilon"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "x"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--layers", "two"], "layers"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--layers", "0"], "layers"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--base", "big"], "base"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--base", "0.5"], "base"),
    (["bounds", "-L", "nan", "--epsilon", "0.5"], "context length"),
    # men-table
    (["men-table", "--context-lengths", "0"], "context length"),
    (["men-table", "--context-lengths", "1024,-5"], "context length"),
    (["men-table", "--context-lengths", "1024,abc"], "context lengths"),
    (["men-table", "--context-lengths", "1024.5"], "context lengths"),
    (["men-table", "--context-lengths", "inf"], "context lengths"),
    (["men-table", "--context-lengths", ","], "context lengths"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "127"], "head dim"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "0"], "head dim"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "-8"], "head dim"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "wide"], "head dim"),
]


@pytest.mark.parametrize("args,names", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_with_one_line(args, names):
    p = run(*args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert names in lines[0].lower()
    assert p.stdout == ""
