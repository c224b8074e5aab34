"""The probes stage (Barbero et al. 2024, "Round and Round We Go"): synthetic RoPE results
(:mod:`~analysis.probes.synthetic`), frequency probes on a model (:mod:`~analysis.probes.hooks`,
:mod:`~analysis.probes.measure`), the small byte-level Gemma and its p-RoPE variants
(:mod:`~analysis.probes.model`, :mod:`~analysis.probes.corpus`, :mod:`~analysis.probes.train`), the
p-RoPE comparison over seeds (:mod:`~analysis.probes.prope`), the scorecard claims
(:mod:`~analysis.probes.claims`), the page's findings (:mod:`~analysis.probes.findings`) and charts.

The probe functions are re-exported here (``from analysis import probes; probes.probe_model``).
"""

from __future__ import annotations

from analysis.probes.hooks import SUPPORTED_MODEL_TYPES, LayerCapture, attention_modules, capture, rotate_hf
from analysis.probes.measure import (
    band_shares, chunk_norms, encode, load_subject, measure_subject, positional_scores, probe_model, read_texts,
    subject_info,
)

__all__ = [
    "SUPPORTED_MODEL_TYPES", "LayerCapture", "attention_modules", "band_shares", "capture", "chunk_norms",
    "encode", "load_subject", "measure_subject", "positional_scores", "probe_model", "read_texts", "rotate_hf",
    "subject_info",
]
