"""RDF inputs that used to crash the loader, exhaust memory, or fail without a place:
each is now refused with `file:line:column: message` (exit 2) and the store is unchanged."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

import loaders
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore

from .hostile import (
    EX,
    entity_bomb,
    literal_jsonld,
    literal_turtle,
    nested_blank_nodes,
    nested_jsonld,
    nested_rdfxml,
    nested_triple_terms,
    nested_turtle_list,
    qagraph,
    store_digest,
)

SEED = f'<{EX}seed> <http://www.w3.org/2000/01/rdf-schema#label> "seed"@en .\n'


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A store folder holding one committed source, closed again."""
    path = tmp_path / "store"
    seed = tmp_path / "seed.nt"
    seed.write_text(SEED, encoding="utf-8")
    store = OxigraphStore(path)
    load(store, [LoadInput(seed, "seed", loaders.get("ntriples"))], base_iri=DEFAULT_BASE, validate=False)
    store.close()
    return path


def nth(data: bytes, needle: bytes, count: int) -> int:
    """Offset of the `count`th occurrence of `needle`."""
    at = -1
    for _ in range(count):
        at = data.index(needle, at + 1)
    return at


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(result: Result, place: str, words: str) -> None:
    assert result.exit_code == 2, result.output
    assert place in result.output and words in result.output, result.output
    assert "Traceback" not in result.output


# -- 1. no crash, whatever the nesting -----------------------------------------------------


@pytest.mark.parametrize(("name", "data", "place"), [
    # 10,000 levels of JSON-LD objects (150 KB) made Oxigraph's parser overflow its stack
    # the place is the opening bracket one level too deep: the 101st (or 102nd, counting
    # the document's own object or the TriG graph)
    ("deep.jsonld", nested_jsonld(10_000), (b"{", 102)),
    ("list.ttl", nested_turtle_list(100_000), (b"(", 101)),
    ("blank.ttl", nested_blank_nodes(100_000), (b"[", 101)),
    ("graph.trig", b"<http://example.org/g> { " + nested_turtle_list(100_000) + b" }\n", (b"(", 100)),
    ("terms.nt", nested_triple_terms(100_000), (b"<<(", 101)),
    ("terms.ttl", nested_triple_terms(100_000), (b"<<(", 101)),
    ("deep.rdf", nested_rdfxml(20_000), (b"<", 102)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_nesting_deeper_than_the_limit_exits_2_with_its_place_and_no_crash(
        tmp_path: Path, seeded: Path, name: str, data: bytes, place: tuple[bytes, int]) -> None:
    before = store_digest(seeded)
    run = qagraph(seeded, "load", str(write(tmp_path, name, data)), timeout=120)
    assert not run.crashed and not run.traceback, (run.code, run.text[-2000:])
    assert run.code == 2, run.text
    line = data.count(b"\n", 0, nth(data, place[0], place[1])) + 1
    column = nth(data, place[0], place[1]) - (data.rfind(b"\n", 0, nth(data, place[0], place[1])) + 1) + 1
    assert f"{name}:{line}:{column}: nested deeper than 100 levels" in run.err, run.err
    assert "QAGRAPH_LOAD_MAX_DEPTH" in run.err
    assert store_digest(seeded) == before


def test_the_elm_profile_is_guarded_too(tmp_path: Path, seeded: Path) -> None:
    before = store_digest(seeded)
    run = qagraph(seeded, "load", "--profile", "elm", str(write(tmp_path, "deep.jsonld", nested_jsonld(10_000))))
    assert run.code == 2 and "deep.jsonld:1:679: nested deeper than 100 levels" in run.err, (run.code, run.err)
    assert store_digest(seeded) == before


def test_the_depth_limit_is_a_setting(tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    data = write(tmp_path, "list.ttl", nested_turtle_list(150))
    refused(qagraph_env("load", "--no-validate", str(data)), "list.ttl:1:", "nested deeper than 100")
    assert qagraph_env("load", "--no-validate", str(data), env={"QAGRAPH_LOAD_MAX_DEPTH": "200"}).exit_code == 0


def test_brackets_in_strings_comments_and_escaped_names_do_not_count(
        tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    many = "(" * 500
    text = (
        f"@prefix e: <{EX}> .\n# {many}\n"
        f'e:a e:p "{many}", \'{many}\', """{many}\n{many}""" .\n'
        f"e:b e:p e:x\\(\\(\\(\\(\\( .\n"
    )
    result = qagraph_env("load", "--no-validate", str(write(tmp_path, "strings.ttl", text.encode())))
    assert result.exit_code == 0, result.output


def test_closing_brackets_in_a_string_do_not_hide_deep_nesting(
        tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    text = f'<{EX}a> <{EX}p> "{")" * 500}" .\n'.encode() + nested_turtle_list(300)
    refused(qagraph_env("load", str(write(tmp_path, "evade.ttl", text))), "evade.ttl:2:", "nested deeper")


# -- RDF/XML: entities ----------------------------------------------------------------------


def test_an_entity_bomb_is_refused_before_it_expands(tmp_path: Path, seeded: Path) -> None:
    before = store_digest(seeded)
    run = qagraph(seeded, "load", str(write(tmp_path, "laughs.rdf", entity_bomb(6))))
    assert run.code == 2, run.text
    assert "laughs.rdf:4:2: the entity 'b' refers to other entities" in run.err, run.err
    assert store_digest(seeded) == before


def test_entities_that_expand_too_far_are_refused(tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    flat = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY a "{"a" * 60_000}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:e="{EX}"><rdf:Description rdf:about="{EX}a"><e:p>{"&a;" * 5000}</e:p>'
        "</rdf:Description></rdf:RDF>\n"
    ).encode()
    refused(qagraph_env("load", str(write(tmp_path, "wide.rdf", flat))), "wide.rdf:",
            "QAGRAPH_LOAD_MAX_EXPANSION")


def test_external_entities_are_refused_by_name(tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    doc = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    refused(qagraph_env("load", str(write(tmp_path, "xxe.rdf", doc))), "xxe.rdf:2:",
            "the entity 'secret' refers to another file")


def test_plain_entities_for_namespaces_still_load(tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    doc = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY ex "http://example.org/" >\n]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">'
        b'<rdf:Description rdf:about="&ex;a"><e:p>x</e:p></rdf:Description></rdf:RDF>\n'
    )
    result = qagraph_env("load", "--no-validate", str(write(tmp_path, "owl.rdf", doc)))
    assert result.exit_code == 0 and "loaded 1 triples" in result.output, result.output


# -- 3. sizes --------------------------------------------------------------------------------

BIG = 17 * 2**20  # over Oxigraph's 16 MiB token buffer


@pytest.mark.parametrize(("name", "data", "place"), [
    ("big.ttl", literal_turtle(BIG), "big.ttl:2:47:"),
    ("big.nt", literal_turtle(BIG), "big.nt:2:47:"),
    ("big.jsonld", literal_jsonld(BIG), "big.jsonld:2:26:"),
])
def test_a_literal_over_the_parsers_16_mib_is_a_message_with_its_place(
        tmp_path: Path, qagraph_env: Callable[..., Result], name: str, data: bytes, place: str) -> None:
    # with our own limit above Oxigraph's, Oxigraph's MemoryError is what has to be mapped
    result = qagraph_env("load", str(write(tmp_path, name, data)),
                         env={"QAGRAPH_LOAD_MAX_LITERAL_SIZE": "64MiB"})
    refused(result, place, "longer than 16 MiB, the parser's own limit")


@pytest.mark.parametrize(("name", "data", "place"), [
    ("long.ttl", literal_turtle(2 * 2**20), "long.ttl:2:47:"),
    ("long.nt", literal_turtle(2 * 2**20), "long.nt:2:47:"),
    ("long.jsonld", literal_jsonld(2 * 2**20), "long.jsonld:2:26:"),
])
def test_a_literal_over_the_literal_limit_is_refused_naming_the_setting(
        tmp_path: Path, qagraph_env: Callable[..., Result], name: str, data: bytes, place: str) -> None:
    path = write(tmp_path, name, data)
    refused(qagraph_env("load", str(path)), place, "longer than 1 MiB (setting QAGRAPH_LOAD_MAX_LITERAL_SIZE)")
    allowed = qagraph_env("load", "--no-validate", str(path), env={"QAGRAPH_LOAD_MAX_LITERAL_SIZE": "4MiB"})
    assert allowed.exit_code == 0, allowed.output


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
        tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    path = write(tmp_path, "org.nt", SEED.encode() * 20)
    result = qagraph_env("load", str(path), env={"QAGRAPH_LOAD_MAX_FILE_SIZE": "1KiB"})
    refused(result, "org.nt: the file is 1.6 KiB, larger than the limit of 1 KiB",
            "QAGRAPH_LOAD_MAX_FILE_SIZE")


def test_a_bad_size_setting_is_a_clear_error(tmp_path: Path, qagraph_env: Callable[..., Result]) -> None:
    path = write(tmp_path, "org.nt", SEED.encode())
    result = qagraph_env("load", str(path), env={"QAGRAPH_LOAD_MAX_FILE_SIZE": "lots"})
    assert result.exit_code == 2 and "QAGRAPH_LOAD_MAX_FILE_SIZE" in result.output, result.output


# -- 3. places for messages that had none ---------------------------------------------------


@pytest.mark.parametrize(("name", "data", "place"), [
    ("bad.ttl", f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> "åb\xffad" .\n', "bad.ttl:2:50:"),
    ("bad.nt", f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> "åb\xffad" .\n', "bad.nt:2:50:"),
    ("bad.jsonld", f'{{"@id": "{EX}a",\n "{EX}p": "åb\xffad"}}', "bad.jsonld:2:29:"),
    ("bad.rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     f'xmlns:e="{EX}">\n<rdf:Description rdf:about="{EX}a">\n<e:p>åb\xffad</e:p></rdf:Description></rdf:RDF>',
     "bad.rdf:4:8:"),
])
def test_a_utf8_error_gives_line_and_column(tmp_path: Path, qagraph_env: Callable[..., Result],
                                            name: str, data: str, place: str) -> None:
    raw = data.encode("utf-8").replace("\xff".encode(), b"\xff")
    refused(qagraph_env("load", str(write(tmp_path, name, raw))), place,
            "the text is not UTF-8 (byte 0xFF cannot stand here)")


@pytest.fixture
def listener() -> Iterator[tuple[str, list[object]]]:
    """A TCP listener on a free port of 127.0.0.1 that records every connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            seen.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/context.jsonld", seen
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("shape", ["string", "list"])
def test_a_remote_context_is_refused_by_url_and_never_fetched(
        tmp_path: Path, qagraph_env: Callable[..., Result], listener: tuple[str, list[object]],
        shape: str) -> None:
    url, connections = listener
    context = f'"{url}"' if shape == "string" else f'["{url}", {{"e": "{EX}"}}]'
    doc = f'{{\n  "@context": {context},\n  "@id": "{EX}a",\n  "{EX}p": "x"\n}}\n'.encode()
    result = qagraph_env("load", str(write(tmp_path, "remote.jsonld", doc)))
    refused(result, "remote.jsonld:2:", f"remote JSON-LD contexts are not fetched: {url}")
    assert connections == []


@pytest.mark.parametrize(("name", "data", "env", "expected"), [
    ("list.ttl", nested_turtle_list(150), {}, "list.ttl:1:147: nästlat djupare än 100 nivåer "
     "(inställningen QAGRAPH_LOAD_MAX_DEPTH)"),
    ("long.nt", literal_turtle(2 * 2**20), {}, "long.nt:2:47: en literal, IRI, ett namn eller en kommentar "
     "längre än 1 MiB (inställningen QAGRAPH_LOAD_MAX_LITERAL_SIZE)"),
    ("big.jsonld", literal_jsonld(BIG), {"QAGRAPH_LOAD_MAX_LITERAL_SIZE": "64MiB"},
     "big.jsonld:2:26: en literal, IRI, ett namn eller en kommentar längre än 16 MiB, tolkarens egen gräns"),
    ("bad.nt", f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> "b'.encode() + b'\xffad" .\n', {},
     "bad.nt:2:49: texten är inte UTF-8 (byte 0xFF kan inte stå här)"),
    ("remote.jsonld", b'{\n "@context": "http://127.0.0.1:9/c.jsonld",\n "@id": "http://example.org/a"}\n', {},
     "remote.jsonld:2:14: JSON-LD-kontexter på andra platser hämtas inte: http://127.0.0.1:9/c.jsonld"),
    ("org.nt", SEED.encode() * 20, {"QAGRAPH_LOAD_MAX_FILE_SIZE": "1KiB"},
     "org.nt: filen är 1.6 KiB, större än gränsen 1 KiB (inställningen QAGRAPH_LOAD_MAX_FILE_SIZE)"),
], ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "")
def test_messages_of_limits_are_in_swedish_too(tmp_path: Path, qagraph_env: Callable[..., Result], name: str,
                                               data: bytes, env: dict[str, str], expected: str) -> None:
    result = qagraph_env("load", str(write(tmp_path, name, data)), lang="sv", env=env)
    assert result.exit_code == 2 and expected in result.output, result.output
    assert "Traceback" not in result.output


@pytest.fixture
def qagraph_env(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """The CLI in-process with settings from the environment (limits are read per load)."""
    from click.testing import CliRunner

    from graph_app.cli import main

    def run(*args: str, lang: str = "en", env: dict[str, str] | None = None) -> Result:
        with monkeypatch.context() as patch:
            for key, value in (env or {}).items():
                patch.setenv(key, value)
            return CliRunner().invoke(main, ["--lang", lang, "--store", str(store_path), *args])

    return run
