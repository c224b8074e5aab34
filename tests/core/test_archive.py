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


def test_archive_commands_share_one_command_line(tmp_path, capsys):
    """Both archive commands (longctx, probes) parse through analysis.core.archive: a bad config is one
    line on stderr and exit 2, and the command recorded with the archive is the one that was typed."""
    from analysis.core.archive import archive_main, archive_parser
    from analysis.longctx.archive import main as longctx_main
    from analysis.probes.archive import main as probes_main

    for main in (longctx_main, probes_main):
        assert main(["archive", "--profile", "full", "--config", str(tmp_path / "missing.yaml")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ") and "missing.yaml" in err[0]

    seen = {}
    p, e = archive_parser("probes", ["full"], "train")
    e.add_argument("--variants")
    args = p.parse_args(["archive", "--variants", "nope", "--work", str(tmp_path / "w")])
    assert archive_main("probes", args, lambda cfg, work, cmd: seen.update(cmd=cmd, work=work)) == 0
    assert seen["cmd"] == "python -m analysis.probes archive --profile full" and seen["work"] == tmp_path / "w"
