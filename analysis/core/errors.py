"""Error types the command line and the workflow turn into one-line messages."""


class InputError(ValueError):
    """Invalid user input (a CLI argument, a config value, a model config file).

    The message must name the offending input; callers print it on one line and exit 2.
    """


class ConfigError(InputError):
    """A config file that fails schema validation; the message names the key."""
