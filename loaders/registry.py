"""The registry of loaders, shared by the CLI and the web application."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from graph_app.core.errors import InputError
from graph_app.core.store import StagedSource, Store


class Loader(Protocol):
    """Reads one input format and writes its triples into a staged graph."""

    @property
    def name(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    @property
    def media_types(self) -> tuple[str, ...]: ...

    def write(self, store: Store, staged: StagedSource, path: Path, base_iri: str) -> None:
        """Parse `path` into `staged`; raise an InputError with the place of every problem
        (ParseError, InputProblem: file:line:column; TableErrors: file:sheet:row:column).
        Warnings that lose no data go to `staged.notes`."""
        ...


_LOADERS: dict[str, Loader] = {}


def register(loader: Loader) -> Loader:
    """Add `loader` under its name (a later registration with the same name wins)."""
    _LOADERS[loader.name] = loader
    return loader


def all_loaders() -> list[Loader]:
    return list(_LOADERS.values())


def get(name: str) -> Loader:
    """The loader called `name`, or InputError naming the known ones."""
    try:
        return _LOADERS[name]
    except KeyError:
        raise InputError("bad_format_name", name=name, formats=", ".join(sorted(_LOADERS))) from None


def for_path(path: Path, name: str | None = None) -> Loader:
    """The loader for `path`, by explicit `name` or else by the file's extension."""
    if name:
        return get(name)
    suffix = "".join(path.suffixes[-2:]).lower()
    for candidate in (suffix, path.suffix.lower()):
        for loader in _LOADERS.values():
            if candidate in loader.extensions:
                return loader
    raise InputError("unknown_format", file=str(path), formats=", ".join(sorted(_LOADERS)))
