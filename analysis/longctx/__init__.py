"""longctx: do the bounds predict anything? A trained test of Men et al.'s "superficial long-context
capability" and of the phase-modulation stability bounds (issue 12).

Modules: :mod:`~analysis.longctx.task` (the retrieval probe), :mod:`~analysis.longctx.bases` (the
bounds and the trained bases), :mod:`~analysis.longctx.train`, :mod:`~analysis.longctx.measure`,
:mod:`~analysis.longctx.summary`, :mod:`~analysis.longctx.claims`, :mod:`~analysis.longctx.charts`,
:mod:`~analysis.longctx.findings`.
"""
