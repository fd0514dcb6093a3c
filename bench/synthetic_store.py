"""A store of generated data for the benchmarks: the ontology's concept schemes and a
synthetic N-Triples file, loaded without validation into a folder that is kept (a READY
file says the load finished) and reused by later runs."""

from __future__ import annotations

import sys
from pathlib import Path


def build(folder: Path, data: Path) -> Path:
    """Load `data` with the ontology and schemes into the store `folder` (once)."""
    if (folder / "READY").is_file():
        return folder
    import loaders
    from graph_app.cli import bundled_inputs
    from graph_app.core.loading import LoadInput, load
    from graph_app.core.namespaces import DEFAULT_BASE
    from graph_app.core.store import OxigraphStore

    print(f"building {folder} ...", file=sys.stderr)
    store = OxigraphStore(folder)
    inputs = [i for i in bundled_inputs() if i.source.startswith(("ontology-", "scheme-"))]
    inputs.append(LoadInput(data, "synthetic", loaders.get("ntriples")))
    load(store, inputs, base_iri=DEFAULT_BASE, validate=False)
    store.close()
    (folder / "READY").write_text("ok\n", encoding="utf-8")
    return folder
