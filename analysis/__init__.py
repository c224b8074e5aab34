"""rope-bounds: analysis of the base parameter of Rotary Positional Embeddings (RoPE).

One module per concept; pure functions, no Snakemake imports. Workflow scripts under
``workflow/scripts`` are thin adapters around these functions.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rope-bounds")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
