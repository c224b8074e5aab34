"""Seed means and spreads of the longctx measurements, by base and by distance.

Per model (base, seed): perplexity on plain held-out text; retrieval accuracy and ``p(answer)`` per
distance (mean over the probes at that distance); and, for the model's *retrieval head* -- the
(layer, head) whose attention from the query puts the most mass on the target record, averaged over
all probes -- that head's key mass and entropy per distance. Across seeds every quantity is given as
mean, standard deviation, minimum and maximum (the spread), with the number of seeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.longctx import task

__all__ = ["retrieval_head", "per_model", "by_distance", "by_base", "bases_table", "longctx_summary_tables", "quick_summary", "stage_scorecard"]

_STATS = ("mean", "std", "min", "max")


def retrieval_head(attention: pd.DataFrame) -> pd.DataFrame:
    """Per (factor, seed): the (layer, head) with the highest mean ``key_mass`` over all probes."""
    m = attention.groupby(["factor", "seed", "layer", "head"], as_index=False)["key_mass"].mean()
    idx = m.sort_values(["factor", "seed", "key_mass", "layer", "head"],
                        ascending=[True, True, False, True, True]).groupby(["factor", "seed"]).head(1)
    return idx[["factor", "seed", "layer", "head"]].reset_index(drop=True)


def per_model(retrieval: pd.DataFrame, attention: pd.DataFrame) -> pd.DataFrame:
    """One row per (factor, base, seed, distance): ``accuracy``, ``p_answer`` and the retrieval
    head's ``key_mass`` and ``entropy`` (means over the probes at that distance)."""
    r = retrieval.groupby(["factor", "base", "seed", "distance"], as_index=False).agg(
        accuracy=("correct", "mean"), p_answer=("p_answer", "mean"))
    heads = retrieval_head(attention)
    a = attention.merge(heads, on=["factor", "seed", "layer", "head"])
    a = a.groupby(["factor", "seed", "distance"], as_index=False).agg(
        key_mass=("key_mass", "mean"), entropy=("entropy", "mean"))
    return r.merge(a, on=["factor", "seed", "distance"])


def _spread(df: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    g = df.groupby(keys)[cols].agg(list(_STATS))
    g.columns = [f"{c}_{s}" for c, s in g.columns]
    g["n_seeds"] = df.groupby(keys)["seed"].nunique()
    return g.reset_index()


def by_distance(models: pd.DataFrame, curves: pd.DataFrame) -> pd.DataFrame:
    """Seed statistics per (factor, base, distance), with ``B`` and ``negative`` (B(m) < 0) of that
    base at that distance."""
    out = _spread(models, ["factor", "base", "distance"], ["accuracy", "p_answer", "key_mass", "entropy"])
    b = curves.rename(columns={"m": "distance"})[["factor", "distance", "B", "negative"]]
    return out.merge(b, on=["factor", "distance"], how="left")


def by_base(grid: dict[str, Any], models: pd.DataFrame, perplexity: pd.DataFrame) -> pd.DataFrame:
    """One row per trained base: its bounds facts (:func:`analysis.longctx.bases.base_grid`) and the
    seed statistics of perplexity and of accuracy, key mass and entropy at long range (m >= L/2)."""
    L = int(grid["seq_len"])
    facts = pd.DataFrame(grid["bases"])
    ppl = _spread(perplexity, ["factor"], ["val_perplexity"])
    long = models[models.distance >= L / 2].groupby(["factor", "seed"], as_index=False)[
        ["accuracy", "key_mass", "entropy"]].mean()
    allm = models.groupby(["factor", "seed"], as_index=False)["accuracy"].mean().rename(
        columns={"accuracy": "accuracy_all"})
    stats = _spread(long.merge(allm, on=["factor", "seed"]), ["factor"],
                    ["accuracy", "key_mass", "entropy", "accuracy_all"]).drop(columns="n_seeds")
    stats.columns = ["factor"] + [f"long_{c}" if not c.startswith("accuracy_all") else c for c in stats.columns[1:]]
    return facts.merge(ppl, on="factor").merge(stats, on="factor").sort_values("factor").reset_index(drop=True)


def bases_table(table: pd.DataFrame) -> pd.DataFrame:
    """The page's table of trained bases, every column formatted in one style (numfmt.fmt_column)."""
    from analysis.core.numfmt import fmt_column

    def pm(mean: str, sd: str) -> pd.Series:
        a, b = fmt_column(table[mean]), fmt_column(table[sd])
        return pd.Series([f"{x} ± {y}" for x, y in zip(a, b, strict=True)])

    first = [("none" if pd.isna(v) else v) for v in table["first_negative_m"]]
    return pd.DataFrame({
        "Base": fmt_column(table["base"], 4),
        "× Men's bound": fmt_column(table["factor"]),
        "B(m) ≥ 0 for all m ≤ L": fmt_column(table["men_feasible"].astype(bool)),
        "first m with B(m) < 0": fmt_column([int(v) if v != "none" else v for v in first]),
        "meets DC bound (exact)": fmt_column(table["meets_dc_stability_exact"].astype(bool)),
        "meets depth bound (exact)": fmt_column(table["meets_depth_compounded_exact"].astype(bool)),
        "perplexity per byte": pm("val_perplexity_mean", "val_perplexity_std"),
        "accuracy, all m": pm("accuracy_all_mean", "accuracy_all_std"),
        "accuracy, m ≥ L/2": pm("long_accuracy_mean", "long_accuracy_std"),
        "key attention, m ≥ L/2": pm("long_key_mass_mean", "long_key_mass_std"),
        "seeds that learned": [f"{int(a)} of {int(b)}" for a, b in zip(table["seeds_learned"], table["seeds_total"],
                                                                        strict=True)],
    })


def longctx_summary_tables(
    grid: dict[str, Any], curves: pd.DataFrame, runs: list[dict[str, Any]], perplexity: pd.DataFrame,
    models: pd.DataFrame, paper_scale: dict[str, str], n_records: int, source: str,
) -> dict[str, Any]:
    """Everything a summary rule writes: ``summary`` (JSON), ``by_base``, ``by_distance``,
    ``bases_table`` and ``scorecard`` (:mod:`analysis.longctx.claims`). ``models`` is the per-model
    table (:func:`per_model`); ``source`` names the run (this build's quick run or an archived run)."""
    from analysis.core.scorecard import rows_to_frame
    from analysis.longctx import claims

    tb = by_base(grid, models, perplexity)
    lrn = claims.learned(models, int(grid["seq_len"])).rename("learned").reset_index()
    share = lrn.groupby("factor")["learned"].agg(["sum", "count"]).reset_index()
    tb = tb.merge(share.rename(columns={"sum": "seeds_learned", "count": "seeds_total"}), on="factor", how="left")
    bd = by_distance(models, curves)
    first = runs[0]["runs"][0]
    scale = {
        "profile": grid.get("profile", "cpu"), "device": runs[0]["device"], "parameters": first["parameters"],
        "steps": first["steps"], "seeds": sorted({r["seed"] for run in runs for r in run["runs"]}),
        "seq_len": int(grid["seq_len"]), "head_dim": int(grid["head_dim"]), "layers": int(grid["layers"]),
        "n_records": int(n_records), "chance": 1.0 / task.N_VALUES, "source": source,
        "n_distances": int(models.distance.nunique()),
    }
    rows, facts = claims.longctx_claims(grid, models, perplexity, scale, paper_scale, curves)
    summary = {"scale": scale, "men": grid["men"], "phase": grid["phase"], "epsilon": grid["epsilon"],
               "claims": facts, "paper_scale": dict(paper_scale),
               "train_loss_last": {f"{r['factor']:g}": [x["train_answer_loss_last"] for x in r["runs"]]
                                   for r in runs}}
    return {"summary": summary, "by_base": tb, "by_distance": bd, "bases_table": bases_table(tb),
            "scorecard": rows_to_frame(rows), "models": models}


def stage_scorecard(quick: pd.DataFrame, archived: pd.DataFrame | None) -> pd.DataFrame:
    """The stage's scorecard rows: each claim's row from the archived run (when there is one; its reason
    names the run) with the quick run's verdict appended, else the quick run's rows."""
    if archived is None or archived.empty:
        return quick
    q = quick.set_index("item")["verdict"]
    out = archived.copy()
    out["reason"] = [f"{r} Quick run of this build (default profile): {q.get(i, 'not run')}."
                     for r, i in zip(out["reason"], out["item"], strict=True)]
    return out


def _listed(x: Any) -> list[Any]:
    return list(x) if isinstance(x, list) else [x]


def quick_summary(*, bases: dict[str, Any], curves: pd.DataFrame, runs: Any, perplexity: Any, retrieval: Any,
                  attention: Any, paper_scale: dict[str, str], probe: Mapping[str, Any]) -> dict[str, Any]:
    """The stage's summary step over this build's quick run: every base's runs and evaluation tables
    (one per base, or one when a single base is trained) into :func:`longctx_summary_tables`."""
    def cat(tables: Any) -> pd.DataFrame:
        return pd.concat(_listed(tables), ignore_index=True)

    return longctx_summary_tables(
        grid=bases, curves=curves, runs=_listed(runs), perplexity=cat(perplexity),
        models=per_model(cat(retrieval), cat(attention)), paper_scale=paper_scale,
        n_records=int(probe["n_records"]), source="quick run of this build")
