"""The page's calculator (report/calculator.js) against the analysis package, in headless Chromium with
the network blocked: 60 random inputs (bounds, precision wall, Men et al.'s curve lookup, the largest
lower bound, closed-form settings, B(m) at random distances) equal within 1e-9 relative; the mounted
calculator and the searchable table draw offline without errors. Skipped without Chromium."""

from __future__ import annotations

import html
import json
import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.report.test_browser import CHROMIUM, FLAGS, check_in_browser, chromium, needs_chromium, problems

ROOT = Path(__file__).resolve().parents[2]
REL = 1e-9


def fixture_cases(n: int = 60, seed: int = 0) -> list[dict]:
    from analysis.bounds.curve import CURVE_HEAD_DIMS

    rng = np.random.default_rng(seed)
    dtypes = ["fp64", "fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2"]
    out = []
    for i in range(n):
        L = int(round(math.exp(rng.uniform(math.log(2), math.log(1 << 20)))))
        d = int(rng.choice(list(CURVE_HEAD_DIMS) + [48, 112])) if i % 6 else 48  # some dims are not shipped
        out.append({"L": max(L, 2), "d": d, "N": int(rng.integers(1, 97)), "eps": float(rng.uniform(0.05, 0.95)),
                    "dtype": dtypes[i % len(dtypes)], "base": float(math.exp(rng.uniform(math.log(1e3), math.log(1e8)))),
                    "orig": int(max(1, L // int(rng.integers(2, 65)))),
                    "ms": [int(x) for x in rng.integers(0, max(L, 2), 4)]})
    return out


def expected(c: dict) -> dict:
    """What the analysis package says for one input."""
    from analysis.bounds.curve import lookup_min_base
    from analysis.bounds.phase import aliasing_min_base, dc_min_base, depth_min_base, precision_wall
    from analysis.core.men import men_B
    from analysis.choose_base.suggest import closed_form_settings
    from analysis.core.rope import inv_freq

    L, d = c["L"], c["d"]
    b = {"aliasing": aliasing_min_base(L, d), "dc": dc_min_base(L, c["eps"], d), "depth": depth_min_base(L, c["eps"], c["N"], d)}
    men = lookup_min_base(L, d)
    cands = {k: v["exact"] for k, v in b.items()} | ({"men": men} if men is not None else {})
    largest = max(cands, key=cands.get)
    wall = precision_wall(c["dtype"], d)
    theta = inv_freq(c["base"], d)
    return {"bounds": {k: {"exact": v["exact"], "paper": v["paper"]} for k, v in b.items()},
            "wall": {"exact": wall["exact"], "paper": wall["paper"]}, "men": men, "largest": largest,
            "largest_base": cands[largest],
            "closed": closed_form_settings(cands[largest], c["base"], d, L, c["orig"]),
            "B": [float(men_B(theta, m, m + 1)[0]) for m in c["ms"]]}


def calc_data() -> dict:
    from analysis.choose_base.calculator import calculator_data

    return calculator_data(["fp64", "fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2"],
                           {"context_length": 131072, "head_dim": 128, "layers": 32, "epsilon": 0.5, "dtype": "bf16",
                            "base": 500000, "original_context": 8192})


def run_page(tmp_path: Path, body_js: str, data: dict, cases: list[dict]) -> dict:
    """Run ``body_js`` (sets ``result``) on a file:// page with calculator.js, print it into the DOM and
    read the DOM back (headless Chromium, every host name unresolvable: no network)."""
    js = (ROOT / "report" / "calculator.js").read_text()
    page = tmp_path / "calc.html"
    page.write_text("<!doctype html><html><body><pre id='out'></pre><script>" + js + "</script><script>"
                    f"const data = {json.dumps(data)}; const cases = {json.dumps(cases)}; let result;\n{body_js}\n"
                    "document.getElementById('out').textContent = JSON.stringify(result);</script></body></html>")
    p = subprocess.run([CHROMIUM, *[f for f in FLAGS if "remote-debugging" not in f], "--host-resolver-rules=MAP * ~NOTFOUND",
                        f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"<pre id=\"out\">(.*?)</pre>", p.stdout, re.S)
    assert m, f"no output from the page: {p.stdout[-500:]} {p.stderr[-1500:]}"
    return json.loads(html.unescape(m.group(1)))


def close(a: float | None, b: float | None, scale: float | None = None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(b):
        return a is None or (isinstance(a, float) and math.isnan(a))
    return abs(a - b) <= REL * (scale if scale is not None else max(abs(a), abs(b)))


@needs_chromium
def test_calculator_js_equals_the_analysis_package(tmp_path):
    cases = fixture_cases()
    assert len(cases) >= 50
    got = run_page(tmp_path, "result = cases.map((c) => Object.assign(RopeCalc.compute(c, data), "
                   "{B: c.ms.map((m) => RopeCalc.menB(m, c.base, c.d))}));", calc_data(), cases)
    bad = []
    for c, g in zip(cases, got):
        e = expected(c)
        for k in e["bounds"]:
            for form in ("exact", "paper"):
                if not close(g["bounds"][k][form], e["bounds"][k][form]):
                    bad.append((c, k, form, g["bounds"][k][form], e["bounds"][k][form]))
        for form in ("exact", "paper"):
            if not close(g["wall"][form], e["wall"][form]):
                bad.append((c, "wall", form))
        if g["men"] != e["men"]:  # the same number from the same curve: exactly equal
            bad.append((c, "men", g["men"], e["men"]))
        if g["largest"] != e["largest"] or not close(g["largest_base"], e["largest_base"]):
            bad.append((c, "largest", g["largest"], e["largest"]))
        for k, v in e["closed"].items():
            if not close(g["closed"][k], v):
                bad.append((c, "closed", k, g["closed"][k], v))
        for m, gb, eb in zip(c["ms"], g["B"], e["B"]):
            # B is a sum of d/2 cosines that cancel: relative to its scale d/2 (JS's cos(m theta) of the
            # rounded product vs men_B's split-exact angle differ by ~m * 1e-16 per term)
            if not close(gb, eb, scale=c["d"] / 2):
                bad.append((c, "B", m, gb, eb))
    assert not bad, f"{len(bad)} mismatches, first: {bad[:3]}"
    assert any(e is None for e in (expected(c)["men"] for c in cases)) and any(g["men"] for g in got)


@needs_chromium
def test_calculator_and_table_draw_offline_without_errors(tmp_path):
    from analysis.report.reportkit import script_html

    data = calc_data()
    table = {"columns": ["model", "base", "label"], "rows": [["a", "5.00×10⁵", "stable"], ["b", "1.00×10⁴", "unstable"]]}
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><head><meta charset='utf-8'></head><body>"
                    + script_html("calculator.js", "calc", "RopeCalc.mount(el, data)", data)
                    + script_html("table.js", "tab", "RopeTable.mount(el, data.columns, data.rows)", table)
                    + "</body></html>")
    with chromium() as endpoint:
        res = check_in_browser(endpoint, page)
    assert not problems(res), problems(res)


@needs_chromium
def test_table_sorts_numbers_by_value_and_filters(tmp_path):
    rows = [["a", "5.00×10⁵"], ["b", "1.00×10⁴"], ["c", "2,000"], ["d", "–"]]
    js = (ROOT / "report" / "table.js").read_text()
    page = tmp_path / "t.html"
    page.write_text("<!doctype html><html><body><div id='t'></div><pre id='out'></pre><script>" + js + "</script><script>"
                    f"const t = RopeTable.mount(document.getElementById('t'), ['m', 'base'], {json.dumps(rows)});"
                    "t.table.tHead.rows[0].cells[1].click();"
                    "const order = Array.from(t.table.tBodies[0].rows, (r) => r.cells[0].textContent);"
                    "t.search.value = 'unst'; t.draw(); const none = t.table.tBodies[0].rows.length;"
                    "t.search.value = 'b'; t.draw(); const one = t.table.tBodies[0].rows.length;"
                    "document.getElementById('out').textContent = JSON.stringify({order, none, one});</script></body></html>")
    p = subprocess.run([CHROMIUM, *[f for f in FLAGS if "remote-debugging" not in f], f"--user-data-dir={tmp_path / 'p'}",
                        "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    out = json.loads(html.unescape(re.search(r"<pre id=\"out\">(.*?)</pre>", p.stdout, re.S).group(1)))
    assert out == {"order": ["d", "c", "b", "a"], "none": 0, "one": 1}
