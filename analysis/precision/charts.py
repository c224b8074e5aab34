"""Altair charts of the precision stage. Each takes the all-device table written by the summary
rule (column ``source`` = ``this run: <device>`` or ``committed: <device folder>``) and draws one
panel row (or column) per source, so devices sit side by side. Panels use the row/column encoding
channels (a single unit chart), which the report pages can rebuild with ``alt.Chart.from_dict``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMAT_ORDER", "collisions_chart", "distinct_chart", "logit_error_chart", "invariance_chart",
           "throughput_chart", "CHARTS", "precision_figures"]

FORMAT_ORDER: list[str] = ["fp64", "fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2"]
_MODE_ORDER = ["native", "fp32_cast", "cos_sin_cast"]
_IMPL_ORDER = ["hf", "native", "fp32"]


def _ok(df: "pd.DataFrame") -> "pd.DataFrame":
    return df[df["status"] == "ok"].copy()


def _color() -> Any:
    import altair as alt

    return alt.Color("dtype:N", title="format", sort=FORMAT_ORDER,
                     scale=alt.Scale(domain=FORMAT_ORDER, scheme="tableau10"))


def collisions_chart(collisions: "pd.DataFrame") -> Any:
    """First colliding position vs base (log-log), colour = format, dashed = ``1/eps_mach``;
    columns = mode, rows = source. Bases without a collision up to the search cap are omitted."""
    import altair as alt
    import pandas as pd

    ok = _ok(collisions)
    meas = ok.dropna(subset=["first_collision"]).assign(series="measured first collision")
    meas["position"] = meas["first_collision"].astype(float)
    eps = ok.assign(series="1/eps_mach", position=1.0 / ok["eps_mach"])
    cols = ["source", "dtype", "mode", "base", "position", "series"]
    data = pd.concat([meas, eps], ignore_index=True)[cols]
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=20))
        .encode(
            x=alt.X("base:Q", scale=alt.Scale(type="log"), title="RoPE base"),
            y=alt.Y("position:Q", scale=alt.Scale(type="log"), title="first colliding position"),
            color=_color(),
            strokeDash=alt.StrokeDash("series:N", title=None, sort=["measured first collision", "1/eps_mach"],
                                      legend=None),
            tooltip=["source", "dtype", "mode", "base", "position", "series"],
            column=alt.Column("mode:N", sort=_MODE_ORDER, title="angle computed as"),
            row=alt.Row("source:N", title=None),
        )
        .properties(width=150, height=160,
                    title="Where the lowest-frequency angle p·θ_min stops changing (dashed: 1/eps_mach)")
    )


def distinct_chart(collisions: "pd.DataFrame") -> Any:
    """Fraction of distinct lowest-frequency values among positions ``0..L`` vs base."""
    import altair as alt

    ok = _ok(collisions)[["source", "dtype", "mode", "base", "distinct_fraction", "context_length"]]
    return (
        alt.Chart(ok)
        .mark_line(point=True)
        .encode(
            x=alt.X("base:Q", scale=alt.Scale(type="log"), title="RoPE base"),
            y=alt.Y("distinct_fraction:Q", title="fraction of distinct values, positions 0..L"),
            color=_color(),
            tooltip=["source", "dtype", "mode", "base", "distinct_fraction", "context_length"],
            column=alt.Column("mode:N", sort=_MODE_ORDER, title="angle computed as"),
            row=alt.Row("source:N", title=None),
        )
        .properties(width=150, height=160, title="How many positions the lowest frequency still tells apart")
    )


def logit_error_chart(error: "pd.DataFrame") -> Any:
    """RMS relative logit error vs key position (upper end of each octave), log-log."""
    import altair as alt

    ok = _ok(error).dropna(subset=["rms_rel_error"])
    ok = ok[ok["rms_rel_error"] > 0][["source", "dtype", "implementation", "position_hi", "rms_rel_error",
                                     "max_rel_error", "nonfinite_fraction"]]
    return (
        alt.Chart(ok)
        .mark_line(point=True)
        .encode(
            x=alt.X("position_hi:Q", scale=alt.Scale(type="log", nice=False),
                    title="key position m (octave upper end)"),
            y=alt.Y("rms_rel_error:Q", scale=alt.Scale(type="log"), title="RMS |logit error| / (|q||k|)"),
            color=_color(),
            strokeDash=alt.StrokeDash("implementation:N", sort=_IMPL_ORDER, legend=None),
            shape=alt.Shape("implementation:N", sort=_IMPL_ORDER, title="implementation (dash, marker)"),
            tooltip=list(ok.columns),
            column=alt.Column("source:N", title=None),
        )
        .properties(width=300, height=220, title="Attention-logit error of RoPE against exact arithmetic")
    )


def invariance_chart(invariance: "pd.DataFrame") -> Any:
    """Median spread of the logit over absolute positions ``m < L`` vs ``L``, log-log."""
    import altair as alt

    ok = _ok(invariance).dropna(subset=["median_rel_spread"])
    ok = ok[ok["median_rel_spread"] > 0][["source", "dtype", "implementation", "context_length",
                                         "median_rel_spread", "max_rel_spread", "nonfinite_fraction"]]
    return (
        alt.Chart(ok)
        .mark_line(point=True)
        .encode(
            x=alt.X("context_length:Q", scale=alt.Scale(type="log", nice=False),
                    title="context L (positions m < L)"),
            y=alt.Y("median_rel_spread:Q", scale=alt.Scale(type="log"),
                    title="spread of q·R(m)ᵀR(m+Δ)k over m / (|q||k|)"),
            color=_color(),
            strokeDash=alt.StrokeDash("implementation:N", sort=_IMPL_ORDER, legend=None),
            shape=alt.Shape("implementation:N", sort=_IMPL_ORDER, title="implementation (dash, marker)"),
            tooltip=list(ok.columns),
            column=alt.Column("source:N", title=None),
        )
        .properties(width=300, height=220,
                    title="Relative-position invariance: same Δ, different absolute position")
    )


def throughput_chart(throughput: "pd.DataFrame") -> Any:
    """Tokens per second of applying RoPE, per format (bars), one panel per source."""
    import altair as alt

    ok = _ok(throughput)[["source", "dtype", "tokens_per_s", "batch", "heads", "seq", "head_dim"]]
    return (
        alt.Chart(ok)
        .mark_bar()
        .encode(
            x=alt.X("dtype:N", sort=FORMAT_ORDER, title="format"),
            y=alt.Y("tokens_per_s:Q", scale=alt.Scale(type="log"), title="tokens / s"),
            color=_color(),
            tooltip=list(ok.columns),
            column=alt.Column("source:N", title=None),
        )
        .properties(width=200, height=200, title="Throughput of applying RoPE (Hugging Face style)")
    )


# figure name -> (all-device table it reads, chart function)
CHARTS: dict[str, tuple[str, Any]] = {
    "collisions": ("collisions", collisions_chart),
    "distinct_fraction": ("collisions", distinct_chart),
    "logit_error": ("logit_error", logit_error_chart),
    "invariance": ("invariance", invariance_chart),
    "throughput": ("throughput", throughput_chart),
}


def precision_figures(
    *, collisions: "pd.DataFrame", logit_error: "pd.DataFrame", invariance: "pd.DataFrame",
    throughput: "pd.DataFrame",
) -> dict[str, Any]:
    """Every figure of the precision chapter (:data:`CHARTS`), each from its all-device table."""
    tables = {"collisions": collisions, "logit_error": logit_error, "invariance": invariance,
              "throughput": throughput}
    return {name: make(tables[table]) for name, (table, make) in CHARTS.items()}
