"""The long-context stage's steps (``workflow/rules/longctx.smk``). The profile (cpu, gpu) is decided
when the workflow is read; a setting key written ``longctx.{profile}.…`` is completed with the rule's
``params.profile``, so a rule reads only its own profile's settings. Training and evaluation are one
job per base (the ``factor`` wildcard, passed as a param), so editing the measurement, the figures or
the page never retrains."""

from __future__ import annotations

from analysis.core.step import Step

PROFILE_KEY = "longctx.{profile}"  # the section of the build's profile, completed by the rule's params.profile
PROBE_AND_CORPUS_SETTINGS = {"probe_cfg": "longctx.probe", "corpus_cfg": "longctx.corpus"}
SUMMARY_OUT = ("summary", "by_base", "by_distance", "bases_table", "scorecard")

STEPS: dict[str, Step] = {
    "bases": Step(
        "analysis.longctx.bases.bases_results", outputs=("bases", "curves"), params=("profile",),
        key_params=("profile",),
        settings={"epsilon": "physics.epsilon", "factors": f"{PROFILE_KEY}.base_factors",
                  "seq_len": f"{PROFILE_KEY}.train.seq_len", "head_dim": f"{PROFILE_KEY}.train.head_dim",
                  "layers": f"{PROFILE_KEY}.train.layers"}),
    "train": Step(
        "analysis.longctx.train.train_results", inputs=("bases",), outputs=("runs", "models"), written=("models",),
        params=("factor", "checkpoints", "profile"), key_params=("profile",),
        settings={"seeds": f"{PROFILE_KEY}.seeds", "train_cfg": f"{PROFILE_KEY}.train", **PROBE_AND_CORPUS_SETTINGS}),
    "eval": Step(
        "analysis.longctx.measure.eval_results", inputs=("bases",), outputs=("perplexity", "retrieval", "attention"),
        params=("factor", "models_dir", "profile"), key_params=("profile",),
        settings={"seeds": f"{PROFILE_KEY}.seeds", "eval_cfg": f"{PROFILE_KEY}.eval",
                  "seq_len": f"{PROFILE_KEY}.train.seq_len", **PROBE_AND_CORPUS_SETTINGS}),
    "summary": Step(
        "analysis.longctx.summary.quick_summary",
        inputs=("bases", "curves", "runs", "perplexity", "retrieval", "attention"), outputs=SUMMARY_OUT,
        settings={"paper_scale": "longctx.paper_scale", "probe": "longctx.probe"}),
    "figures": Step(
        "analysis.longctx.charts.longctx_charts", inputs=("summary", "by_base", "by_distance", "curves"),
        outputs=("perplexity", "retrieval", "attention_mass", "attention_entropy", "men_B")),
    "archived": Step(
        "analysis.longctx.archive.archived_results", params=("folder",), outputs=(*SUMMARY_OUT, "curves"),
        settings={"paper_scale": "longctx.paper_scale"}),
    "archived_figures": Step(
        "analysis.longctx.charts.archived_charts", inputs=("summary", "by_base", "by_distance", "curves"),
        outputs=("archived_perplexity", "archived_retrieval", "archived_men_B")),
    "scorecard": Step(
        "analysis.longctx.summary.stage_scorecard", inputs=("quick", "archived"), outputs=("scorecard",)),
    "findings": Step(
        "analysis.longctx.findings.longctx_findings", inputs=("summary", "bases", "scorecard", "archived"),
        outputs=("findings",)),
}
