# Helpers shared by every stage. Conventions:
# - results of stage S go to {results_dir}/S/, each file with a `<file>.provenance.json` sidecar;
# - every rule has a docstring, `log:` (log_path) and `benchmark:` (bench_path);
# - a rule's `params:` carry only its own stage's config section, so that editing one stage's
#   settings reruns that stage alone (Snakemake's params rerun trigger);
# - each stage appends its final outputs to ALL_TARGETS.
from analysis.figures import FIGURE_SUFFIXES
from analysis.provenance import sidecar_path

RESULTS = config["results_dir"].rstrip("/")
LOGS = config["logs_dir"].rstrip("/")
ALL_TARGETS = []


def res(stage, name):
    """Path of result `name` of `stage`."""
    return f"{RESULTS}/{stage}/{name}"


def with_prov(path):
    """A result path and its provenance sidecar, for `output:`."""
    return [path, str(sidecar_path(path))]


def fig(stage, name):
    """All renderings of figure `name` (Vega-Lite JSON, SVG, PNG, standalone HTML) + sidecar."""
    stem = f"{RESULTS}/{stage}/figures/{name}"
    return [stem + s for s in FIGURE_SUFFIXES] + [str(sidecar_path(stem + ".vl.json"))]


def log_path(stage, rule):
    return f"{LOGS}/{stage}/{rule}.log"


def bench_path(stage, rule):
    return f"{LOGS}/benchmarks/{stage}/{rule}.tsv"
