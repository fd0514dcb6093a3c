"""The entity page's validation panel: the compiled checks for one node (for the nodes
asked for at once, one run of them), the last whole validation when there is one, and a
commit seen by the next validation."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_app.core import node_validation
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore
from graph_app.core.validation import keep_report, validate_nodes, validate_store, whole_reports
from loaders import registry as loaders
from tests.test_incremental_validation import generated_store

AWARD = "https://w3id.org/qagraph/id/example/award/panel"
QA = "https://w3id.org/qagraph/ontology#"
DATA = f"""@prefix qa: <https://w3id.org/qagraph/ontology#> .
<{AWARD}> a qa:Award ; qa:issued "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .
"""


@pytest.fixture
def small(tmp_path: Path) -> Iterator[OxigraphStore]:
    path = tmp_path / "award.ttl"
    path.write_text(DATA, encoding="utf-8")
    store = OxigraphStore(tmp_path / "store")
    load(store, [LoadInput(path, "award", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    yield store
    store.close()


def test_nodes_asked_for_together_get_the_results_of_their_own_validation(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The worker validates the nodes asked for while it was busy in one run: each node
    gets what a validation of that node alone reports, for every node of generated data
    with known violations (routes, awards, organisations, credentials and the rest),
    however the nodes are grouped."""
    folder = tmp_path_factory.mktemp("together")
    # two awards that name the same organisation, which nothing describes
    shared = folder / "shared.ttl"
    shared.write_text("".join(f"<{AWARD}-{i}> a <{QA}Award> ; <{QA}awardedBy> <{DEFAULT_BASE}organisation/nowhere> .\n"
                              for i in (1, 2)), encoding="utf-8")
    store = generated_store(folder, "--triples", "3000", "--violations", "0.2", "--awards-per-org", "2",
                            more=[LoadInput(shared, "shared", loaders.get("turtle"))])
    try:
        rows = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{DEFAULT_BASE}\")) }}")
        nodes = sorted(r["s"].value for r in rows)  # type: ignore[union-attr]
        alone = {n: sorted(repr(r) for r in validate_nodes(store, [n]).results) for n in nodes}
        assert sum(1 for found in alone.values() if found) >= 20  # the known violations are there
        random.Random(5).shuffle(nodes)
        nodes = [f"{AWARD}-1", f"{AWARD}-2", *(n for n in nodes if not n.startswith(AWARD))]
        for size in (2, 7, 64):
            for start in range(0, len(nodes), size):
                batch = nodes[start:start + size]
                together = node_validation.validate_together(store, batch)
                assert {n: sorted(repr(r) for r in together[n]) for n in batch} == {n: alone[n] for n in batch}
    finally:
        store.close()


def test_nodes_asked_for_while_the_worker_is_busy_are_validated_in_one_run(
        small: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    more = small.path.parent / "more.ttl"  # type: ignore[union-attr]
    others = [f"{AWARD}-{i}" for i in range(6)]
    more.write_text("".join(f"<{n}> a <https://w3id.org/qagraph/ontology#Award> .\n" for n in others),
                    encoding="utf-8")
    load(small, [LoadInput(more, "more", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    runs: list[list[str]] = []
    real = node_validation.validate_nodes

    def counted(store: OxigraphStore, nodes: list[str], **kwargs: object) -> object:
        runs.append(list(nodes))
        return real(store, nodes, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(node_validation, "validate_nodes", counted)
    release = threading.Event()
    node_validation._validator.submit(release.wait, 30)  # the worker is busy
    answers: dict[str, object] = {}
    threads = [threading.Thread(target=lambda n=n: answers.__setitem__(n, node_validation.violations(small, n)))
               for n in [AWARD, *others]]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(node_validation._queue) < len(threads) and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(runs[0]) == sorted([AWARD, *others]) and len(runs) == 1
    for node in [AWARD, *others]:
        found = answers[node]
        assert isinstance(found, list) and found, node  # an award with no date of issue
        assert all(r.focus == node for r in found)
        assert sorted(r.key for r in found) == sorted(r.key for r in real(small, [node]).results)


def test_a_subclass_committed_later_is_validated_as_its_class(small: OxigraphStore) -> None:
    """The class hierarchy is read once per state of the store: a commit that makes a new
    class a subclass of qa:Award makes its instances awards for the next validation."""
    assert node_validation.violations(small, AWARD, wait=30)  # the hierarchy of this state is kept
    special = "https://w3id.org/qagraph/id/example/SpecialAward"
    node = "https://w3id.org/qagraph/id/example/award/special"
    more = small.path.parent / "special.ttl"  # type: ignore[union-attr]
    more.write_text(f"<{special}> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                    f"<https://w3id.org/qagraph/ontology#Award> .\n<{node}> a <{special}> .\n", encoding="utf-8")
    load(small, [LoadInput(more, "special", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    found = node_validation.violations(small, node, wait=30)
    assert found is not None and "qash:AwardShape" in {r.shape for r in found}


def test_the_panel_shows_the_nodes_results(small: OxigraphStore) -> None:
    found = node_validation.violations(small, AWARD, wait=30)
    assert found is not None
    assert {r.shape for r in found} >= {"qash:AwardShape"}
    assert all(r.focus == AWARD for r in found)


def test_the_panel_reads_the_last_whole_validation_of_the_same_state(small: OxigraphStore) -> None:
    report = validate_store(small)
    keep_report(small, report)
    kept = whole_reports.current(small, start=False)
    assert kept is not None
    assert node_validation.violations(small, AWARD, wait=0) == kept.by_focus[AWARD]
    # a commit makes a new state: the kept report is not shown for it
    extra = Path(small.path.parent / "more.ttl")  # type: ignore[union-attr]
    extra.write_text(f"<{AWARD}> <http://www.w3.org/2000/01/rdf-schema#comment> \"x\" .\n", encoding="utf-8")
    load(small, [LoadInput(extra, "more", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    assert whole_reports.current(small, start=False) is None
