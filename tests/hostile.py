"""Hostile inputs for the loaders, and how to run a load that may crash.

A load that crashes the interpreter (a segfault) would take pytest down with it, so these
run `qagraph load` in a child process and look at its exit code and its output. The store's
digest (every quad of every graph, metadata included) tells whether a load changed it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    @property
    def crashed(self) -> bool:
        """Killed by a signal (a negative code), or exited with anything but 0, 1 or 2."""
        return self.code not in (0, 1, 2)

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.text


def qagraph(store: Path, *args: str, lang: str = "en", env: dict[str, str] | None = None,
            timeout: float = 300) -> Run:
    """`qagraph --store STORE ARGS` in a child process."""
    full_env = {**os.environ, "PYTHONFAULTHANDLER": "", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "graph_app.cli", "--lang", lang, "--store", str(store), *args],
        capture_output=True, text=True, errors="replace", cwd=ROOT, env=full_env, timeout=timeout,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def store_digest(store: Path) -> str:
    """SHA-256 of every quad in the store, sorted (the store is opened read-only)."""
    if not store.exists():
        return "absent"
    db = ox.Store.read_only(str(store))
    digest = hashlib.sha256()
    for line in sorted(str(q) for q in db):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    del db
    return digest.hexdigest()


def nested_jsonld(levels: int) -> bytes:
    """A JSON-LD document whose objects nest `levels` deep (10,000: about 150 KB)."""
    return (
        '{"@context": {"@vocab": "http://example.org/"}, "@id": "http://example.org/a", "p": '
        + '{"p": ' * levels + "1" + "}" * levels + "}"
    ).encode()


def nested_turtle_list(levels: int) -> bytes:
    return f"<{EX}a> <{EX}p> ".encode() + b"(" * levels + b"1" + b")" * levels + b" .\n"


def nested_blank_nodes(levels: int) -> bytes:
    return f"<{EX}a> <{EX}p> ".encode() + f"[ <{EX}p> ".encode() * levels + b"1" + b" ]" * levels + b" .\n"


def nested_triple_terms(levels: int) -> bytes:
    """RDF 1.2 triple terms `<<( s p o )>>` inside each other: N-Triples and Turtle."""
    inner = f"<<( <{EX}a> <{EX}p> ".encode()
    return f"<{EX}a> <{EX}p> ".encode() + inner * levels + b'"x"' + b" )>>" * levels + b" .\n"


def nested_rdfxml(levels: int) -> bytes:
    return (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:e="{EX}"><rdf:Description rdf:about="{EX}a">'
        + "<e:p><rdf:Description>" * levels + "</rdf:Description></e:p>" * levels
        + "</rdf:Description></rdf:RDF>\n"
    ).encode()


def entity_bomb(levels: int = 7) -> bytes:
    """Billion laughs: each entity is ten of the one before (40 bytes * 10**levels)."""
    names = "abcdefghijklmnopq"[: levels + 1]
    decls = [f' <!ENTITY {names[0]} "{"x" * 40}">']
    decls += [f' <!ENTITY {n} "{f"&{p};" * 10}">' for p, n in zip(names, names[1:], strict=False)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(decls) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:e="{EX}"><rdf:Description rdf:about="{EX}a"><e:p>&{names[-1]};</e:p>'
        "</rdf:Description></rdf:RDF>\n"
    ).encode()


def literal_turtle(size: int) -> bytes:
    return f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}q> "'.encode() + b"x" * size + b'" .\n'


def literal_jsonld(size: int) -> bytes:
    return f'{{"@id": "{EX}a",\n "{EX}p": "'.encode() + b"x" * size + b'"}\n'
