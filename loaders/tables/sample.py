"""data/sample.xlsx: the sample Turtle files written out by the table exporter.

Regenerate with `python -m loaders.tables.sample` after changing data/*.ttl; a test
checks that loading the workbook gives the same graph as the Turtle (for what the
templates cover).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.resources import DATA_DIR, sample_files

from . import export_graph

SAMPLE_PATH = DATA_DIR / "sample.xlsx"


def sample_graph() -> Graph:
    graph = Graph()
    for path in sample_files():
        graph.parse(path, format="turtle")
    return graph


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else SAMPLE_PATH
    rows = export_graph(sample_graph(), path, DEFAULT_BASE)
    print(f"{path}: {sum(len(r) for r in rows.values())} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
