"""The server's whole validation of every committed state, made in another process on a
copy of the store: pages read their validation panel from it, a commit or a new day makes
it stale, and what it reports is what `qagraph validate` reports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph_app.core import background_validation, node_validation
from graph_app.core.derived import fingerprint
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore
from graph_app.core.validation import keep_report, validate_nodes, validate_store, whole_reports
from graph_app.web.app import create_app
from graph_app.web.server import prepare
from loaders import registry as loaders

QA = "https://w3id.org/qagraph/ontology#"
AWARD = "https://w3id.org/qagraph/id/example/award/background"
LATER = "https://w3id.org/qagraph/id/example/award/background-later"
ROOT = Path(__file__).resolve().parents[1]


def _award(path: Path, iri: str) -> Path:
    # an award with no credential, no holder and no date of issue: several violations
    path.write_text(f"<{iri}> a <{QA}Award> .\n", encoding="utf-8")
    return path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[OxigraphStore, background_validation.BackgroundValidation]]:
    store = OxigraphStore(tmp_path / "store")
    load(store, [LoadInput(_award(tmp_path / "a.ttl", AWARD), "awards", loaders.get("turtle"))],
         base_iri=DEFAULT_BASE, validate=False)
    app = create_app({"STORE_OBJECT": store, "TESTING": True, "PAGE_READERS": 0})
    prepare(app)
    keeper = app.extensions["qagraph.background_validation"]
    try:
        yield store, keeper
    finally:
        keeper.close()
        store.close()


def _results(found: object) -> list[str]:
    assert isinstance(found, list)
    return sorted(repr(r) for r in found)


def test_a_server_validates_the_committed_state_in_another_process(
        served: tuple[OxigraphStore, background_validation.BackgroundValidation]) -> None:
    store, keeper = served
    assert keeper.done.wait(120), "the background validation did not end"
    assert keeper.runs == 1
    kept = whole_reports.current(store, start=False)
    assert kept is not None and kept.fresh()
    # the same results as `qagraph validate` of the store, and the page's panel reads them
    assert sorted(repr(r) for r in kept.report.results) == sorted(repr(r) for r in validate_store(store).results)
    assert kept.by_focus[AWARD]
    assert _results(node_validation.violations(store, AWARD, wait=0)) == _results(kept.by_focus[AWARD])
    # the copy it validated is gone
    assert not list(store.path.parent.glob(".store-validation-*"))  # type: ignore[union-attr]


def test_a_commit_is_validated_again_and_its_new_nodes_are_in_the_report(
        tmp_path: Path, served: tuple[OxigraphStore, background_validation.BackgroundValidation]) -> None:
    store, keeper = served
    assert keeper.done.wait(120)
    before = fingerprint(store)
    load(store, [LoadInput(_award(tmp_path / "b.ttl", LATER), "later", loaders.get("turtle"))],
         base_iri=DEFAULT_BASE, validate=False)
    assert fingerprint(store) != before
    assert keeper.done.wait(120)
    assert keeper.runs == 2
    kept = whole_reports.current(store, start=False)
    assert kept is not None
    assert _results(kept.by_focus[LATER]) == _results(validate_nodes(store, [LATER]).results)
    assert _results(node_validation.violations(store, LATER, wait=0)) == _results(kept.by_focus[LATER])


def test_a_report_of_another_day_is_not_shown_and_a_new_one_is_made(tmp_path: Path) -> None:
    """Some rules depend on the date: a report judged yesterday is stale today, even for
    the same state of the store (a server that ran over midnight)."""
    store = OxigraphStore(tmp_path / "store")
    try:
        load(store, [LoadInput(_award(tmp_path / "a.ttl", AWARD), "awards", loaders.get("turtle"))],
             base_iri=DEFAULT_BASE, validate=False)
        yesterday = date.today() - timedelta(days=1)
        stale = validate_store(store, on=yesterday)
        stale.results = []  # so that using it would show as an empty panel
        keep_report(store, stale, on=yesterday)
        app = create_app({"STORE_OBJECT": store, "TESTING": True, "BACKGROUND_VALIDATION": False,
                          "PAGE_READERS": 0})
        prepare(app)
        # without a server's keeper the page validates its node itself
        found = node_validation.violations(store, AWARD, wait=30)
        assert found, "the stale (empty) report of yesterday was shown"
        keeper = background_validation.BackgroundValidation(store)
        keeper.start()  # the kept report is of yesterday: it validates again
        try:
            assert keeper.done.wait(120)
            assert keeper.runs == 1
            kept = whole_reports.current(store, start=False)
            assert kept is not None and kept.on == date.today() and kept.by_focus[AWARD]
        finally:
            keeper.close()
    finally:
        store.close()


def test_it_can_be_turned_off(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        app = create_app({"STORE_OBJECT": store, "TESTING": True, "BACKGROUND_VALIDATION": False,
                          "PAGE_READERS": 0})
        prepare(app)
        assert "qagraph.background_validation" not in app.extensions
    finally:
        store.close()


def test_copies_left_by_a_killed_server_are_removed(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    left = tmp_path / ".store-validation-abc123"
    (left / "store").mkdir(parents=True)
    keeper = background_validation.BackgroundValidation(store)
    try:
        keeper.start()
        assert not left.exists()
        assert keeper.done.wait(120)
    finally:
        keeper.close()
        store.close()


def test_the_validating_process_ends_when_the_server_is_killed(tmp_path: Path) -> None:
    """A validating process whose server was killed (SIGKILL: no clean-up ran) stops
    within seconds instead of validating on for nobody."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from graph_app.core import background_validation\n"
        "os.nice(0)\n"
        "background_validation.exit_with_parent()\n"
        "print(os.getpid(), flush=True)\n"
        "time.sleep(60)\n", encoding="utf-8")
    # a parent that starts a child which watches it, as the server starts the validation
    launcher = tmp_path / "launch.py"
    launcher.write_text(
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, {str(script)!r}], stdout=subprocess.PIPE, text=True)\n"
        "print(child.stdout.readline().strip(), flush=True)\n"
        "time.sleep(60)\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, str(launcher)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline().strip())
        assert _alive(child)
        parent.kill()
        parent.wait(10)
        for _ in range(100):
            if not _alive(child):
                break
            time.sleep(0.1)
        else:
            os.kill(child, 9)
            pytest.fail("the child outlived its killed parent by 10 s")
    finally:
        if parent.poll() is None:
            parent.kill()


def _alive(pid: int) -> bool:
    """Running (not ended, nor a zombie that its new parent has not reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}
