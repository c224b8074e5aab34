# report stage: render the Quarto website and PDF when Quarto is installed.
import shutil

QUARTO = shutil.which("quarto")


onsuccess:
    if QUARTO is None:
        print(
            "\nrope-bounds: all analysis finished; the Quarto render was SKIPPED because `quarto` is "
            "not on PATH.\n  Install Quarto (https://quarto.org/docs/get-started/) and run "
            "`snakemake --cores 8` again to build _site/ (HTML) and the PDF.\n"
        )
