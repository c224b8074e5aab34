"""Result files: atomic writes (no partial file on failure) and provenance sidecars."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.core import provenance
from analysis.core import results


def test_sidecar_records_config_versions_commit_and_device(tmp_path):
    out = results.write_table(pd.DataFrame({"x": [1, 2]}), tmp_path / "t.csv", {"eps": 0.5}, device="cpu")
    rec = json.loads(provenance.sidecar_path(out).read_text())
    assert rec["config"] == {"eps": 0.5}
    assert rec["rows"] == 2 and rec["columns"] == ["x"]
    assert rec["packages"]["numpy"] and rec["packages"]["torch"]
    assert rec["device"]["used"] == "cpu" and rec["device"]["type"] in ("cpu", "cuda")
    assert "commit" in rec["git"]


def test_reserved_fields_cannot_be_replaced():
    with pytest.raises(ValueError, match="reserved"):
        provenance.collect({}, git="nope")


def test_failed_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.json"

    def broken(p):
        p.write_text('{"half": ')
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        results.atomic_write(target, broken)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    results.atomic_write(target, lambda p: p.write_text("new"))
    assert target.read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_a_sidecar_does_not_import_torch():
    """A step that never used torch (NumPy, pandas) records the CPU without loading torch (about 2 s
    of every workflow job before this); a process that loaded torch is asked about CUDA."""
    import subprocess
    import sys

    code = ("import sys; from analysis.core import provenance; d = provenance.collect({})['device']; "
            "print('torch' in sys.modules, d['type'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "cpu"]
