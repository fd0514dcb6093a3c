"""Where the project's own RDF files are: ontology, concept schemes, shapes, sample data."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
SCHEMES_DIR = ONTOLOGY_DIR / "schemes"
SHAPES_DIR = ROOT / "shapes"
DATA_DIR = ROOT / "data"


def ontology_files() -> list[Path]:
    """The ontology modules and the concept schemes."""
    return sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(SCHEMES_DIR.glob("*.ttl"))


def scheme_files() -> list[Path]:
    return sorted(SCHEMES_DIR.glob("*.ttl"))


def shape_files() -> list[Path]:
    return sorted(SHAPES_DIR.glob("*.ttl"))


def sample_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.ttl"))


def _parse_all(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All SHACL shapes, parsed once per process."""
    return _parse_all(shape_files())


@lru_cache(maxsize=1)
def vocabulary_graph() -> Graph:
    """The concept schemes (levels, identity methods, ...), parsed once per process.

    They are merged into every validation data graph, because the level rules compare
    the ranks and strengths that the schemes define."""
    return _parse_all(scheme_files())
