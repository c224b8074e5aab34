# choose_base stage: the minimum base for a target context and the smallest scaling setting per method
# (analysis/choose_base/; `python -m analysis suggest`), worked examples on model configs, and the data of
# the page's calculator. Reads no upstream result (the Men et al. curve is package data).
CHOOSE_EXAMPLE_CONFIGS = [os.path.join(workflow.basedir, e["config"]) for e in config["choose_base"]["examples"]]
CHOOSE_CURVE = os.path.join(workflow.basedir, "analysis", "bounds", "data", "men_min_base_curve.csv")


rule choose_base_examples:
    """Worked examples: `suggest` on each configured model config (minimum bases, the smallest setting of
    each scaling method on transformers' effective frequencies, config blocks)."""
    input:
        configs=CHOOSE_EXAMPLE_CONFIGS,
        men_curve=CHOOSE_CURVE,
        code=stage_code("choose_base", "case_study", "bounds", "core/rope.py"),
    output:
        full=result("choose_base", "examples.json"),
        bounds=result("choose_base", "examples_bounds.csv", caption="examples_bounds.csv"),
        settings=result("choose_base", "examples_settings.csv", caption="examples_settings.csv"),
        blocks=result("choose_base", "examples_blocks.json"),
    params:
        settings=settings("physics.epsilon", "case_study.angle_dtype", "choose_base.examples", "choose_base.criterion",
                          "choose_base.max_factor", "choose_base.grid_per_octave", "choose_base.factor_rtol"),
    threads: 1
    log:
        log_path("choose_base", "choose_base_examples"),
    benchmark:
        bench_path("choose_base", "choose_base_examples")
    script:
        "../scripts/choose_base_examples.py"


rule choose_base_calculator:
    """The calculator's data: the shipped Men et al. minimum-base curves, machine epsilons, defaults."""
    input:
        men_curve=CHOOSE_CURVE,
        code=stage_code("choose_base/calculator.py", "bounds/curve.py", "bounds/dtypes.py"),
    output:
        data=result("choose_base", "calculator.json"),
    params:
        settings=settings("physics.dtypes", "choose_base.calculator_defaults"),
    threads: 1
    log:
        log_path("choose_base", "choose_base_calculator"),
    benchmark:
        bench_path("choose_base", "choose_base_calculator")
    script:
        "../scripts/choose_base_calculator.py"


ALL_TARGETS.extend(
    [
        res("choose_base", "examples.json"),
        res("choose_base", "examples_bounds.csv"),
        res("choose_base", "examples_settings.csv"),
        res("choose_base", "calculator.json"),
    ]
)
