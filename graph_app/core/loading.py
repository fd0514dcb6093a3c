"""The load pipeline: parse -> stage -> validate -> commit, all or nothing.

Every input is parsed into a staged graph that queries cannot see. The staged data of
all inputs is validated together with its neighbourhood in the store. Only then is
everything committed in one transaction; on any failure (a parse error, violations,
an interrupt) every staged graph is thrown away and the store is as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import limits, rules
from .errors import InputError, ViolationsFound
from .store import StagedSource, Store, check_source_name, sha256_of
from .validation import Report, validate_staged


class Writer(Protocol):
    """What the pipeline needs of a loader (see loaders.registry.Loader)."""

    @property
    def name(self) -> str: ...

    def write(self, store: Store, staged: StagedSource, path: Path, base_iri: str) -> None: ...


@dataclass(frozen=True)
class LoadInput:
    path: Path
    source: str
    loader: Writer


@dataclass
class LoadOutcome:
    staged: list[StagedSource] = field(default_factory=list)
    report: Report = field(default_factory=Report)


def source_name_for(path: Path) -> str:
    """The default source name of a file: its name without the extension(s)."""
    name = path.name
    for suffix in reversed(path.suffixes):
        name = name[: -len(suffix)] if name.endswith(suffix) else name
    return name or path.name


def load(
    store: Store,
    inputs: Sequence[LoadInput],
    *,
    base_iri: str,
    allow_violations: bool = False,
    validate: bool = True,
    agent: str = "qagraph",
    progress: Callable[[str], None] | None = None,
) -> LoadOutcome:
    """Load `inputs` as one transaction; raise ViolationsFound or InputError on failure."""
    seen: set[str] = set()
    bounds = limits.current()
    for item in inputs:
        check_source_name(item.source)
        if item.source in seen:
            raise InputError("duplicate_source", name=item.source)
        seen.add(item.source)
        if not item.path.is_file():
            raise InputError("file_missing", file=str(item.path))
        limits.check_file_size(item.path, bounds)
    outcome = LoadOutcome()
    # The checksums are read beside the loads (hashlib and Oxigraph both let go of the GIL):
    # at 10M triples reading the file twice, one after the other, took seconds.
    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qagraph-checksum")
    checksums = {item.source: hasher.submit(sha256_of, item.path) for item in inputs}
    try:
        for item in inputs:
            staged = store.stage(item.source, item.path.name, "")
            outcome.staged.append(staged)
            if getattr(item.loader, "reads_checksum", False):  # it writes triples about the file
                staged.checksum = checksums[item.source].result()
            item.loader.write(store, staged, item.path, base_iri)
            staged.checksum = checksums[item.source].result()
            if store.count_staged(staged) == 0:
                raise InputError("empty_file", file=str(item.path))
            if progress:
                progress(item.path.name)
        if validate:
            outcome.report = validate_staged(store, outcome.staged, replacing=sorted(seen))
            # where the loaded text shows an ill-typed value, say on which line
            outcome.report.results = rules.locate(outcome.report.results, [i.path for i in inputs])
            if progress:
                progress("validation")
            if outcome.report.violations and not allow_violations:
                raise ViolationsFound(outcome.report)
        store.commit(outcome.staged, agent=agent)
    except BaseException:
        store.discard(outcome.staged)
        raise
    finally:
        hasher.shutdown(wait=False, cancel_futures=True)
    return outcome
