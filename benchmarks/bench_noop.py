"""No-op speed and report-only reruns of the workflow.

1. Builds the workflow once (smoke profile in a temporary folder by default; ``--workdir .
   --full`` uses the project's real config in place), then times a no-op ``snakemake --cores 8``
   several times: the target is under 5 s.
2. Edits a report page (one appended comment line, restored afterwards) and prints the job list of
   ``snakemake -n``: only ``report_render`` (and the ``all`` target) may run. Without Quarto the
   render rule does not exist, so the same check is also run with a stand-in ``quarto`` on PATH
   (tests/test_report.py's fake), which is how the DAG looks on a machine with Quarto.

Run from the project root: ``python benchmarks/bench_noop.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.report.test_report import edited, fake_quarto, planned_jobs  # noqa: E402

TARGET_S = 5.0


def snakemake(workdir: Path, full: bool, *args: str, path_prefix: str | None = None) -> subprocess.CompletedProcess:
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if path_prefix is None or not (Path(p) / "quarto").exists()]
    if path_prefix:
        path.insert(0, path_prefix)
    env = dict(os.environ, PATH=os.pathsep.join(path), PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir)]
    if not full:
        cmd += ["--configfile", str(ROOT / "config" / "smoke.yaml")]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, cwd=ROOT)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, help="working directory (default: a new temporary one)")
    ap.add_argument("--full", action="store_true", help="use config/config.yaml instead of the smoke profile")
    ap.add_argument("--repeat", type=int, default=5, help="no-op runs to time")
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        wd = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-noop-")))
        t0 = time.perf_counter()
        build = snakemake(wd, args.full, "--cores", "8")
        if build.returncode != 0:
            print(build.stderr[-3000:], file=sys.stderr)
            return 1
        print(f"full build ({'config.yaml' if args.full else 'smoke profile'}) in {wd}: {time.perf_counter() - t0:.1f} s")

        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            proc = snakemake(wd, args.full, "--cores", "8")
            times.append(time.perf_counter() - t)
            assert "Nothing to be done" in proc.stdout + proc.stderr, "the second run was not a no-op"
        med = statistics.median(times)
        print(f"no-op `snakemake --cores 8`: median {med:.2f} s, max {max(times):.2f} s over {len(times)} runs "
              f"-> {'PASS' if max(times) < TARGET_S else 'FAIL'} (target < {TARGET_S:.0f} s)")

        page = ROOT / "report" / "changelog.qmd"
        with edited(page):
            jobs = planned_jobs(snakemake(wd, args.full, "-n", "--cores", "8"))
        print(f"after editing {page.relative_to(ROOT)}, as installed here: jobs {jobs or 'none'}")
        fake = str(fake_quarto(Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fake-quarto-")))))
        render = snakemake(wd, args.full, "--cores", "8", path_prefix=fake)  # first render (fake)
        assert render.returncode == 0, render.stderr[-3000:]
        with edited(page):
            jobs = planned_jobs(snakemake(wd, args.full, "-n", "--cores", "8", path_prefix=fake))
        only_render = set(jobs) <= {"report_render", "all"} and "report_render" in jobs
        print(f"after editing {page.relative_to(ROOT)}, with `quarto` on PATH: jobs {jobs} -> "
              f"{'PASS' if only_render else 'FAIL'} (only the render reruns)")
        return 0 if max(times) < TARGET_S and only_render else 1


if __name__ == "__main__":
    raise SystemExit(main())
