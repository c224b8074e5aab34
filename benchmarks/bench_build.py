"""Cold build and no-op rebuild of the README's workflow, per rule and in total, for several --cores.

For each ``--cores`` value (default: 8 and 2) the workflow runs from an empty results folder in a
fresh working directory (``snakemake --cores N``, the README's command), then once more with nothing
to do (the no-op rebuild). Prints the machine's usable CPU count, the wall time of each rule (from
its ``benchmark:`` TSVs, summed over the rule's jobs), the total wall time of the cold build and of
the no-op run, and a Markdown table for benchmarks/README.md.

Run from the project root:

    python benchmarks/bench_build.py                                   # the real figures (minutes)
    python benchmarks/bench_build.py --configfile config/smoke.yaml    # the smoke profile
    python benchmarks/bench_build.py --configfile config/smoke.yaml --cores 2 --target results/bounds/findings.json
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.core.device import usable_cores  # noqa: E402  (the CPUs the workflow clamps --cores to)


def snakemake(workdir: Path, cores: int, configfile: Path | None, targets: list[str]) -> tuple[float, str]:
    """Run the workflow in ``workdir``; returns wall seconds and the combined output."""
    cmd = [sys.executable, "-m", "snakemake", *targets, "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--cores", str(cores)]
    if configfile is not None:  # last: --configfile takes every word after it
        cmd += ["--configfile", str(configfile.resolve())]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-2000:] + p.stderr[-4000:])
        raise SystemExit(f"snakemake --cores {cores} failed (exit {p.returncode})")
    return wall, p.stdout + p.stderr


def rule_names() -> list[str]:
    """Every rule of the workflow (from workflow/rules/*.smk), longest first."""
    names = {m for f in (ROOT / "workflow" / "rules").glob("*.smk")
             for m in re.findall(r"^\s*(?:rule|checkpoint)\s+(\w+)\s*:", f.read_text(), re.M)}
    return sorted(names, key=len, reverse=True)


def rule_times(workdir: Path, logs_dir: str = "logs") -> dict[str, tuple[int, float]]:
    """``{rule: (jobs, summed wall seconds)}`` from the benchmark TSVs (logs/benchmarks/<stage>/*.tsv;
    a wildcard rule's file is named <rule>_<wildcards>.tsv)."""
    names = rule_names()
    out: dict[str, list[float]] = defaultdict(list)
    for tsv in sorted((workdir / logs_dir / "benchmarks").rglob("*.tsv")):
        with tsv.open() as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows:
            rule = next((n for n in names if tsv.stem == n or tsv.stem.startswith(n + "_")), tsv.stem)
            out[rule].append(float(rows[-1]["s"]))
    return {r: (len(v), sum(v)) for r, v in out.items()}


def measure(cores: int, configfile: Path | None, targets: list[str], keep: Path | None) -> dict:
    wd = Path(tempfile.mkdtemp(prefix=f"bench-build-{cores}c-", dir=keep))
    cold, _ = snakemake(wd, cores, configfile, targets)
    noop, out = snakemake(wd, cores, configfile, targets)
    if "Nothing to be done" not in out:
        print(f"warning: the second run with --cores {cores} was not a no-op", file=sys.stderr)
    return {"cores": cores, "workdir": wd, "cold": cold, "noop": noop, "rules": rule_times(wd)}


def report(results: list[dict], machine_cores: int, profile: str) -> str:
    rules = sorted({r for res in results for r in res["rules"]},
                   key=lambda r: -max(res["rules"].get(r, (0, 0.0))[1] for res in results))
    head = "| rule | jobs | " + " | ".join(f"--cores {res['cores']} (s)" for res in results) + " |"
    lines = [f"machine: {machine_cores} usable CPU(s); profile: {profile}", "", head,
             "|---|---:|" + "---:|" * len(results)]
    for r in rules:
        jobs = max(res["rules"].get(r, (0, 0.0))[0] for res in results)
        lines.append(f"| {r} | {jobs} | " + " | ".join(f"{res['rules'].get(r, (0, 0.0))[1]:.1f}" for res in results) + " |")
    lines.append("| **cold build, wall** | | " + " | ".join(f"**{res['cold']:.1f}**" for res in results) + " |")
    lines.append("| no-op rebuild, wall | | " + " | ".join(f"{res['noop']:.1f}" for res in results) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, nargs="+", default=[8, 2], help="--cores values to measure (default: 8 2)")
    ap.add_argument("--configfile", type=Path, default=None, help="extra config (e.g. config/smoke.yaml)")
    ap.add_argument("--target", action="append", default=[], help="build only these targets (default: all)")
    ap.add_argument("--keep", type=Path, default=None, help="make the working directories under this folder")
    a = ap.parse_args(argv)
    machine = usable_cores()
    print(f"usable CPUs: {machine} (os.cpu_count() = {os.cpu_count()})", flush=True)
    results = []
    for n in a.cores:
        res = measure(n, a.configfile, a.target, a.keep)
        print(f"--cores {n}: cold build {res['cold']:.1f} s, no-op rebuild {res['noop']:.1f} s ({res['workdir']})", flush=True)
        results.append(res)
    print()
    print(report(results, machine, str(a.configfile or "config/config.yaml")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
