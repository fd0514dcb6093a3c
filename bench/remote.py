#!/usr/bin/env python3
"""The same qagraph on the embedded store and on Virtuoso, side by side, in one run.

    python bench/remote.py [--triples 10000000] [--runs 40] [--memory-mb 3000]
        [--workdir bench/out/remote] [--endpoint-only] [--reuse]

Loads the ontology, the sample data and a synthetic store from bench/generate.py into an
embedded Oxigraph store and, through qagraph (Graph Store POSTs in chunks), into a
throw-away Virtuoso server (tests/virtuoso.py), then prints for both stores:

- the load time;
- entity pages (credentials and organisations): first view, p50 and p95;
- the aggregate pages: home, levels, lists with facets (p50, p95);
- what a list page needs (the total, every facet's counts, one page in name order), from
  the catalogue's listing (sets per facet value, in Python) against GROUP BY, COUNT and
  ORDER BY/LIMIT queries on each engine (docs/decisions/0010 chose by these figures);
- the SPARQL endpoint: qagraph's /sparql on Virtuoso against Virtuoso's own /sparql, for
  the same queries over the same graphs (median of each, and the ratio).

Pages go through the whole Flask app in this process (the time a server spends). The
endpoints are requested over HTTP on 127.0.0.1: qagraph served as in production
(`qagraph serve`: gunicorn), by one client for both sides whose connections acknowledge
at once (the remote store's transport; with delayed acknowledgements Virtuoso's answers
of some sizes stall 40 ms, on either side). The two sides of each comparison are
requested in turn, interleaved, and the load average is printed beside every figure.
Targets: qagraph's endpoint within 1.2x of Virtuoso's own; aggregate pages <= 100 ms.

While working on one part, two options save the load (about 15 minutes per store at 10M):
`--endpoint-only` loads Virtuoso alone and measures only the endpoint; `--reuse` keeps
Virtuoso's database in the work folder and, when a later run finds one loaded with the
same data, starts it again instead of loading (the load's time is then not printed).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import loaders  # noqa: E402
from graph_app import create_app  # noqa: E402
from graph_app.cli import bundled_inputs  # noqa: E402
from graph_app.core import queries as canned  # noqa: E402
from graph_app.core import sparql_examples  # noqa: E402
from graph_app.core.catalogue import catalogue  # noqa: E402
from graph_app.core.loading import LoadInput, load  # noqa: E402
from graph_app.core.namespaces import DEFAULT_BASE, GRAPH_BASE, QA  # noqa: E402
from graph_app.core.remote import RemoteStore, transport, uses_graph  # noqa: E402
from graph_app.core.settings import load_settings  # noqa: E402
from graph_app.core.store import OxigraphStore, Store  # noqa: E402
from graph_app.core.stores import open_configured  # noqa: E402
from tests.virtuoso import start as start_virtuoso  # noqa: E402


def load_average() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def pct(samples: Sequence[float], q: int) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[q - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def path_of(iri: str) -> str:
    return "/id/" + iri[len(DEFAULT_BASE):]


def interleaved(sides: dict[str, Callable[[str], Any]], urls: Sequence[str], runs: int) -> dict[str, list[float]]:
    """Request each URL on each side in turn, `runs` times over the URLs."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(runs):
        url = urls[i % len(urls)]
        for name, get in sides.items():
            started = time.perf_counter()
            get(url)
            samples[name].append(time.perf_counter() - started)
    return samples


def generate(triples: int, workdir: Path) -> Path:
    data = workdir / f"synthetic-{triples}.nt"
    if not data.exists():
        print(f"generating {triples:,} triples ...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples),
                        "-o", str(data)], check=True)
    return data


def timed_load(store: Store, data: Path) -> float:
    inputs = bundled_inputs() + [LoadInput(data, "synthetic", loaders.get("ntriples"))]
    started = time.perf_counter()
    load(store, inputs, base_iri=DEFAULT_BASE, validate=False)
    return time.perf_counter() - started


def sample_iris(store: Store, cls: str, n: int) -> list[str]:
    result = store.query(f"SELECT ?s WHERE {{ ?s a <{QA}{cls}> FILTER(STRSTARTS(STR(?s), \"{DEFAULT_BASE}\")) }} "
                         f"ORDER BY ?s LIMIT {n * 7}")
    iris = [row["s"].value for row in result]  # type: ignore[union-attr,index]
    return iris[::7][:n]


LIST_CASES = {  # what a list page of a kind needs, with a choice of facet values or none
    "credentials": ("credential", "Credential", {}),
    "credentials?country=SE": ("credential", "Credential", {"country": ["SE"]}),
    "organisations": ("organisation", "Organisation", {}),
    "organisations?country=NO": ("organisation", "Organisation", {"country": ["NO"]}),
}


def list_queries(cls: str, chosen: dict[str, list[str]]) -> list[str]:
    """A list page's figures as queries for an engine: the total, the count of each facet
    value (the catalogue's facet patterns, GROUP BY) and the first page by name. A lower
    bound of what the page needs: no kind precedence, no label fallback, no folding."""
    facets = canned.load("catalogue-facets").text
    body = facets[facets.index("WHERE {") + len("WHERE {"):facets.rindex("}")]
    where = f"?s a <{QA}{cls}> . " + " ".join(f'?s <{QA}country> "{v}" .' for v in chosen.get("country", []))
    return [
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}",
        f"PREFIX qa: <{QA}>\nSELECT ?facet ?v (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} {{ {body} }} }} "
        "GROUP BY ?facet ?v",
        f"SELECT ?s ?label WHERE {{ {where} OPTIONAL {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        'FILTER(LANGMATCHES(LANG(?label), "sv")) } } ORDER BY LCASE(STR(?label)) ?s LIMIT 50',
    ]


def serve(settings: dict[str, object]) -> tuple[subprocess.Popen[bytes], str]:
    """`qagraph serve` (gunicorn, as in production) on the remote store, on a free port;
    it prepares the catalogue and the counts before it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = dict(os.environ, **{f"QAGRAPH_{k}": str(v) for k, v in settings.items()},
               QAGRAPH_QUERY_TIMEOUT="120", QAGRAPH_ROW_LIMIT="10000", QAGRAPH_LOAD_SAMPLE="0")
    server = subprocess.Popen([sys.executable, "-m", "graph_app.cli", "serve", "--port", str(port)], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if httpx.get(url + "/sparql?query=ASK%7B%7D", timeout=5).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("qagraph serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--memory-mb", type=int, default=3000, help="Virtuoso's buffers and query memory")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "remote")
    parser.add_argument("--endpoint-only", action="store_true",
                        help="load Virtuoso only and measure only the SPARQL endpoint")
    parser.add_argument("--reuse", action="store_true",
                        help="keep Virtuoso's database, and start one an earlier run loaded with the same data")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = generate(args.triples, args.workdir)
    folder = args.workdir / "virtuoso"
    marker = folder / "loaded"  # written after a complete load: which data it holds
    reused = args.reuse and marker.exists() and marker.read_text(encoding="utf-8") == data.name
    shutil.rmtree(args.workdir / "embedded", ignore_errors=True)
    if not reused:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"# bench/remote.py: {args.triples:,} synthetic triples + the sample data; {load_average()}", flush=True)
    server = start_virtuoso(folder, memory_mb=args.memory_mb, reuse=reused)
    settings = server.settings(f"{GRAPH_BASE}bench/")
    try:
        remote = open_configured(load_settings(settings))
        assert isinstance(remote, RemoteStore)
        stores: dict[str, Store] = {} if args.endpoint_only else {"embedded": OxigraphStore(args.workdir / "embedded")}
        stores["virtuoso"] = remote

        print("\n## load (the whole pipeline, no validation)")
        for name, store in stores.items():
            if store is remote and reused:
                print(f"virtuoso  reused: loaded by an earlier run  {store.triple_count():>12,} triples", flush=True)
                continue
            seconds = timed_load(store, data)
            print(f"{name:9} {seconds:8.1f} s  {store.triple_count():>12,} triples  {load_average()}", flush=True)
            if store is remote:
                marker.write_text(data.name, encoding="utf-8")
        if not args.endpoint_only:
            pages_and_lists(stores, args.runs)
        endpoint(server, settings, remote, args.runs)
        for store in stores.values():
            store.close()
    finally:
        server.stop()
        if not args.reuse:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def pages_and_lists(stores: dict[str, Store], runs: int) -> None:
    """Entity pages, aggregate pages and what a list page needs, on both stores."""
    embedded, remote = stores["embedded"], stores["virtuoso"]

    apps = {name: create_app({"STORE_OBJECT": store, "TESTING": True, "VALIDATION_WAIT": 0})
            for name, store in stores.items()}
    clients = {name: app.test_client() for name, app in apps.items()}

    def getter(name: str) -> Callable[[str], Any]:
        def get(url: str) -> Any:
            response = clients[name].get(url)
            assert response.status_code == 200, (name, url, response.status_code)
            return response
        return get

    sides = {name: getter(name) for name in stores}

    print("\n## catalogue (built once per commit, in the background after a load)")
    for name, store in stores.items():
        started = time.perf_counter()
        catalogue(store)
        print(f"{name:9} {ms(time.perf_counter() - started):>12}  {load_average()}", flush=True)

    credentials = sample_iris(embedded, "Credential", 20)
    organisations = sample_iris(embedded, "Organisation", 20)
    print("\n## entity pages: first view, then p50 / p95 (interleaved)")
    for label, iris in (("credential", credentials), ("organisation", organisations)):
        urls = [path_of(i) for i in iris]
        firsts = {}
        for name, get in sides.items():
            started = time.perf_counter()
            get(urls[0])
            firsts[name] = time.perf_counter() - started
            for url in urls:
                get(url)
        found = interleaved(sides, urls, runs)
        for name, samples in found.items():
            print(f"{label:13} {name:9} first {ms(firsts[name]):>11}  p50 {ms(pct(samples, 50)):>10}  "
                  f"p95 {ms(pct(samples, 95)):>10}  {load_average()}", flush=True)

    print("\n## aggregate pages: p50 / p95 (interleaved; target p95 <= 100 ms)")
    levels = sorted(catalogue(embedded).ranks)
    pages = {
        "home": ["/"],
        "levels": ["/levels"],
        "credentials+facets": ["/credentials", f"/credentials?level={levels[0]}",
                               "/credentials?country=SE"],
        "organisations+facets": ["/organisations", "/organisations?country=NO"],
    }
    for label, urls in pages.items():
        for get in sides.values():
            for url in urls:
                get(url)  # warm
        found = interleaved(sides, urls, runs)
        for name, samples in found.items():
            print(f"{label:21} {name:9} p50 {ms(pct(samples, 50)):>10}  p95 {ms(pct(samples, 95)):>10}  "
                  f"{load_average()}", flush=True)

    print("\n## what a list page needs: the listing's sets (Python) vs GROUP BY/ORDER BY on each engine "
          "(median / p95)")
    cat_embedded = catalogue(embedded)

    def by_sets(case: str) -> Any:
        kind, _cls, chosen = LIST_CASES[case]
        listing = cat_embedded.listing(kind)
        matching = listing.matching(chosen)
        return len(matching), listing.counts(matching), listing.page(matching, "sv", "label", 0, 50)

    def by_engine(store: Store) -> Callable[[str], Any]:
        def ask(case: str) -> Any:
            _kind, cls, chosen = LIST_CASES[case]
            return [list(store.query(text)) for text in list_queries(cls, chosen)]  # type: ignore[arg-type]
        return ask

    list_sides = {"sets": by_sets, "oxigraph": by_engine(embedded), "virtuoso": by_engine(remote)}
    for case in LIST_CASES:
        for get in list_sides.values():
            get(case)  # warm
        found = interleaved(list_sides, [case], max(5, runs // 4))
        print(f"{case:25} " + "  ".join(f"{name} {ms(statistics.median(samples)):>10} / "
                                        f"{ms(pct(samples, 95)):>10}" for name, samples in found.items())
              + f"  {load_average()}", flush=True)


def endpoint(server: Any, settings: dict[str, object], remote: RemoteStore, runs: int) -> None:
    """qagraph's endpoint (served by `qagraph serve`) against Virtuoso's own."""
    served, url = serve(settings)
    try:
        print("\n## SPARQL endpoint: qagraph's /sparql on Virtuoso vs Virtuoso's own /sparql "
              "(median; target ratio <= 1.2)")
        http = httpx.Client(timeout=300, transport=transport(httpx.Limits()))
        visible = [g.value for g in remote.current_graphs().values()] + [remote.meta_graph]
        queries = {
            "count credentials": f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a <{QA}Credential> }}",
            "awards per level": (f"SELECT ?level (COUNT(?a) AS ?n) WHERE {{ ?a <{QA}viaRoute> ?r . "
                                 f"?r <{QA}assuranceLevel> ?level }} GROUP BY ?level ORDER BY ?level"),
            "organisations": f"SELECT ?o ?l WHERE {{ ?o a <{QA}Organisation> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }} LIMIT 1000",
        }
        for example in sparql_examples.all_examples():
            if not example.params:
                queries[example.name] = example.text

        def ours(text: str) -> Any:
            response = http.post(url + "/sparql", data={"query": text},
                                 headers={"Accept": "application/sparql-results+xml"})
            assert response.status_code == 200, response.text[:300]
            return response

        def theirs(text: str) -> Any:
            # The same dataset qagraph sends: named graphs only to a query with GRAPH.
            dataset = {"default-graph-uri": visible, "named-graph-uri": visible if uses_graph(text) else []}
            response = http.post(server.query_url, data={"query": text, **dataset},
                                 headers={"Accept": "application/sparql-results+xml"})
            assert response.status_code == 200, response.text[:300]
            return response

        ratios = []
        for label, text in queries.items():
            ours(text)  # warm: one request on each side first (a reused server starts cold)
            theirs(text)
            found = interleaved({"qagraph": ours, "virtuoso": theirs}, [text], max(5, runs // 4))
            a, b = statistics.median(found["qagraph"]), statistics.median(found["virtuoso"])
            ratios.append(a / b)
            print(f"{label:32} qagraph {ms(a):>11}  virtuoso {ms(b):>11}  ratio {a / b:5.2f}  {load_average()}",
                  flush=True)
        print(f"{'median ratio':32} {statistics.median(ratios):.2f}  {load_average()}")
    finally:
        served.terminate()
        served.wait(60)


if __name__ == "__main__":
    sys.exit(main())
