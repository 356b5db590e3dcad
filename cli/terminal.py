"""How wide the command line writes: as wide as the terminal (or `COLUMNS`), unwrapped when piped.

Both streams follow the same rule, so a message on stderr wraps where the package on stdout does,
and output piped to a file or another program holds each line whole, whatever its length.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from rich.console import Console

UNWRAPPED = 100_000
"""The width given to a console whose output is piped: wide enough that no line wraps, while tables
still take their natural width (they never stretch to fill it)."""


LINES = 25
"""The height given to every console (the command line never pages or redraws)."""


def columns(stream: TextIO, environ: Mapping[str, str] = os.environ) -> int | None:
    """The width to wrap at: `COLUMNS` when it is set to a positive number, else the width of the
    terminal the stream writes to; None when the stream is not a terminal (lines stay whole)."""
    setting = environ.get("COLUMNS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):  # a stream without a file descriptor (a test's buffer)
        pass
    return None


def fit(console: Console, stream: TextIO, environ: Mapping[str, str] = os.environ) -> None:
    """Set a console's width for the stream it writes to, by `columns`."""
    width = columns(stream, environ)
    # Width and height both: with either left unset, rich takes 80 columns on a "dumb" terminal.
    console.size = (width or UNWRAPPED, LINES)
    console.soft_wrap = width is None
