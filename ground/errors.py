"""One exception class per failure the command line turns into an exit code."""


class ShoplintError(Exception):
    """Base class: the message is one line meant for the user."""

    exit_code = 1


class ConfigError(ShoplintError):
    """The configuration or a command-line value is wrong (exit 2)."""

    exit_code = 2


class CrawlError(ShoplintError):
    """The crawl could not be done: start URL unreachable, store not writable (exit 3)."""

    exit_code = 3
