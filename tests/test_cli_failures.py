"""What the command line does when something goes wrong that is not bad input: a store
folder it cannot open, a file it cannot write, a reader that goes away, Ctrl-C, and a
fault in qagraph itself. Each ends with a message and its own exit code, never a
traceback, and the store keeps what it had."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_app import cli
from graph_app.cli import main

from .conftest import ROOT


def run(store: Path, *args: str, lang: str = "en", env: dict[str, str] | None = None):
    return CliRunner(env={"QAGRAPH_STORE": str(store), **(env or {})}).invoke(main, ["--lang", lang, *args])


def count(store: Path) -> str:
    result = run(store, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv")
    assert result.exit_code == 0, result.output
    return result.output


def test_a_store_folder_that_cannot_be_created_is_an_input_error_naming_it(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for lang, words in (("en", "cannot be opened"), ("sv", "kan inte öppnas")):
        result = run(blocker / "store", "stats", lang=lang)
        assert result.exit_code == 2, result.output
        assert f"{blocker / 'store'}" in result.output and words in result.output
        assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_a_store_held_by_another_process_is_named_as_such(tmp_path):
    store = tmp_path / "store"
    assert run(store, "init").exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import pyoxigraph, sys; s = pyoxigraph.Store({str(store)!r}); print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = run(store, "stats")
        assert result.exit_code == 2
        assert "in use by another process" in result.output
    finally:
        holder.communicate("")


def test_an_output_file_that_cannot_be_written_exits_74_naming_it(tmp_path):
    store = tmp_path / "store"
    assert run(store, "init").exit_code == 0
    target = tmp_path / "no-such-folder" / "dump.ttl"
    result = run(store, "export", "-o", str(target))
    assert result.exit_code == cli.EXIT_IO_ERROR == 74, result.output
    assert "no-such-folder" in result.output and "No such file or directory" in result.output
    assert not isinstance(result.exception, OSError)


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    store = tmp_path / "store"
    env = {**os.environ, "QAGRAPH_STORE": str(store), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "graph_app.cli", "init"], env=env, check=True, capture_output=True)
    # `qagraph query … | head -1`: the reader takes one line and closes the pipe.
    producer = subprocess.Popen([sys.executable, "-m", "graph_app.cli", "query", "SELECT * WHERE { ?s ?p ?o }",
                                 "--format", "csv"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdout is not None and producer.stdout.readline()
    producer.stdout.close()
    _, stderr = producer.communicate(timeout=120)
    assert producer.returncode == cli.EXIT_BROKEN_PIPE == 141
    assert b"Traceback" not in stderr and b"BrokenPipeError" not in stderr, stderr.decode()


@pytest.mark.parametrize("fault", [KeyboardInterrupt, RuntimeError])
def test_an_interrupt_or_a_fault_in_qagraph_keeps_the_store_and_shows_no_traceback(tmp_path, monkeypatch, fault):
    store = tmp_path / "store"
    assert run(store, "init").exit_code == 0
    before = count(store)

    def broken(*args, **kwargs):
        raise fault("the validator met something it did not expect")

    # A fault in the middle of a load, after the data is staged and before it is committed.
    monkeypatch.setattr("graph_app.core.loading.validate_staged", broken)
    copy = tmp_path / "another.ttl"
    copy.write_text((ROOT / "data" / "hot-work.ttl").read_text(encoding="utf-8").replace(
        "Heta arbeten", "Heta arbeten (kopia)"), encoding="utf-8")
    result = run(store, "load", str(copy))
    assert "Traceback" not in result.output
    if fault is KeyboardInterrupt:
        assert result.exit_code == cli.EXIT_INTERRUPTED == 130
        assert "interrupted; nothing half-done was kept" in result.output
    else:
        assert result.exit_code == cli.EXIT_INTERNAL == 70
        assert "unexpected error (RuntimeError: the validator met something it did not expect)" in result.output
        assert "QAGRAPH_TRACEBACK=1" in result.output
    monkeypatch.undo()
    assert count(store) == before
    assert "another" not in run(store, "sources").output


def test_the_traceback_of_a_fault_is_shown_when_asked_for(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("graph_app.core.stats.class_counts", broken)
    quiet = run(tmp_path / "store", "stats", lang="sv")
    assert quiet.exit_code == 70 and "oväntat fel (ZeroDivisionError: division by zero)" in quiet.output
    assert "Traceback" not in quiet.output
    loud = run(tmp_path / "store", "stats", env={"QAGRAPH_TRACEBACK": "1"})
    assert loud.exit_code == 70 and "Traceback" in loud.output and "ZeroDivisionError" in loud.output
