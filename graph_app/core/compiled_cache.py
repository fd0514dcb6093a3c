"""The compiled shapes, kept on disk between runs of qagraph.

Reading the shapes, the ontology and the concept schemes with rdflib, and parsing the
SHACL-SPARQL queries with its pyparsing grammar, take about a second of CPU: more than
validating a load, or 100,000 triples. The result (the shapes model with its compiled
plans and triggers, the ontology's ranges and datatype properties, the concept schemes
as N-Triples) depends only on those files and on this code, so it is kept in the
instance folder under a name made of their checksums; a change to any of them gives a
new name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from . import resources

CODE = Path(__file__).resolve().parent
LOG = logging.getLogger(__name__)


def _key() -> str:
    digest = hashlib.sha256()
    sources = sorted((CODE / "shacl").glob("*.py")) + [CODE / "validation.py", CODE / "rules.py",
                                                        CODE / "store_rules.py", Path(__file__)]
    for path in [*sources, *resources.shape_files(), *resources.ontology_files()]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _folder() -> Path:
    from .settings import INSTANCE_DIR

    return INSTANCE_DIR / "cache"


def path() -> Path:
    return _folder() / f"compiled-shapes-{_key()}.pickle"


def load() -> dict[str, Any] | None:
    """What a previous run kept, or None (nothing kept, or unreadable)."""
    target = path()
    try:
        with target.open("rb") as handle:
            data = pickle.load(handle)  # noqa: S301 - written by qagraph itself, under its own key
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        return None
    return data if isinstance(data, dict) else None


def save(data: dict[str, Any]) -> None:
    """Keep `data` for later runs (atomically; a failure only costs the next run time)."""
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False) as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, target)
        for old in target.parent.glob("compiled-shapes-*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PickleError, TypeError, AttributeError) as err:
        LOG.debug("compiled shapes not kept: %s", err)
