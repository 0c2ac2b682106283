"""The one base class of every error that ends a command with exit code 2.

A configuration error is the user's to fix (a case file, an expectations file, an argument,
an implementation that cannot start, a page that cannot be read), not a verdict on an
implementation. The command line catches exactly this class and prints its message as one
line; every module that can stop a command derives its errors from it.
"""


class ConfigurationError(Exception):
    """Stops the command before or instead of a verdict (exit code 2, one line on stderr)."""


class UsageError(ConfigurationError):
    """A bad command-line argument or a selection that leaves nothing to do."""
