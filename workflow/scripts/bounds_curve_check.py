"""Adapter: verify the shipped Men et al. minimum-base curves -> results/bounds/men_curve_check.csv.
A failed check stops the rule (nothing is written) with the failing rows in the log."""

from analysis.bounds import curve
from analysis.core.adapter import Adapter
from analysis.core.results import read_table

with Adapter(snakemake) as a:  # noqa: F821 (injected by Snakemake)
    checks = a.call(curve.check_shipped_curve, read_table(a.input("table")), head_dim=a.setting("physics.head_dim"),
                    spot_lengths=a.setting("bounds.curve_spot_lengths"),
                    segment_checks=a.setting("bounds.curve_segment_checks"))
    a.log.info("curve checks:\n%s", checks.to_string(index=False))
    if not checks["ok"].all():
        raise SystemExit(f"the shipped curve {curve.DATA_FILE} fails {int((~checks['ok']).sum())} checks (see the log)")
    a.table(checks, "check")
