# rope-bounds: `snakemake --cores 8` regenerates every number, table and figure of the report.
import os
import sys

sys.path.insert(0, workflow.basedir)  # analysis/ importable without installation

from analysis.core.config import validate
from analysis.core.errors import ConfigError


configfile: os.path.join(workflow.basedir, "config", "config.yaml")


report: "workflow/report/workflow.rst"


try:  # schema validation: a bad value stops here with one line naming the key
    validate(config)
except ConfigError as err:
    sys.exit(f"rope-bounds: {err}")


include: "workflow/rules/common.smk"
include: "workflow/rules/bounds.smk"
include: "workflow/rules/case_study.smk"
include: "workflow/rules/choose_base.smk"
include: "workflow/rules/precision.smk"
include: "workflow/rules/probes.smk"
include: "workflow/rules/harmonics.smk"
include: "workflow/rules/longctx.smk"
include: "workflow/rules/report.smk"


rule all:
    """Every result, figure and (when Quarto is installed) the rendered report."""
    default_target: True
    input:
        ALL_TARGETS,
