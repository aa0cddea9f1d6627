"""The ``fairgauge`` command line from the Python package: ``python -m fairgauge …`` and the
``fairgauge`` command that ``pip install fairgauge`` puts on PATH run the same Rust command line
as the standalone binary (same subcommands, options, output and exit codes: 0 success, 1 a check
failed, 2 bad usage or bad data)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Runs ``fairgauge`` with `argv` (default: this process's arguments); returns the exit code."""
    from . import _fairgauge

    args = list(sys.argv[1:] if argv is None else argv)
    # The core writes to the process's standard streams: what Python buffered goes first.
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return int(_fairgauge.cli(["fairgauge", *args]))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
