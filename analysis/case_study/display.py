"""The case-study table as readers see it: documented columns, the page's display table, Markdown,
LaTeX, the column schema shipped with the results, and the BibTeX entry.

The full table (every column of :data:`COLUMNS`, one row per model and layer group) is the CSV
download; the page shows :func:`display_table`, one row per model with a few well-chosen columns,
each formatted in one style by :func:`analysis.core.numfmt.fmt_column`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.core.numfmt import fmt_column

__all__ = ["COLUMNS", "columns_schema", "columns_table", "display_table", "to_markdown", "to_latex", "bibtex"]

# name -> (unit, meaning): every column of table.csv
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("", "model id (config/models.yaml)"),
    "name": ("", "model name"),
    "family": ("", "model family"),
    "config_file": ("", "the config.json the row is read from (or 'models.yaml values')"),
    "source_repo": ("", "repository of the config.json"),
    "source_path": ("", "path of the config.json in that repository"),
    "source_url": ("", "URL of the config.json"),
    "model_type": ("", "config model_type (the text model's, for multimodal wrappers)"),
    "reader": ("", "how the config was read: transformers' config class, or generic with the fields used"),
    "defaults_used": ("", "fields filled in from transformers' defaults, not stated in the file"),
    "layers": ("layers", "num_hidden_layers"),
    "head_dim": ("dims", "head dims before the partial rotary factor (MLA: qk_rope_head_dim)"),
    "claimed_context": ("tokens", "context the model claims; full-attention layers are judged here"),
    "pretrain_context": ("tokens", "pre-training context"),
    "max_position_embeddings": ("tokens", "config max_position_embeddings"),
    "training_dtype": ("", "training / release dtype (literal-reading wall)"),
    "angle_dtype": ("", "dtype of the RoPE angles (label wall)"),
    "model_label": ("", "the model's label: its label group's label (what the bound says)"),
    "model_label_paper_form": ("", "the model's label in the paper form (base 1/θ_min, paper bounds)"),
    "label_group": ("", "the layer group the model's label comes from"),
    "model_epsilon_star_depth": ("", "ε* of the depth bound for the label group"),
    "why": ("", "one line on why the model gets its label"),
    "paper_label": ("", "the paper's label where one is known, else 'unconfirmed'"),
    "paper_label_confirmed": ("", "whether the paper's label is confirmed"),
    "note": ("", "one line on anything special"),
    "group": ("", "layer group: layer type, ', NoPE' for layers without rotation"),
    "group_kind": ("", "full, sliding, chunked or nope"),
    "group_layers": ("layers", "layers in the group"),
    "first_layer": ("index", "first layer of the group (0-based)"),
    "window": ("tokens", "sliding window or attention chunk (empty: full attention)"),
    "judged_length": ("tokens", "length the group is judged at: claimed context, or min(window, claimed)"),
    "depth_layers": ("layers", "N of the depth-compounded bound: every layer that applies RoPE"),
    "rotary_dims": ("dims", "d: dims RoPE rotates (head_dim × partial_rotary_factor; MLA: qk_rope_head_dim)"),
    "is_label_group": ("", "whether the model's label comes from this group"),
    "rope_theta": ("", "the group's RoPE base"),
    "scaling": ("", "RoPE scaling type (none, linear, dynamic, yarn, llama3, longrope)"),
    "scaling_factor": ("", "scaling factor"),
    "attention_factor": ("", "attention scaling returned by transformers (not used by the bounds)"),
    "effective_min_frequency": ("rad/token", "θ_min: lowest frequency the group runs at its judged length"),
    "effective_base": ("", "θ_min^(−d/(d−2)): base of a plain RoPE with the same θ_min (exact form)"),
    "paper_form_base": ("", "1/θ_min: the base the paper form compares (θ_min ≈ 1/base)"),
    "aliasing_min_base_paper": ("", "aliasing bound, paper form"),
    "aliasing_min_base_exact": ("", "aliasing bound, exact form"),
    "dc_min_base_paper": ("", "DC-stability bound, paper form"),
    "dc_min_base_exact": ("", "DC-stability bound, exact form"),
    "depth_min_base_paper": ("", "depth-compounded bound, paper form"),
    "depth_min_base_exact": ("", "depth-compounded bound, exact form"),
    "lower_bound": ("", "largest exact lower bound"),
    "lower_bound_paper": ("", "largest paper-form lower bound"),
    "wall_angle_paper": ("", "precision wall 1/ε_mach of the angle dtype"),
    "wall_angle_exact": ("", "precision wall of the angle dtype, exact form"),
    "wall_training_paper": ("", "precision wall 1/ε_mach of the training dtype"),
    "wall_training_exact": ("", "precision wall of the training dtype, exact form"),
    "margin_aliasing": ("ratio", "effective base / exact aliasing bound (> 1: met)"),
    "margin_dc": ("ratio", "effective base / exact DC bound"),
    "margin_depth": ("ratio", "effective base / exact depth bound"),
    "margin_men": ("ratio", "effective base / Men et al.'s minimum base"),
    "margin_wall_angle": ("ratio", "angle-dtype wall / effective base (> 1: below the wall)"),
    "margin_wall_training": ("ratio", "training-dtype wall / effective base"),
    "margin_low": ("ratio", "effective base / largest exact lower bound"),
    "margin_high": ("ratio", "angle-dtype exact wall / effective base"),
    "margin_low_paper_form": ("ratio", "1/θ_min / largest paper-form lower bound"),
    "zone_feasible": ("", "whether the exact Goldilocks zone is non-empty"),
    "label": ("", "the group's label, exact form, angle-dtype wall (what the bound says)"),
    "label_paper_form": ("", "the group's label in the paper form"),
    "label_literal_training_wall": ("", "paper form with the training-dtype wall (the literal reading)"),
    "epsilon_star_dc": ("", "largest ε for which the group meets the DC bound: cos(L θ_min)"),
    "epsilon_star_depth": ("", "largest ε for which the group meets the depth bound: cos(L θ_min)^N"),
    "verdict_wall_angle": ("", "effective base below / at or above the angle-dtype wall"),
    "verdict_wall_training": ("", "effective base below / at or above the training-dtype wall"),
    "men_min_base": ("", "Men et al.'s minimum base for (judged length, d); empty: not searched"),
    "men_min_base_note": ("", "why Men et al.'s minimum base is missing"),
    "men_first_negative_m": ("tokens", "first distance m with B(m) < 0 on the group's frequencies"),
    "men_negative_count": ("distances", "how many m in 0..L have B(m) < 0"),
    "men_min_B": ("", "smallest B(m) (B(0) = d/2)"),
    "verdict_men": ("", "meets / violated: B(m) >= 0 for every m <= L"),
    "men_text": ("", "Men et al.'s verdict in words: B < 0 at N of L distances, first at m = …"),
}

# the page's table: one row per model (its label group), few columns
_SHOWN = {"name": "model", "judged_length": "L", "rotary_dims": "d", "depth_layers": "N",
          "effective_base": "eff. base", "lower_bound": "lower bound", "epsilon_star_depth": "ε* (depth)",
          "model_label": "label", "model_label_paper_form": "paper form", "men_text": "Men et al. B(m) ≥ 0"}


def columns_schema(table: pd.DataFrame) -> dict[str, Any]:
    """A JSON-schema-like description of table.csv: every column with its type, unit, meaning."""
    props = {}
    for c in table.columns:
        unit, meaning = COLUMNS.get(c, ("", ""))
        kind = "number" if pd.api.types.is_numeric_dtype(table[c]) and table[c].dtype != bool else (
            "boolean" if table[c].dtype == bool else "string")
        props[c] = {"type": kind, "unit": unit, "description": meaning}
    return {"title": "rope-bounds case-study table (table.csv)", "type": "object",
            "description": "one row per model and layer group", "properties": props}


def columns_table(table: pd.DataFrame) -> pd.DataFrame:
    """The documented columns as a table for the page (name, unit, meaning)."""
    return pd.DataFrame([{"column": c, "unit": COLUMNS.get(c, ("", ""))[0] or "–",
                          "meaning": COLUMNS.get(c, ("", ""))[1]} for c in table.columns])


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model (label group), the columns of ``_SHOWN``, each in one number style."""
    t = table[table["is_label_group"]]
    out = pd.DataFrame({v: t[k].tolist() for k, v in _SHOWN.items()})
    for c in ("L", "d", "N"):
        out[c] = fmt_column(out[c])
    for c in ("eff. base", "lower bound"):
        out[c] = fmt_column([_round(v, 3) for v in out[c]])
    out["ε* (depth)"] = fmt_column(out["ε* (depth)"], digits=2)
    return out


def _round(v: float, digits: int) -> float:
    """``v`` to ``digits`` significant digits (so a plain-style column shows no false precision)."""
    if not math.isfinite(v) or v == 0:
        return v
    return round(v, digits - 1 - math.floor(math.log10(abs(v))))


def to_markdown(table: pd.DataFrame) -> str:
    """The display table as GitHub Markdown."""
    return display_table(table).to_markdown(index=False) + "\n"


def to_latex(table: pd.DataFrame) -> str:
    """The display table as a LaTeX ``tabular`` (booktabs; special characters escaped)."""
    df = display_table(table)

    def esc(s: Any) -> str:
        t = str(s)
        for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#")):
            t = t.replace(a, b)
        return t

    lines = [r"\begin{tabular}{" + "l" + "r" * (len(df.columns) - 1) + "}", r"\toprule",
             " & ".join(esc(c) for c in df.columns) + r" \\", r"\midrule"]
    lines += [" & ".join(esc(v) for v in row) + r" \\" for row in df.itertuples(index=False)]
    return "\n".join([*lines, r"\bottomrule", r"\end{tabular}", ""])


def bibtex(version: str, year: int, url: str | None = None) -> str:
    """A BibTeX entry for citing the case-study table of this project version."""
    how = f"  howpublished = {{\\url{{{url}}}}},\n" if url else ""
    return (
        f"@misc{{rope_bounds_case_study_{version.replace('.', '_').replace('+', '_')},\n"
        "  title        = {rope-bounds: RoPE models classified against bounds on the base"
        " (case-study table)},\n"
        "  author       = {{rope-bounds contributors}},\n"
        f"  year         = {{{year}}},\n"
        f"  version      = {{{version}}},\n"
        f"{how}"
        f"  note         = {{Table rope-bounds-{version}-case-study.csv}}\n"
        "}\n"
    )
