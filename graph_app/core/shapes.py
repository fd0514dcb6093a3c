"""The project's shapes as the compiled validator uses them: read once per process, or
taken as compiled from an earlier run (core/compiled_cache.py), with what is kept with
them (the concept schemes as N-Triples, what the rules read of the ontology)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from . import compiled_cache, resources
from .shacl import fallback
from .shacl.model import ShapesModel, read_shapes

_model_lock = threading.RLock()  # keep_compiled reads the model while it holds it
_model: list[ShapesModel] = []
_kept_plans: list[int] = [-1]


def shapes_model() -> ShapesModel:
    """The project's shapes, read once per process, or taken as compiled from an earlier
    run (core/compiled_cache.py)."""
    with _model_lock:
        if not _model:
            kept = compiled_cache.load()
            model = kept.get("model") if kept else None
            if not isinstance(model, ShapesModel):
                model = read_shapes(resources.shapes_graph())
            else:
                _kept_plans[0] = len(model.plans)
            _model.append(model)
        return _model[0]


def keep_compiled(extra: Callable[[], dict[str, object]]) -> None:
    """Keep the compiled shapes for later runs, when this run compiled something new;
    `extra()` gives what the caller keeps with them (read by `kept`)."""
    with _model_lock:
        if not _model or len(_model[0].plans) == _kept_plans[0]:
            return
        model = _model[0]
        for name, value in extra().items():
            model.extra.setdefault(name, value)
        model.extra.setdefault("vocabulary", [_nt(t) for t in resources.vocabulary_graph()])
        compiled_cache.save({"model": model})
        _kept_plans[0] = len(model.plans)


def kept(name: str) -> object:
    """What an earlier run kept with the compiled shapes under `name` (None if nothing)."""
    return shapes_model().extra.get(name)


def _nt(triple: tuple[Any, Any, Any]) -> str:
    return " ".join(str(fallback.to_ox(t)) for t in triple) + " ."


def vocabulary_triples() -> list[ox.Triple]:
    """The concept schemes' triples (from the compiled cache when there is one)."""
    kept = shapes_model().extra.get("vocabulary")
    if isinstance(kept, list):
        return list(ox.parse("\n".join(kept).encode(), ox.RdfFormat.N_TRIPLES))
    return [fallback.triple_to_ox(triple) for triple in resources.vocabulary_graph()]


def shapes_graph_of(model: ShapesModel) -> Graph:
    return model.graph if model.graph is not None else resources.shapes_graph()
