"""report/bounds.qmd only displays: its code is reportkit calls; every finding it names exists, is
plain text (no markup, no cross-reference, never empty) on results that exercise every branch of
the text; every caption exists once; display tables are text columns in one format each."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import bounds
from analysis.bounds import findings as bf
from analysis.core.config import load_yaml
from analysis.core.findings import MARKUP, findings_dict
from analysis.core.scorecard import published

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "report" / "bounds.qmd"
CAPTIONS = ROOT / "report" / "captions" / "bounds.yaml"
PUB = published()
_CELL = re.compile(r"^```\{python[^}]*\}[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
_INLINE = re.compile(r"`\{python\}\s+(.+?)`")


def _text() -> str:
    return PAGE.read_text()


def test_cells_only_call_reportkit():
    allowed = [
        r"#\|.*", r"from analysis\.report import reportkit as rk",
        r'rk\.markdown_table\(rk\.table\("bounds", "display/[a-z_]+\.parquet"\)\)',
        r'rk\.figure\("bounds", "[a-z_A-Z]+"\)',
    ]
    for cell in _CELL.findall(_text()):
        for line in filter(str.strip, cell.splitlines()):
            assert any(re.fullmatch(p, line.strip()) for p in allowed), line


def test_inline_values_are_findings_or_captions():
    for expr in _INLINE.findall(_text()):
        assert re.fullmatch(r'rk\.(f|caption)\("bounds", "[\w.]+"\)', expr), expr


def test_every_div_ends_with_its_caption():
    caps = load_yaml(CAPTIONS)
    divs = re.findall(r"^::: \{#((?:fig|tbl)-[\w-]+)\}\n(.*?)^:::$", _text(), re.S | re.M)
    assert len(divs) == 6
    for label, body in divs:
        last = [p for p in body.strip().split("\n\n") if p.strip()][-1].strip()
        m = re.fullmatch(r'`\{python\} rk\.caption\("bounds", "([\w.]+)"\)`', last)
        assert m, (label, last)
        assert m.group(1) in caps
        assert "bounds." not in caps[m.group(1)]  # a caption says what is shown, not which keys made it


def test_no_provenance_note_or_python_built_markup_left():
    text = _text()
    assert "provenance_note" not in text and "rk.sci" not in text and "rk.fmt" not in text


@pytest.fixture(scope="module")
def results() -> dict:
    """Results of the stage on short lengths (seconds), as the rules would write them."""
    phase = bounds.phase_bound_grid(128, 0.5, [1, 32], ["fp32", "bf16", "fp8_e4m3"], 10, 12)
    men = bounds.men_min_base_table([1024, 2048, 4096], 128)
    checks = bounds.men_checks(men, PUB, 128)
    _, crossings = bounds.men_B_curves([10_000.0], 128, 4096)
    return dict(phase=phase, marks=bounds.collision_marks(10_000.0, 128, PUB), crossings=crossings, men=men,
                compare=checks["compare"], fit=checks["fit"], methods=checks["counts"], published=PUB,
                collision_base=10_000.0)


def _long_variant(r: dict) -> dict:
    """The same results with every verdict kind and Men's bound above the fp32 wall (as on the
    default profile), so that every data-dependent fragment takes its other form."""
    cmp_ = r["compare"].copy()
    cmp_["verdict_men"] = ["match", "not the infimum, itself infeasible", "below the infimum"]
    cmp_["men_feasible"] = [False, False, False]
    men = r["men"].copy()
    men.loc[men.index[-1], "min_base"] = 1e9
    crossings = r["crossings"].copy()
    crossings["first_negative_m"] = pd.array([None], dtype="Int64")
    return dict(r, compare=cmp_, men=men, crossings=crossings)


def _check(items) -> dict:
    out = findings_dict(items)  # raises on empty text, markup in a plain finding, duplicates
    for name, f in out.items():
        assert not f["markdown"], name
        assert not MARKUP.search(f["text"]) and "@" not in f["text"], (name, f["text"])
    return out


def test_page_findings_exist_in_every_variant(results):
    names = set(re.findall(r'rk\.f\("bounds", "(\w+)"\)', _text()))
    for r in (results, _long_variant(results)):
        page = bf.bounds_page(**r)
        got = _check(page["findings"])
        assert names <= set(got), names - set(got)


def test_fragments_follow_the_data(results):
    short = _check(bf.bounds_page(**results)["findings"])
    long = _check(bf.bounds_page(**_long_variant(results))["findings"])
    assert short["men_not_infimum"]["text"] == "2,048"  # the paper's 1.6e4 at 2K is feasible, not the infimum
    assert short["men_below_infimum"]["text"] == bf.NONE
    assert long["men_below_infimum"]["text"] == "4,096"
    assert long["men_rounded_down"]["text"] == "1,024"
    assert "stays below the fp32 wall" in short["men_vs_fp32_wall"]["text"]
    assert "crosses the fp32 wall" in long["men_vs_fp32_wall"]["text"]
    assert short["walls_below_every_lower_bound"]["text"] == "bf16, fp8-e4m3"
    assert short["collision_paper"]["text"] == "62,832"
    assert short["head_dim"]["text"] == "128" and short["epsilon"]["text"] == "0.5"


def test_display_tables_are_text_in_one_format_per_column(results):
    page = bf.bounds_page(**results)
    for name in ("phase_table", "men_table", "methods_table"):
        df = page[name]
        assert isinstance(df.index, pd.RangeIndex) and len(df)
        for col in df.columns:
            vals = list(df[col])
            assert all(isinstance(v, str) and v for v in vals), (name, col)
            styles = {("sci" if "×10" in v else "plain") for v in vals if v[0].isdigit()}
            assert len(styles) <= 1, (name, col, vals)
    men = page["men_table"]
    assert men["ours"].iloc[0] == "4.293437570×10³"  # ten significant digits, as searched
