"""Command line: the bounds and men-table commands, and every bad-input case (exit 2, one line)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


def test_bounds_prints_every_bound_and_the_verdict():
    p = run("bounds", "--context-length", "32768", "--layers", "32", "--epsilon", "0.5", "--head-dim", "128",
            "--dtype", "bf16", "--base", "1e6")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    for key in ("aliasing", "dc_stability", "depth_compounded", "precision_wall", "goldilocks"):
        assert set(out[key]) >= {"paper", "exact"}
    assert out["verdict"]["exact"]["status"] == "infeasible-zone"  # bf16 wall (~128) below every bound
    assert out["dc_stability"]["exact"] > out["dc_stability"]["paper"]


def test_men_table_prints_csv_with_ten_significant_digits():
    p = run("men-table", "--head-dim", "128", "--context-lengths", "1024,4096")
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == ["context_length", "min_base"]
    assert [int(r[0]) for r in rows[1:]] == [1024, 4096]
    for _, b in rows[1:]:
        mantissa = b.lower().split("e")[0].replace(".", "").lstrip("-")
        assert len(mantissa) >= 7
    # anyone can check B(m) >= 0 at exactly the printed digits
    from analysis.core.men import men_B
    from analysis.core.rope import inv_freq

    for L, b in rows[1:]:
        assert men_B(inv_freq(float(b), 128), 0, int(L) + 1).min() >= 0


BAD = [
    # bounds
    (["bounds", "-L", "4096", "--epsilon", "1.5"], "epsilon"),
    (["bounds", "-L", "4096", "--epsilon", "0"], "epsilon"),
    (["bounds", "-L", "4096", "--epsilon", "-0.2"], "epsilon"),
    (["bounds", "-L", "0", "--epsilon", "0.5"], "context length"),
    (["bounds", "-L", "-100", "--epsilon", "0.5"], "context length"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "127"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "0"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "-64"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--dtype", "fp12"], "dtype"),
    (["bounds", "-L", "abc", "--epsilon", "0.5"], "context length"),
    (["bounds", "-L", "4096", "--epsilon", "half"], "epsilon"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--head-dim", "x"], "head dim"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--layers", "two"], "layers"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--layers", "0"], "layers"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--base", "big"], "base"),
    (["bounds", "-L", "4096", "--epsilon", "0.5", "--base", "0.5"], "base"),
    (["bounds", "-L", "nan", "--epsilon", "0.5"], "context length"),
    # men-table
    (["men-table", "--context-lengths", "0"], "context length"),
    (["men-table", "--context-lengths", "1024,-5"], "context length"),
    (["men-table", "--context-lengths", "1024,abc"], "context lengths"),
    (["men-table", "--context-lengths", "1024.5"], "context lengths"),
    (["men-table", "--context-lengths", "inf"], "context lengths"),
    (["men-table", "--context-lengths", ","], "context lengths"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "127"], "head dim"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "0"], "head dim"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "-8"], "head dim"),
    (["men-table", "--context-lengths", "1024", "--head-dim", "wide"], "head dim"),
]


@pytest.mark.parametrize("args,names", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_with_one_line(args, names):
    p = run(*args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert names in lines[0].lower()
    assert p.stdout == ""


# ------------------------------------------------------------------------------------ classify
GEMMA3 = {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"],
          "text_config": {"model_type": "gemma3_text", "num_hidden_layers": 62, "head_dim": 128, "hidden_size": 5376,
                          "num_attention_heads": 32, "sliding_window": 1024,
                          "rope_scaling": {"rope_type": "linear", "factor": 8.0}}}
LLAMA = {"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, "num_hidden_layers": 32,
         "max_position_embeddings": 4096, "rope_theta": 10000.0}


def _write(tmp_path: Path, name: str, obj) -> Path:
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return p


def test_classify_prints_a_table_with_groups_margins_and_why(tmp_path):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    _write(folder, "config.json", GEMMA3)
    llama = _write(tmp_path, "llama.json", LLAMA)
    p = run("classify", str(folder), str(llama), "--men-max-context", "1")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    head = out.splitlines()[:4]  # one summary row per config
    assert "label (exact)" in head[0] and str(folder / "config.json") in head[2] and "llama.json" in head[3]
    assert "sliding_attention" in out and "1,024" in out and "131,072" in out  # groups and judged lengths
    assert "(×" in out and "label from full_attention" in out
    assert "from transformers defaults, not in the file:" in out and "rope_theta" in out
    assert "unstable" in head[3] and "ε* = 0.024" in out  # Llama 2 7B-like: why, with ε*


def test_classify_json(tmp_path):
    p = run("classify", str(_write(tmp_path, "c.json", GEMMA3)), "--json", "--men-max-context", "1")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["label_group"] == "full_attention" and len(out["groups"]) == 2
    assert {g["group"] for g in out["groups"]} == {"sliding_attention", "full_attention"}
    assert "rope_theta" in out["defaults_used"] and out["settings"]["epsilon"] == 0.5  # physics.epsilon


CLASSIFY_BAD = [
    ({**LLAMA, "rope_theta": "ten thousand"}, "rope_theta"),
    ('{"model_type": "llama", "rope_theta": NaN, "num_hidden_layers": 2}', "rope_theta"),
    ({**LLAMA, "rope_theta": -5}, "rope_theta"),
    ({**LLAMA, "num_hidden_layers": -2}, "num_hidden_layers"),
    ({**LLAMA, "max_position_embeddings": 4096.5}, "max_position_embeddings"),
    ("{not json", "not valid json"),
    ([1, 2, 3], "json object"),
    ({**LLAMA, "rope_parameters": {"rope_type": "yarn", "rope_theta": 1e4, "factor": "x"}}, "rope_parameters.factor"),
    ({**LLAMA, "rope_parameters": {"full_attention": {"rope_theta": "big"}}}, "rope_parameters.full_attention.rope_theta"),
    ({**LLAMA, "rope_parameters": "yarn"}, "rope_parameters"),
    ({**LLAMA, "rope_scaling": {"type": "linear", "factor": None, "long_factor": [1, "a"]}}, "long_factor[1]"),
    ({**LLAMA, "partial_rotary_factor": 1.5}, "partial_rotary_factor"),
    ({"model_type": "gemma3", "text_config": {"rope_theta": True}}, "text_config.rope_theta"),
    ({**LLAMA, "layer_types": "full"}, "layer_types"),
    ({**LLAMA, "rope_scaling": {"rope_type": "mrope", "factor": 2.0}}, "mrope"),
    ({"model_type": "my_new_model", "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 2,
      "max_position_embeddings": 128}, "rope_theta"),
]


@pytest.mark.parametrize("content,needle", CLASSIFY_BAD, ids=[n for _, n in CLASSIFY_BAD])
def test_classify_bad_config_exits_2_with_one_line_naming_the_field(tmp_path, content, needle):
    p = run("classify", str(_write(tmp_path, "config.json", content)), "--men-max-context", "1")
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stdout == "" and "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle.lower() in lines[0].lower(), p.stderr


@pytest.mark.parametrize("args,needle", [(["no/such/config.json"], "not found"),
                                         (["{cfg}", "-L", "nan"], "context length"),
                                         (["{cfg}", "-L", "-5"], "context length"),
                                         (["{cfg}", "--epsilon", "2"], "epsilon"),
                                         (["{cfg}", "--dtype", "int3"], "dtype")])
def test_classify_bad_arguments_exit_2_before_torch_loads(tmp_path, args, needle):
    cfg = str(_write(tmp_path, "c.json", LLAMA))
    argv = [a.replace("{cfg}", cfg) for a in args]
    code = ("import sys; from analysis.cli import main; rc = main(['classify', *sys.argv[1:]]); "
            "print('torch' in sys.modules, 'transformers' in sys.modules); raise SystemExit(rc)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=120)
    assert p.returncode == 2 and needle in p.stderr.lower(), p.stderr
    assert p.stdout.strip() == "False False"  # validated before torch / transformers are imported


@pytest.mark.parametrize("config_id", ["qwen3-8b", "gpt-oss-20b"])
def test_classify_imports_only_config_code(config_id):
    """What keeps `classify` at a few seconds (benchmarks/bench_case_study.py times it): a whole run,
    plain RoPE (Qwen3) or YaRN (gpt-oss), loads transformers' config classes and RoPE init functions
    but no model code (no modeling_* module beyond the auto name tables, no LlamaConfig for the scaled
    frequencies) and no pandas."""
    cfg = ROOT / "data" / "configs" / config_id / "config.json"
    code = ("import sys; from analysis.cli import main; rc = main(['classify', '--json', sys.argv[1]]); "
            "mods = sorted(m for m in sys.modules if m.startswith('pandas') or '.modeling_' in m "
            "or m == 'transformers.models.llama.configuration_llama'); "
            "print(repr([m for m in mods if m != 'transformers.modeling_rope_utils' "
            "and not m.startswith('transformers.models.auto.')]), file=sys.stderr); "
            "raise SystemExit(rc)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", code, str(cfg)], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["groups"], p.stdout[:500]
    assert p.stderr.strip().splitlines()[-1] == "[]", p.stderr[-2000:]
