"""The entity page's validation panel: the compiled checks for one node, the last whole
validation when there is one, and a validation that is done before its callback is set."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from graph_app.core import node_validation
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore
from graph_app.core.validation import keep_report, validate_store, whole_reports
from loaders import registry as loaders

AWARD = "https://w3id.org/qagraph/id/example/award/panel"
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


def test_a_validation_done_before_its_callback_is_set_does_not_hang(small: OxigraphStore,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled validation of a node can finish before violations() registers its
    done-callback; the callback then runs at once in the same thread, which holds the cache
    lock (it hung with a plain lock)."""
    done: Future[list[node_validation.Result]] = Future()
    done.set_result([])
    monkeypatch.setattr(node_validation._validator, "submit", lambda *_args, **_kwargs: done)
    answered: list[object] = []
    thread = threading.Thread(target=lambda: answered.append(node_validation.violations(small, AWARD, wait=1)),
                              daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "violations() hung"
    assert answered == [[]]


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
