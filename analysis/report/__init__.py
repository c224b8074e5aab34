"""The report stage: page helpers (reportkit), the Quarto render (quarto) and the build stamp (version)."""
