"""Every interface string has a Swedish translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from .conftest import ROOT

METHOD_MAP = [
    ("**/templates/**.html", "jinja2"),
    ("**.py", "python"),
]


def extracted_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "graph_app" / "web"), METHOD_MAP, options_map={"**/templates/**.html": {}},
    ):
        if isinstance(message, tuple):
            found.update(m for m in message if m)
        elif message:
            found.add(message)
    return found


def swedish_catalogue() -> dict[str, str]:
    merged: dict[str, str] = {}
    for po in sorted((ROOT / "graph_app" / "translations").glob("*/sv/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            for entry in read_po(handle):
                if entry.id and entry.string:
                    if isinstance(entry.id, str):
                        merged[entry.id] = entry.string if isinstance(entry.string, str) else entry.string[0]
                    elif all(entry.string):  # a plural: singular and plural ids, each form translated
                        merged[entry.id[0]] = entry.string[0]
                        merged[entry.id[1]] = entry.string[-1]
    return merged


def test_every_interface_string_has_a_swedish_translation():
    messages = extracted_messages()
    assert "What the graph holds" in messages  # the extraction itself works
    catalogue = swedish_catalogue()
    missing = sorted(m for m in messages if not catalogue.get(m))
    assert not missing, f"untranslated: {missing}"


def test_the_swedish_plurals_have_every_form():
    plurals = 0
    for po in sorted((ROOT / "graph_app" / "translations").glob("*/sv/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        assert catalogue.num_plurals == 2, po
        for entry in catalogue:
            if entry.id and not isinstance(entry.id, str):
                plurals += 1
                assert len(entry.string) == 2 and all(entry.string), f"{po}: {entry.id}"
    assert plurals > 0


def test_switching_language_changes_the_page(client):
    assert "Vad grafen innehåller" in client.get("/?lang=sv").text
    assert "What the graph holds" in client.get("/?lang=en").text
    # the choice is remembered by the cookie
    assert "What the graph holds" in client.get("/").text
