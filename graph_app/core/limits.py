"""Limits that protect the machine from an input file: its size, the size of one literal,
the depth of its nesting, the rows of a sheet and the expansion of a packed workbook.

Loaders check them before a parser sees the input, so that a hostile or broken file ends in
a message with its place (exit 2), never in a crash, a swapped-out machine or a parser
that runs for hours. Each limit is a setting (docs/settings.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputProblem, Position
from .settings import load_settings

# Oxigraph's parsers refuse a single token (literal, IRI, name, comment) above this size.
PARSER_BUFFER = 16 * 2**20


@dataclass(frozen=True)
class Limits:
    file_size: int = 2 * 2**30
    literal_size: int = 2**20
    depth: int = 100
    rows: int = 100_000
    expansion: int = 100

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None = None) -> Limits:
        values = load_settings() if settings is None else settings
        return cls(
            file_size=int(values["LOAD_MAX_FILE_SIZE"]),
            literal_size=int(values["LOAD_MAX_LITERAL_SIZE"]),
            depth=int(values["LOAD_MAX_DEPTH"]),
            rows=int(values["LOAD_MAX_ROWS"]),
            expansion=int(values["LOAD_MAX_EXPANSION"]),
        )


def current() -> Limits:
    """The limits as the settings give them now (defaults, instance file, environment)."""
    return Limits.from_settings()


SETTING = {
    "file_size": "QAGRAPH_LOAD_MAX_FILE_SIZE",
    "literal_size": "QAGRAPH_LOAD_MAX_LITERAL_SIZE",
    "depth": "QAGRAPH_LOAD_MAX_DEPTH",
    "rows": "QAGRAPH_LOAD_MAX_ROWS",
    "expansion": "QAGRAPH_LOAD_MAX_EXPANSION",
}


def format_size(count: int) -> str:
    """A byte count for people: 812 bytes, 1.5 KiB, 16 MiB, 2 GiB."""
    if count < 1024:
        return f"{count} B"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if value.is_integer() or value >= 100 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def check_file_size(path: Path, limits: Limits) -> int:
    """The size of `path`; InputProblem when it is above the limit."""
    size = path.stat().st_size
    if size > limits.file_size:
        raise InputProblem(Position(path.name), "input_too_large", size=format_size(size),
                           limit=format_size(limits.file_size), setting=SETTING["file_size"])
    return size
