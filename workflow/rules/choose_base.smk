# choose_base stage: the minimum base for a target context and the smallest scaling setting per method
# (analysis/choose_base/; `python -m analysis suggest`), worked examples on model configs, and the data of
# the page's calculator. Reads no upstream result (the Men et al. curve is package data).
import os

CHOOSE_EXAMPLE_CONFIGS = [os.path.join(workflow.basedir, e["config"]) for e in config["choose_base"]["examples"]]


rule choose_base_examples:
    """Worked examples: `suggest` on each configured model config (minimum bases, the smallest setting of
    each scaling method on transformers' effective frequencies, config blocks)."""
    input:
        configs=CHOOSE_EXAMPLE_CONFIGS,
        men_curve=MEN_CURVE_FILE,
        code=stage_code("choose_base", "case_study", "bounds", "core/rope.py", "core/step.py"),
    output:
        full=result("choose_base", "examples.json"),
        bounds=result("choose_base", "display/example_bounds.parquet", caption="display/example_bounds.parquet"),
        settings=result("choose_base", "display/example_settings.parquet",
                        caption="display/example_settings.parquet"),
        blocks=result("choose_base", "examples_blocks.json"),
    params:
        step="choose_base.examples",
        settings=step_settings("choose_base.examples"),
    threads: 1
    log:
        log_path("choose_base", "choose_base_examples"),
    benchmark:
        bench_path("choose_base", "choose_base_examples")
    script:
        STEP_SCRIPT


rule choose_base_calculator:
    """The calculator's data: the shipped Men et al. minimum-base curves, machine epsilons, defaults."""
    input:
        men_curve=MEN_CURVE_FILE,
        code=stage_code("choose_base/calculator.py", "choose_base/steps.py", "bounds/curve.py", "bounds/dtypes.py", "core/step.py"),
    output:
        data=result("choose_base", "calculator.json"),
    params:
        step="choose_base.calculator",
        settings=step_settings("choose_base.calculator"),
    threads: 1
    log:
        log_path("choose_base", "choose_base_calculator"),
    benchmark:
        bench_path("choose_base", "choose_base_calculator")
    script:
        STEP_SCRIPT


ALL_TARGETS.extend(
    [
        result_path("choose_base", "examples.json"),
        result_path("choose_base", "display/example_bounds.parquet"),
        result_path("choose_base", "display/example_settings.parquet"),
        result_path("choose_base", "calculator.json"),
    ]
)
