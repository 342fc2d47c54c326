"""Errors that etmf raises to its callers.

The tree::

    EtmfError                 root: everything etmf raises on purpose
    ├── ConfigError           a YAML file (etmf.yaml, a profile, a rule file) is wrong;
    │                         names the file, the key path and what was expected
    ├── UsageError            the caller asked for something that cannot be done
    │                         (an unknown artifact number, a folder that does not exist)
    ├── HistoryError          the scan history database is missing, foreign, newer or
    │                         damaged (defined in etmf.history_store; never rebuilt)
    └── ExtractionError       one document could not be read; the scan turns it into an
                              ``unreadable`` finding and goes on

Only the CLI turns these into messages and exit codes.
"""

from __future__ import annotations


class EtmfError(Exception):
    """Root of every error etmf raises on purpose."""


class ConfigError(EtmfError):
    """A configuration file is invalid.

    ``str(error)`` reads ``FILE: KEY.PATH: what was wrong``, for example
    ``etmf.yaml: sites[2].country: 'XX' is not a country with a profile (known: AU, KR, TW)``.
    """

    def __init__(self, source: str, key_path: str, message: str) -> None:
        self.source = source
        self.key_path = key_path
        self.message = message
        where = f"{source}: {key_path}" if key_path else source
        super().__init__(f"{where}: {message}")


class UsageError(EtmfError):
    """The caller asked for something that cannot be done."""


class ExtractionError(EtmfError):
    """A document could not be read; ``reason`` says why in words a user understands."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
