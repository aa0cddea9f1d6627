"""fairgauge's exceptions. Every error from the Rust core arrives with its message intact."""

from __future__ import annotations


class FairgaugeError(Exception):
    """Base of every fairgauge error."""


class DataError(FairgaugeError, ValueError):
    """The data cannot be read or does not fit its role (file, column, row or value named)."""


class ColumnNotFoundError(DataError, KeyError):
    """A named column is not in the table. Also a ``KeyError``."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SchemaError(FairgaugeError, ValueError):
    """A schema file (or a rules file) is invalid."""


class RulesError(SchemaError):
    """A quality rules file is invalid (line and key named)."""


class PolicyError(FairgaugeError, ValueError):
    """An assessment policy is invalid (file, line and key named)."""


class LedgerError(FairgaugeError):
    """A ledger is broken (its first bad record named) or cannot be written."""


class OptionError(FairgaugeError, ValueError):
    """An argument is invalid."""


class FairgaugeIOError(FairgaugeError, OSError):
    """A file cannot be opened, read or written."""


class InternalError(FairgaugeError):
    """A bug in fairgauge (a Rust panic, caught): please report it."""


_KINDS: dict[str, type[FairgaugeError]] = {
    "data": DataError,
    "column_not_found": ColumnNotFoundError,
    "schema": SchemaError,
    "rules": RulesError,
    "policy": PolicyError,
    "ledger": LedgerError,
    "option": OptionError,
    "io": FairgaugeIOError,
    "internal": InternalError,
}


def translate(err: Exception) -> FairgaugeError:
    """The fairgauge exception for a ``RustError(kind, message)``."""
    kind, message = ((*err.args, "data", str(err)))[:2] if len(err.args) < 2 else err.args[:2]
    return _KINDS.get(str(kind), FairgaugeError)(str(message))
