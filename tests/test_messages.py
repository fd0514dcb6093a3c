"""The messages of the core and the command line: one gettext catalogue, every message in
Swedish and English with the same placeholders, and every key the code names in it."""

from __future__ import annotations

import ast
import inspect
import re
import string
from pathlib import Path

from babel.messages.pofile import read_po

from graph_app.core import errors
from graph_app.core.messages import CATALOGUE_FILE, catalogue, known, message

from .conftest import ROOT

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# Calls that take a message key, and the position of the key: the function message(), the
# errors constructed with a key first (InputProblem takes it after the place),
# CellProblem.of after the cell's place, the table reader's problem() after the cell's and
# the SSSOM loader's _problem() after the problem list and the cell's place.
KEY_POSITION = {"message": 0, "of": 4, "problem": 3, "_problem": 4, "InputProblem": 1} | {
    name: 0 for name, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.QagraphError) and cls.__init__ is errors.QagraphError.__init__
}
def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_has_swedish_and_english_with_the_same_placeholders():
    with CATALOGUE_FILE.open("rb") as handle:
        entries = [e for e in read_po(handle) if e.id]
    assert len(entries) > 150  # the file was read
    contexts = [e.context for e in entries]
    assert all(contexts), "every message has its key as msgctxt"
    assert len(set(contexts)) == len(contexts), "a key appears twice"
    for entry in entries:
        assert entry.id.strip() and entry.string.strip(), entry.context
        assert not entry.fuzzy, entry.context
        assert placeholders(entry.id) == placeholders(entry.string), entry.context


def keys_named(path: Path) -> set[str]:
    """Message keys given as literal positional arguments to the calls that take one."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name == "message" and not isinstance(func, ast.Name):
            continue  # a method of that name (a result's message in a language)
        position = KEY_POSITION.get(name)
        if position is not None and len(node.args) > position:
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and KEY.match(arg.value):
                found.add(arg.value)
    return found


def code_files() -> list[Path]:
    return sorted([*(ROOT / "graph_app").rglob("*.py"), *(ROOT / "loaders").rglob("*.py")])


def test_every_key_the_code_names_is_in_the_catalogue():
    named = set().union(*(keys_named(p) for p in code_files()))
    assert {"file_missing", "parse_error", "cell_required", "loaded", "sssom_bad_prefix"} <= named  # the search works
    missing = sorted(key for key in named if not known(key))
    assert not missing, f"not in {CATALOGUE_FILE.name}: {missing}"


def test_a_message_is_filled_in_each_language():
    assert message("file_missing", "sv", file="a.ttl") == "a.ttl: filen finns inte"
    assert message("file_missing", "en-GB", file="a.ttl") == "a.ttl: no such file"
    assert "file_missing" in catalogue()
