# Helpers shared by every stage. Conventions:
# - results of stage S go to {results_dir}/S/, each file with a `<file>.provenance.json` sidecar;
# - every rule has a docstring, `log:` (log_path) and `benchmark:` (bench_path);
# - a rule's `params:` carry only its own stage's config section, so that editing one stage's
#   settings reruns that stage alone (Snakemake's params rerun trigger);
# - each stage appends its final outputs to ALL_TARGETS.
import os
import sys

from analysis.core.archive import preferred_archive
from analysis.core.config import PUBLISHED_VALUES as _PUBLISHED_VALUES
from analysis.core.config import setting_at
from analysis.core.device import THREAD_ENV_VARS, usable_cores
from analysis.core.figures import FIGURE_SUFFIXES as _FIGURE_SUFFIXES
from analysis.core.step import find_step as _find_step

PUBLISHED_VALUES = str(_PUBLISHED_VALUES)  # the papers' numbers: an input of every rule that compares with them
# package data: Men et al.'s shipped minimum-base curve (made and re-verified by the bounds stage; read
# by the case study and choose_base where it covers the context length)
MEN_CURVE_FILE = os.path.join(workflow.basedir, "analysis", "bounds", "data", "men_min_base_curve.csv")


# --------------------------------------------------------------------------------------------
# Never more busy threads than the machine has, whatever --cores says: the scheduler's core count
# is clamped to the CPUs this process may use (affinity mask, cgroup CPU quota), each rule declares
# its `threads:`, and every job starts with one BLAS/OpenMP thread (the Adapter raises it to the
# rule's `threads`). Snakemake keeps the total core count in workflow.global_resources["_cores"];
# analysis.core.device.usable_cores() counts the CPUs (affinity mask, cgroup quota).
USABLE_CORES = usable_cores()
if workflow.global_resources["_cores"].value is not None and workflow.global_resources["_cores"].value > USABLE_CORES:
    print(f"rope-bounds: --cores {workflow.global_resources['_cores'].value} clamped to the {USABLE_CORES} "
          "usable CPU(s) of this machine (more would only oversubscribe them)", file=sys.stderr)
    workflow.global_resources["_cores"] = USABLE_CORES
for _var in THREAD_ENV_VARS:
    os.environ[_var] = "1"  # inherited by every job; the Adapter sets it to the rule's threads

RESULTS = config["results_dir"].rstrip("/")
LOGS = config["logs_dir"].rstrip("/")
ALL_TARGETS = []


def result_path(stage, name):
    """Path of result `name` of `stage`."""
    return f"{RESULTS}/{stage}/{name}"


def log_path(stage, rule):
    return f"{LOGS}/{stage}/{rule}.log"


def bench_path(stage, rule):
    return f"{LOGS}/benchmarks/{stage}/{rule}.tsv"


# --------------------------------------------------------------------------------------------
# Outputs of a rule: result paths (with their captions for `snakemake --report`), figure files,
# the settings and analysis sources it depends on. The shape of a rule: workflow/README.md.
def settings(*keys):
    """``{dotted key: value}`` of the config keys a rule's script reads (its only config input)."""
    return {k: setting_at(config, k) for k in keys}


def caption_file(stage, name):
    """Caption of result/figure ``name`` of ``stage`` for `snakemake --report`, generated from the
    one caption source report/captions/<stage>.yaml by rule report_captions."""
    return f"{RESULTS}/report/captions/{stage}/{name}.rst"


def result(stage, name, caption=None, category=None):
    """Path of result ``name`` of ``stage`` for a named ``output:``; with ``caption`` it is also
    shown in `snakemake --report` with that caption (a key of report/captions/<stage>.yaml)."""
    path = result_path(stage, name)
    if caption is None:
        return path
    return report(path, caption=os.path.abspath(caption_file(stage, caption)), category=category or stage)


def figure_files(stage, name):
    """The renderings of figure ``name`` (Vega-Lite JSON first, SVG, PNG, standalone HTML) for one
    named output; the SVG is the one `snakemake --report` shows, with the figure's caption."""
    stem = f"{RESULTS}/{stage}/figures/{name}"
    cap = os.path.abspath(caption_file(stage, name))
    return [report(stem + s, caption=cap, category=stage) if s == ".svg" else stem + s for s in _FIGURE_SUFFIXES]


def stage_code(*parts):
    """The analysis source files a rule depends on: every .py of analysis/<part>/ (a package) or
    analysis/<part> (one file), so that editing the science reruns exactly the results it feeds."""
    out = []
    for part in parts:
        p = os.path.join(workflow.basedir, "analysis", part)
        if os.path.isdir(p):
            out += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".py"))
        else:
            out.append(p)
    return out


# --------------------------------------------------------------------------------------------
# Steps (analysis/core/step.py): a rule named <stage>_<step> runs the step "<stage>.<step>" of
# analysis/<stage>/steps.py with the one generic script STEP_SCRIPT; its settings are the keys the
# step declares, so they are stated once, in the registry.
STEP_SCRIPT = "../scripts/step.py"


def step_settings(name, **key_params):
    """``{dotted key: value}`` of the config keys step ``name`` reads (its rule's ``params: settings``);
    ``key_params`` fill the placeholders of its keys (``profile="cpu"``)."""
    return settings(*_find_step(name).keys_for(**key_params))


def archived_run(stage):
    """The archived run of ``stage`` the build reads (data/archive/<stage>/<profile>-<device>/, made
    by the stage's ``archive`` command): the first of gpu-cuda, full-cpu that exists, else None."""
    return preferred_archive(stage)
