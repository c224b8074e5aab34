"""Archived runs: one mechanism (analysis.core.archive) for longctx's archived runs and precision's
device data sets; a folder records its command, profile, device, wall time and commit."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core import archive
from analysis.core.errors import InputError


def test_write_read_and_describe(tmp_path):
    folder = archive.archive_folder("stage", "full", "cpu", tmp_path)
    assert folder == tmp_path / "stage" / "full-cpu"
    archive.write_archive(folder, tables={"t.csv": pd.DataFrame({"a": [1, 2]})}, jsons={"j.json": {"x": 1}},
                          settings={"k": 1}, record={"profile": "full", "device": "cpu", "command": "python -m x",
                                                     "wall_seconds": 125.0})
    assert (folder / "t.csv.provenance.json").is_file() and (folder / "j.json.provenance.json").is_file()
    rec = archive.read_provenance(folder)
    assert rec["files"] == ["j.json", "t.csv"] and rec["settings"] == {"k": 1} and "commit" in rec
    text = archive.describe(rec)
    assert "full run on cpu" in text and "2 min wall" in text and "python -m x" in text
    assert archive.find_archives("stage", tmp_path) == [folder]
    with pytest.raises(InputError, match="provenance.json"):
        archive.read_provenance(tmp_path)


def test_preferred_archive_takes_the_run_with_the_most_power(tmp_path):
    assert archive.preferred_archive("stage", tmp_path) is None
    for name in ("cpu-cpu", "full-cpu", "gpu-cuda"):
        (tmp_path / "stage" / name).mkdir(parents=True)
        (tmp_path / "stage" / name / "provenance.json").write_text("{}")
        if name == "cpu-cpu":
            assert archive.preferred_archive("stage", tmp_path) is None  # not a run the scorecard takes
    assert archive.preferred_archive("stage", tmp_path) == tmp_path / "stage" / "gpu-cuda"
    (tmp_path / "stage" / "gpu-cuda" / "provenance.json").unlink()
    assert archive.preferred_archive("stage", tmp_path) == tmp_path / "stage" / "full-cpu"
