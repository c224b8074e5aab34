"""The README's environment and command: a lock file that pins every dependency (torch the CPU
2.13.0, no CUDA packages), and a workflow that never schedules more busy threads than the machine
has, whatever --cores says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
_REQ = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _lock() -> dict[str, tuple[str, list[str]]]:
    """``{normalised name: (version, [sha256 hashes])}`` of the lock file."""
    out: dict[str, tuple[str, list[str]]] = {}
    name = None
    for line in LOCK.read_text().splitlines():
        m = _REQ.match(line)
        if m:
            name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
            out[name] = (m.group(2), [])
        elif name and "--hash=sha256:" in line:
            out[name][1].append(line.split("--hash=sha256:")[1].split()[0].rstrip("\\"))
    return out


def test_lock_pins_torch_cpu_and_no_cuda_packages():
    lock = _lock()
    assert lock["torch"][0] in ("2.13.0", "2.13.0+cpu")
    assert not [n for n in lock if n.startswith(("nvidia-", "triton", "cuda-"))]


def test_every_locked_package_is_pinned_with_hashes():
    text = [ln for ln in LOCK.read_text().splitlines() if ln and not ln.startswith((" ", "#", "-"))]
    lock = _lock()
    assert len(lock) == len(text) > 30  # every requirement line is a name==version pin
    for name, (version, hashes) in lock.items():
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_lock_covers_the_project_dependencies():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    lock = _lock()
    for req in wanted:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0]).lower()
        assert name in lock, req


def test_ci_and_readme_install_from_the_lock():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    for text in (ci, readme):
        assert "-r requirements.lock" in text and "--no-deps" in text
    assert "pip install -q torch" not in ci


def _snakemake(*args: str, cpus: str | None = None, workdir: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(ROOT / "config" / "smoke.yaml"), *args]
    if cpus is not None:
        cmd = [shutil.which("taskset"), "-c", cpus, *cmd]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux) to fake a 1-CPU machine")
def test_cores_are_clamped_to_the_usable_cpus(tmp_path):
    p = _snakemake("-n", "--cores", "8", cpus="0", workdir=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "--cores 8 clamped to the 1 usable CPU(s)" in p.stderr
    # where the machine has enough CPUs, --cores is left as given
    p2 = _snakemake("-n", "--cores", "1", cpus="0", workdir=tmp_path)
    assert "clamped" not in p2.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux) to fake a 1-CPU machine")
def test_one_cpu_machine_runs_one_job_at_a_time_with_one_thread(tmp_path):
    """Three independent cheap jobs with --cores 8 on one CPU: Snakemake starts them one by one,
    never several at once."""
    targets = ["results/bounds/phase_bounds.parquet", "results/bounds/men_B_curves.parquet",
               "results/bounds/collision_horizon.parquet"]
    p = _snakemake("--cores", "8", *targets, cpus="0", workdir=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    out = p.stdout + p.stderr
    assert "Provided cores: 1" in out
    started = [int(n) for n in re.findall(r"Execute (\d+) jobs", out)]
    assert started and max(started) == 1, started
    assert not re.search(r"Provided cores: [2-9]", out)
