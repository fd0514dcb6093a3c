#!/usr/bin/env python3
"""The example research queries on a synthetic store, three ways: through the SPARQL
endpoint over HTTP (the /queries/<name>.json API, served on 127.0.0.1 with its worker
processes), directly in pyoxigraph, and on rdflib's in-memory graph.

    python bench/sparql.py [--triples 1000000] [--runs 5] [--workdir bench/out/sparql]
        [--rdflib-timeout 300] [--skip-rdflib]

Each query runs once to warm up, then `--runs` times, pyoxigraph and the endpoint taking
turns; the median is printed. Direct pyoxigraph time is the query plus reading every row;
endpoint time is the HTTP request until the whole JSON body is received; "pool" is the
same query handed to the worker pool in this process (no HTTP), which shows what the
worker processes cost apart from the web layer. rdflib gets the same data (synthetic
file, ontology and concept schemes) and the same query text with the same parameter
values (as rdflib initBindings); each rdflib query runs in a child process that is
stopped after `--rdflib-timeout` seconds (warm-up and runs together). Targets: the endpoint at most 1.2 x pyoxigraph
for queries taking 10 ms or more; at least 10 x faster than rdflib on joins and
aggregates.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
import requests  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from graph_app import create_app  # noqa: E402
from graph_app.core import sparql_examples  # noqa: E402
from graph_app.core.sparql import Negotiated  # noqa: E402
from graph_app.core.sparql_pool import Job, bindings_text  # noqa: E402
from graph_app.core.store import OxigraphStore  # noqa: E402
from graph_app.web.sparql import get_pool  # noqa: E402

VOCAB_FILES = sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "ontology" / "schemes").glob("*.ttl"))


def generate(triples: int, out: Path) -> Path:
    data = out / f"synthetic-{triples}.nt"
    if not data.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples),
                        "-o", str(data)], check=True)
    return data


def build_store(data: Path, path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    store = OxigraphStore(path)
    for file in [*VOCAB_FILES, data]:
        fmt = ox.RdfFormat.N_TRIPLES if file.suffix == ".nt" else ox.RdfFormat.TURTLE
        staged = store.stage(file.stem, file.name, "bench")
        store.bulk_write_staged(staged, file, fmt)
        store.commit([staged])
    store.close()


def parameters(store: OxigraphStore) -> dict[str, dict[str, str]]:
    """A value for every parameter of the examples, taken from the data."""

    def first(query: str) -> str:
        for row in store.query("PREFIX qa: <https://w3id.org/qagraph/ontology#> " + query):
            return row[0].value  # type: ignore[index]
        return ""

    values = {
        "requirement": first("SELECT ?x WHERE { ?x a qa:Requirement } LIMIT 1"),
        "organisation": first("SELECT ?x WHERE { ?r qa:issuer ?x } LIMIT 1"),
        "start": first("SELECT ?x WHERE { ?x <http://www.w3.org/2004/02/skos/core#exactMatch> ?y } LIMIT 1")
        or first("SELECT ?x WHERE { ?x a qa:Credential } LIMIT 1"),
        "today": (first("SELECT (MIN(?d) AS ?x) WHERE { ?a qa:expires ?d }") or "2026-01-01")[:10],
    }
    return {e.name: {p.name: values[p.name] for p in e.params} for e in sparql_examples.all_examples()}


def median_time(run: Any, runs: int) -> float:
    run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def paired_medians(first: Any, second: Any, runs: int) -> tuple[float, float]:
    """Median times of two ways, run alternately so that load on the machine hits both."""
    first()
    second()
    a, b = [], []
    for _ in range(runs):
        for run, samples in ((first, a), (second, b)):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def _rdflib_child(files: list[str], text: str, bindings: dict[str, Any], runs: int, conn: Any) -> None:
    graph = _RDFLIB_GRAPH
    assert graph is not None

    def run() -> None:
        list(graph.query(text, initBindings=bindings))

    conn.send(median_time(run, runs))


_RDFLIB_GRAPH: Any = None


def rdflib_times(data: Path, examples: list[Any], params: dict[str, dict[str, str]], runs: int,
                 timeout: float) -> dict[str, float | None]:
    """Median rdflib time per example (None when it ran past `timeout`)."""
    global _RDFLIB_GRAPH
    from rdflib import Graph, Literal, URIRef

    started = time.perf_counter()
    graph = Graph()
    for file in [*VOCAB_FILES, data]:
        graph.parse(file, format="nt" if file.suffix == ".nt" else "turtle")
    print(f"rdflib: parsed {len(graph)} triples in {time.perf_counter() - started:.0f} s", flush=True)
    _RDFLIB_GRAPH = graph
    ctx = multiprocessing.get_context("fork")
    out: dict[str, float | None] = {}
    for example in examples:
        bindings: dict[str, Any] = {}
        for p in example.params:
            raw = params[example.name][p.name]
            if p.kind == "iri":
                bindings[p.name] = URIRef(raw)
            elif p.kind == "date":
                bindings[p.name] = Literal(raw, datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
            else:
                bindings[p.name] = Literal(raw)
        ours, theirs = ctx.Pipe()
        child = ctx.Process(target=_rdflib_child, args=([], example.text, bindings, runs, theirs))
        child.start()
        if ours.poll(timeout):
            out[example.name] = ours.recv()
        else:
            out[example.name] = None
        child.kill()
        child.join()
        print(f"  rdflib {example.name}: {_fmt(out[example.name])}", flush=True)
    return out


def _fmt(seconds: float | None) -> str:
    return "timeout" if seconds is None else f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "sparql")
    parser.add_argument("--rdflib-timeout", type=float, default=300.0)
    parser.add_argument("--rdflib-runs", type=int, default=1)
    parser.add_argument("--skip-rdflib", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = generate(args.triples, args.workdir)
    store_path = args.workdir / "store"
    started = time.perf_counter()
    build_store(data, store_path)
    print(f"store built in {time.perf_counter() - started:.0f} s", flush=True)

    app = create_app({"STORE": str(store_path), "QUERY_TIMEOUT": 600, "ROW_LIMIT": 10_000_000})
    store = app.extensions["qagraph.store"]
    print(f"triples: {store.triple_count()}", flush=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # HTTP/1.1 keeps the connection open between requests, as a production server does.
    WSGIRequestHandler.protocol_version = "HTTP/1.1"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # No Nagle delay: the dev server writes headers and body apart, and a small body would
    # otherwise wait for the client's delayed ACK. Accepted sockets inherit the option.
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    examples = sparql_examples.all_examples()
    params = parameters(store)
    session = requests.Session()
    pool = get_pool(app)

    results: dict[str, dict[str, Any]] = {}
    for example in examples:
        bound = example.bind(params[example.name])

        def direct(text: str = example.text, bindings: dict[str, Any] = bound) -> int:
            return sum(1 for _ in store.query(text, bindings=bindings))

        def http(name: str = example.name) -> bytes:
            response = session.get(f"{url}/queries/{name}.json", params=params[name], timeout=700)
            response.raise_for_status()
            return response.content

        job = Job(example.text, None, None, None, bindings_text(bound),
                  Negotiated("application/sparql-results+json", None, None), 10_000_000, trusted=True)

        def worker(job: Job = job) -> bytes:
            return pool.run(job).body

        rows = direct()
        assert len(json.loads(http())["results"]["bindings"]) == rows, example.name
        oxigraph, endpoint = paired_medians(direct, http, args.runs)
        _, in_pool = paired_medians(direct, worker, args.runs)
        results[example.name] = {"rows": rows, "oxigraph": oxigraph, "endpoint": endpoint, "pool": in_pool}
        r = results[example.name]
        print(f"  {example.name}: {rows} rows, pyoxigraph {_fmt(r['oxigraph'])}, "
              f"worker pool {_fmt(r['pool'])}, endpoint {_fmt(r['endpoint'])}", flush=True)
    server.shutdown()
    app.extensions["qagraph.sparql_pool"].close()

    slow: dict[str, float | None] = {}
    if not args.skip_rdflib:
        slow = rdflib_times(data, examples, params, args.rdflib_runs, args.rdflib_timeout)

    print()
    print(f"{'query':38} {'rows':>7} {'pyoxigraph':>11} {'pool':>9} {'endpoint':>10} {'ratio':>6} "
          f"{'rdflib':>11} {'speed-up':>9}")
    for name, r in results.items():
        ratio = r["endpoint"] / r["oxigraph"] if r["oxigraph"] else float("nan")
        rd = slow.get(name)
        speed = f"{rd / r['endpoint']:.0f}x" if rd else (f">{args.rdflib_timeout / r['endpoint']:.0f}x"
                                                         if name in slow else "-")
        print(f"{name:38} {r['rows']:>7} {r['oxigraph'] * 1000:>9.1f}ms {r['pool'] * 1000:>7.1f}ms "
              f"{r['endpoint'] * 1000:>8.1f}ms "
              f"{ratio:>6.2f} {(_fmt(rd) if name in slow else '-'):>11} {speed:>9}")
    over = [n for n, r in results.items() if r["oxigraph"] >= 0.010 and r["endpoint"] > 1.2 * r["oxigraph"]]
    print()
    print("endpoint <= 1.2 x pyoxigraph for queries >= 10 ms:", "yes" if not over else f"no: {over}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
