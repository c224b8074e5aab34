"""Shared fixtures: one Snakemake smoke run (config/smoke.yaml) per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_snakemake(workdir: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run the project's workflow in ``workdir`` on the smoke profile; returns the process."""
    cmd = [
        sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(ROOT / "config" / "smoke.yaml"), *args,
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


@pytest.fixture(scope="session")
def smoke_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Working directory of one complete smoke run of the whole workflow."""
    wd = tmp_path_factory.mktemp("smoke")
    proc = run_snakemake(wd, "--cores", "2")
    if proc.returncode != 0:
        pytest.fail(f"smoke run failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    return wd


@pytest.fixture(scope="session")
def smoke_results(smoke_workdir: Path) -> Path:
    """The results folder of the smoke run."""
    return smoke_workdir / "results"


def save_tiny_gemma(out: Path, seed: int = 0) -> Path:
    """Save a 2-layer byte-level (vocab 256) GemmaForCausalLM with save_pretrained into ``out``
    (config.json + model.safetensors), randomly initialised with ``seed``; returns ``out``."""
    import torch
    import transformers

    torch.manual_seed(seed)
    cfg = transformers.GemmaConfig(
        vocab_size=256,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        max_position_embeddings=512,
    )
    transformers.GemmaForCausalLM(cfg).save_pretrained(out)
    return out
