"""The ``classify`` summary for a terminal: one row per model, then each model's layer groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from analysis.core.numfmt import fmt, sci

__all__ = ["render_table", "render_results"]


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Left-aligned text columns two spaces apart."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: indent + "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(header), indent + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _bound(g: Mapping[str, Any], key: str, margin: str) -> str:
    v, m = g.get(key), g.get(margin)
    if v is None:
        return "–"
    return f"{sci(v)} (×{fmt(m)})" if m is not None else sci(v)


def _group_rows(groups: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    out = []
    for g in groups:
        if g["group_kind"] == "nope":
            out.append([g["group"], str(g["group_layers"]), "–", "–", "–", "–", "–", "–", g["label"]])
            continue
        out.append([
            g["group"] + (" *" if g["is_label_group"] else ""), str(g["group_layers"]), fmt(g["judged_length"]),
            sci(g["effective_base"]), _bound(g, "aliasing_min_base_exact", "margin_aliasing"),
            _bound(g, "depth_min_base_exact", "margin_depth"), fmt(g["epsilon_star_depth"], 2),
            _bound(g, "men_min_base", "margin_men") if g.get("men_min_base") is not None else "not searched",
            g["label"],
        ])
    return out


def _summary_row(r: Mapping[str, Any]) -> list[str]:
    lab = next((g for g in r["groups"] if g["is_label_group"]), None)
    eps = r.get("epsilon_star_depth")
    return [
        str(r["config"]), r["label"], r["label_paper_form"], fmt(r["claimed_context"]), str(r["rotary_dims"]),
        sci(lab["effective_base"]) if lab else "–", fmt(eps, 2) if eps is not None else "–",
        lab["men_text"] if lab else "–",
    ]


def render_results(results: Sequence[Mapping[str, Any]]) -> str:
    """The text ``classify`` prints: a summary row per model, then its groups and one line of why."""
    head = ["config", "label (exact)", "paper form", "L", "d", "eff. base", "ε* depth", "Men et al."]
    lines = render_table(head, [_summary_row(r) for r in results])
    gh = ["layer group", "layers", "judged at", "eff. base", "aliasing (margin)", "depth (margin)",
          "ε* depth", "Men et al. (margin)", "label"]
    for r in results:
        eps = r["settings"]["epsilon"]
        lines += ["", f"{r['config']}: {r['model_type']}, read by {r['reader']}; "
                      f"{r['layers']} layers, rotary dims {r['rotary_dims']}, ε = {eps:g}"]
        lines += render_table(gh, _group_rows(r["groups"]), indent="  ")
        lines.append(f"  label from {r['label_group'] or 'no group'} (*): {r['label']} — {r['why']}")
        if r["defaults_used"]:
            lines.append("  from transformers defaults, not in the file: " + ", ".join(r["defaults_used"]))
        men = next((g for g in r["groups"] if g.get("men_min_base_note")), None)
        if men:
            lines.append(f"  Men et al.: {men['men_min_base_note']}")
    lines.append("")
    lines.append("Labels are what the bounds say (exact form, fp32 angle wall), not a stability test: "
                 "the depth bound calls working models unstable.")
    return "\n".join(lines) + "\n"
