"""Measured floating-point erasure of RoPE positions, per number format and device (torch).

The phase-modulation paper (Liu, seeds 000/001) predicts a *precision wall*: the lowest phase step
``theta_min`` must exceed the machine epsilon, i.e. ``base < 1 / eps_mach``
(:func:`analysis.bounds.precision_wall`). This package measures what finite precision does, with
transformers' own fp32 frequencies (:func:`analysis.core.rope.inv_freq_torch`):

- :mod:`.collisions` -- where positions collide, by two definitions (lowest-frequency pair; the
  whole RoPE vector), per computation path (native, fp32-then-cast, cos/sin cast);
- :mod:`.walls` -- the paper's wall (a base) against the measurement, like with like, and the
  table of both erasure definitions;
- :mod:`.logits` -- attention-logit error and relative-position invariance (Wang et al. 2024);
- :mod:`.throughput` -- tokens per second of applying RoPE;
- :mod:`.claims` -- the scorecard rows (criteria stated in code); :mod:`.findings` -- the page's
  numbers and display tables; :mod:`.summary` -- one run's summary tables and scorecard;
- :mod:`.datasets` -- ``python -m analysis.precision export``: a committed data set
  ``data/measurements/<device-slug>/`` (CSV + provenance), so measurements from devices this
  machine lacks (GPUs) are shown beside the current run.

Every table's rows record the device name, torch version and format (``dtype``); a format the
device cannot run is a ``status = "skipped"`` row with the precise reason.
"""

from __future__ import annotations

from analysis.core.rope import inv_freq, inv_freq_torch
from analysis.precision.claims import precision_scorecard, scorecard_rows, wall_rows, wang_rows
from analysis.precision.collisions import (MODES, collision_sweep, first_collision, first_vector_collision,
                                           lowest_angle_values, rope_values, sweep_bases)
from analysis.precision.datasets import TABLES, combine_devices, export, load_measurements, main, run_all
from analysis.precision.device import (device_record, device_slug, high_format, skipped_row,
                                       torch_dtype, unsupported_reason)
from analysis.precision.logits import (IMPLEMENTATIONS, exact_logit, impl_dtypes, logit_sweep, position_grid,
                                       rope_logits, rotate_half)
from analysis.precision.summary import precision_summary_tables
from analysis.precision.throughput import rope_throughput, throughput_sweep
from analysis.precision.walls import context_base_wall, erasure_table, measured_walls

__all__ = [
    "MODES", "IMPLEMENTATIONS", "TABLES", "inv_freq", "inv_freq_torch",
    "device_record", "device_slug", "torch_dtype", "high_format", "unsupported_reason", "skipped_row",
    "rope_values", "lowest_angle_values", "first_collision", "first_vector_collision", "sweep_bases",
    "collision_sweep", "measured_walls", "context_base_wall", "erasure_table",
    "position_grid", "rotate_half", "rope_logits", "impl_dtypes", "exact_logit", "logit_sweep",
    "rope_throughput", "throughput_sweep", "wall_rows", "wang_rows", "scorecard_rows", "precision_summary_tables",
    "precision_scorecard",    "run_all", "export", "load_measurements", "combine_devices", "main",
]
