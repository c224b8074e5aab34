"""Choose a base: the minimum RoPE base for a target context by every criterion, and the smallest
setting of each scaling method that gets a trained model there (``python -m analysis suggest``; the
report's "Choose a base" chapter).

- :mod:`~analysis.choose_base.suggest`: minimum bases, the scaling search, the config blocks;
- :mod:`~analysis.choose_base.terminal`: the human-readable table of ``suggest``;
- :mod:`~analysis.choose_base.examples`: worked examples from model configs (a result table);
- :mod:`~analysis.choose_base.calculator`: the data the page's calculator reads (shipped curves,
  machine epsilons, defaults).
"""
