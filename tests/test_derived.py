"""What pages show of the whole store (the catalogue, the home page's counts) is built in
the command that commits a state of the store and kept beside the store, so that a
server started later reads it instead of computing it for a request."""

from __future__ import annotations

import time
from pathlib import Path

from graph_app.core import catalogue, derived, stats
from graph_app.core.store import OxigraphStore


def _kept(store_path: Path) -> set[str]:
    folder = store_path.parent / f".{store_path.name}-derived"
    return {p.name for p in folder.glob("*.pickle")} if folder.is_dir() else set()


def test_a_load_keeps_the_catalogue_and_counts_of_the_state_it_commits(qagraph, store_path, tmp_path):
    assert qagraph("init").exit_code == 0
    store = OxigraphStore(store_path)
    try:
        first = derived.fingerprint(store)
    finally:
        store.close()
    assert _kept(store_path) == {f"catalogue-{first}.pickle", f"summary-{first}.pickle"}

    more = tmp_path / "more.ttl"
    more.write_text("""@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/qagraph/id/organisation/derived-test> a qa:Organisation ;
    rdfs:label "Provorganisation"@sv , "Test organisation"@en .
""", encoding="utf-8")
    assert qagraph("load", "--no-validate", str(more)).exit_code == 0
    store = OxigraphStore(store_path)
    try:
        second = derived.fingerprint(store)
        # only the committed state's values are kept, and another process reads them
        assert _kept(store_path) == {f"catalogue-{second}.pickle", f"summary-{second}.pickle"}
        assert catalogue._catalogues._read(store, second) is not None
        kept = catalogue.catalogue(store)
        assert kept.full_label("https://w3id.org/qagraph/id/organisation/derived-test", "en") == "Test organisation"
        assert stats.summary(store).triples > 0
    finally:
        store.close()


def test_values_kept_per_state_are_read_again_after_a_commit(tmp_path):
    """PerState keeps what was read for the store's current state; a commit starts afresh,
    and a value read while a commit happened is not kept for the new state."""
    store = OxigraphStore(tmp_path / "store")
    try:
        kept = derived.PerState(size=2)
        reads: list[str] = []

        def read(key: str) -> str:
            reads.append(key)
            return f"{key}@{store.generation}"

        assert kept.get(store, "a", lambda: read("a")) == "a@0"
        assert kept.get(store, "a", lambda: read("a")) == "a@0" and reads == ["a"]
        kept.get(store, "b", lambda: read("b"))
        kept.get(store, "c", lambda: read("c"))  # the least recently used ("a") goes
        kept.get(store, "a", lambda: read("a"))
        assert reads == ["a", "b", "c", "a"]
        staged = store.stage("one", "one.nt", "")
        store.write_staged(staged, [])

        def read_across_a_commit() -> str:
            store.commit([staged], agent="test")
            return "stale"

        assert kept.get(store, "d", read_across_a_commit) == "stale"
        assert kept.get(store, "d", lambda: read("d")) == "d@1"
        assert kept.get(store, "a", lambda: read("a")) == "a@1"
    finally:
        store.close()


LATE = "https://w3id.org/qagraph/id/organisation/derived-late"


def test_a_slow_catalogue_is_left_to_the_server_which_shows_the_state_before_meanwhile(
        qagraph, store_path, tmp_path):
    """When the catalogue took long to build (here: as recorded beside the store, as if it
    were a large one), a load commits without building it; a server started then answers
    lists from the catalogue of the state before at once, and from the new one as soon as
    its background build is done."""
    from graph_app.web.app import create_app
    from graph_app.web.server import prepare

    assert qagraph("init").exit_code == 0
    folder = store_path.parent / f".{store_path.name}-derived"
    (folder / "catalogue-took.seconds").write_text("30.0", encoding="ascii")
    more = tmp_path / "more.ttl"
    more.write_text(f"""@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{LATE}> a qa:Organisation ;
    rdfs:label "Sen organisation"@sv , "Late organisation"@en .
""", encoding="utf-8")
    assert qagraph("load", "--no-validate", str(more)).exit_code == 0
    store = OxigraphStore(store_path)
    try:
        state = derived.fingerprint(store)
        kept = _kept(store_path)
        assert f"summary-{state}.pickle" in kept  # quick: built in the command
        assert f"catalogue-{state}.pickle" not in kept  # slow: left to the server
        assert len([k for k in kept if k.startswith("catalogue-")]) == 1  # the state before's

        app = create_app({"STORE_OBJECT": store, "TESTING": True, "PAGE_READERS": 0})
        builds = catalogue._catalogues._building
        prepare(app)
        # at once: the catalogue of the state before, while the new one is being built
        adopted = catalogue._catalogues._values[store]
        assert adopted.fingerprint != state
        assert LATE not in adopted.value.entries
        client = app.test_client()
        for _ in range(300):
            if store not in builds:
                break
            time.sleep(0.05)
        assert f"catalogue-{state}.pickle" in _kept(store_path)
        assert "Late organisation" in client.get("/organisations?lang=en").get_data(as_text=True)
    finally:
        store.close()


def test_a_server_keeps_each_new_value_out_of_the_collectors_full_collections(tmp_path: Path) -> None:
    """A server settles its memory after each value of a new state, computed or read
    from disk (web/server.py: the catalogue of a large store made a full garbage
    collection take 100-180 ms while every request waited); a command does not."""
    import gc

    from graph_app.web.server import settle_memory

    calls: list[str] = []
    values: derived.PerGeneration[dict[str, list[object]]] = derived.PerGeneration(
        lambda s: {"objects": [object() for _ in range(1000)]}, "settle-test")
    store = OxigraphStore(tmp_path / "store")
    derived.after_new_value.append(lambda: calls.append("settled"))
    try:
        values.get(store)  # computed
        assert calls == ["settled"]
        values.get(store)  # the same state: nothing new
        assert calls == ["settled"]
        again: derived.PerGeneration[dict[str, list[object]]] = derived.PerGeneration(lambda s: {}, "settle-test")
        assert again.get(store)["objects"]  # read from disk, as a restarted server does
        assert calls == ["settled", "settled"]
        settle_memory()
        assert gc.get_freeze_count() > 0
    finally:
        derived.after_new_value.pop()
        gc.unfreeze()
        store.close()
