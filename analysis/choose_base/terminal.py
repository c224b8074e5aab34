"""The ``suggest`` result for a terminal: the minimum bases, then one row per scaling method and its
config block."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from analysis.case_study.terminal import render_table
from analysis.core.numfmt import sci

__all__ = ["render_suggestion"]

_NAMES = {"men": "Men et al. (B(m) >= 0)", "aliasing": "aliasing", "dc": "DC stability", "depth": "depth-compounded"}
_METHOD = {"rope_theta": "raise rope_theta", "linear": "linear", "dynamic": "dynamic NTK", "yarn": "YaRN",
           "llama3": "llama3"}


def _g(x: Any, digits: int = 7) -> str:
    return "–" if x is None else f"{x:.{digits}g}"


def render_suggestion(r: Mapping[str, Any]) -> str:
    """The text ``suggest`` prints (the same content as ``--json``, for people)."""
    L, d = r["context_length"], r["rotary_dims"]
    lines = [f"target context L = {L:,} tokens, rotary dims d = {d}, layers N = {r['layers']}, "
             f"ε = {r['epsilon']:g}, dtype {r['dtype']}", ""]
    rows = [[_NAMES[k], sci(v["exact"]), sci(v["paper"]) if v["paper"] is not None else "–", v["source"]]
            for k, v in r["bounds"].items()]
    lines += render_table(["minimum base by", "exact", "paper form", "from"], rows)
    w = r["precision_wall"]
    lines += ["", f"largest lower bound: {_NAMES[r['largest']]}, base >= {sci(r['largest_base'])}",
              f"precision wall ({r['dtype']}): base < {sci(w['exact'])} (paper form {sci(w['paper'])}); "
              f"{r['angle_dtype']} angles: base < {sci(r['angle_wall'])}"]
    if r["largest_base"] >= w["exact"]:
        lines.append(f"  the largest lower bound is at or above the {r['dtype']} wall: no base meets both "
                     f"(the angles of Hugging Face models are computed in {r['angle_dtype']})")
    if "scaling" not in r:
        lines += ["", "(give --from-base and --original-context, or --config, for the scaling settings)"]
        return "\n".join(lines) + "\n"
    e = r["extension"]
    lines += ["", f"extending from base {sci(e['from_base'])} trained at {e['original_context']:,} tokens; "
                  f"criterion: {_NAMES[r['criterion']]} at L = {L:,} on transformers' effective frequencies", ""]
    rows = []
    for m in r["scaling"]:
        if not m["attainable"]:
            rows.append([_METHOD[m["method"]], f"not attainable up to factor {m['below']:g}", "–", "–",
                         m["search_kind"]])
            continue
        key = "rope_theta" if m["method"] == "rope_theta" else "factor"
        val = "already met" if m["already_met"] else f"{key} = {_g(m['setting'])}"
        men = "yes" if m["men_ok"] else f"no (first B < 0 at m = {m['men_first_negative']:,})"
        rows.append([_METHOD[m["method"]], val, sci(m["effective_base"]), men, m["search_kind"]])
    lines += render_table(["method", "smallest setting", "effective base", "B(m) >= 0 up to L", "search"], rows)
    for m in r["scaling"]:
        lines += ["", f"{_METHOD[m['method']]} — keys: {m['keys']}"]
        if not m["attainable"]:
            lines.append(f"  {m['search']}")
            continue
        lines.append(f"  search: {m['search']}")
        lines += [f"  {n}" for n in m["notes"]]
        if m["below"] is not None:
            lines.append(f"  smallest {'base' if m['method'] == 'rope_theta' else 'factor'} meeting the criterion: "
                         f"{_g(m['setting'] if m['method'] == 'rope_theta' else m['factor'])}; fails just below, at "
                         f"{_g(m['below'], 10)}")
        lines.append("  transformers v5 config.json: " + json.dumps(m["blocks"]["rope_parameters"]))
        lines.append("  legacy (rope_scaling):       " + json.dumps(m["blocks"]["legacy"]))
    return "\n".join(lines) + "\n"
