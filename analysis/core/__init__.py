"""Shared plumbing of every stage: RoPE frequencies, config, result files, provenance, errors, logs,
figures and scorecard rows."""
