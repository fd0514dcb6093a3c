#!/usr/bin/env python3
"""The web pages: throughput over HTTP, and the server time of each kind of page, on the
sample data and on a synthetic store from bench/generate.py (1M triples, one organisation
with 10,000 awards).

    python bench/web.py --http [--duration 30] [--connections 8,64] [--triples 1000000]
    python bench/web.py [--triples 1000000] [--big-org-awards 10000] [--runs 60]
        [--workdir bench/out/web] [--skip-synthetic]

--http serves each store with `qagraph serve` (gunicorn, as in production) on a free
port of 127.0.0.1 and drives it with wrk (make bench installs it from Debian) for
--duration seconds at each number of --connections, over the entity pages of every
credential in random order (pages seen before come from the page cache of their store
state) and over award pages, most of which are seen for the first time (uncached); it
prints pages per second, p50 and p99 latency, errors, the pages whose validation panel
still said "running" (the page waited VALIDATION_WAIT for it), and the load average.
Target: at least 300 entity pages/s with no errors on 2 cores.

Without --http:
Each request goes through the whole Flask app (routing, queries, templates) in this
process, without a network in between: the time a server spends on it. A page is
requested once before timing (the first view of a node also validates its neighbourhood,
which is then cached); that first view is printed apart. The credential page includes its
answer card (level checks, where it is accepted by the satisfaction reasoning, roles,
equivalents). Targets for p95: credential page with the answer card <= 50 ms,
organisation with 10,000 awards <= 150 ms, list page with facets <= 100 ms. The machine's
load average is printed beside the figures (os.getloadavg()).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import loaders  # noqa: E402
from graph_app import create_app  # noqa: E402
from graph_app.cli import bundled_inputs  # noqa: E402
from graph_app.core.catalogue import catalogue  # noqa: E402
from graph_app.core.derived import fingerprint  # noqa: E402
from graph_app.core.loading import LoadInput, load  # noqa: E402
from graph_app.core.namespaces import DEFAULT_BASE, LVL  # noqa: E402


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def timed(get: Callable[[str], object], urls: Sequence[str], runs: int) -> tuple[float, list[float]]:
    """First-view time of the first URL, then `runs` timed requests cycling over `urls`."""
    start = time.perf_counter()
    get(urls[0])
    first = (time.perf_counter() - start) * 1000
    for url in urls:
        get(url)  # warm
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        get(urls[i % len(urls)])
        samples.append((time.perf_counter() - start) * 1000)
    return first, samples


def path_of(iri: str) -> str:
    return "/id/" + iri[len(DEFAULT_BASE):]


def bench_store(name: str, store_dir: Path, extra: list[LoadInput], big_org: str | None,
                runs: int) -> list[tuple[str, str, float, float, float, int, float]]:
    if store_dir.exists():
        shutil.rmtree(store_dir)
    app = create_app({"STORE": str(store_dir), "TESTING": True})
    store = app.extensions["qagraph.store"]
    start = time.perf_counter()
    load(store, bundled_inputs() + extra, base_iri=DEFAULT_BASE, validate=False)
    loaded = time.perf_counter() - start
    triples = store.triple_count()
    cat = catalogue(store)
    print(f"# {name}: {triples} triples, loaded in {loaded:.1f} s (catalogue of "
          f"{len(cat.entries)} things rebuilt on commit)", file=sys.stderr)
    client = app.test_client()

    def get(url: str) -> object:
        response = client.get(url, headers={"Accept-Language": "sv"})
        assert response.status_code == 200, (url, response.status_code)
        return response

    credentials = sorted(e.iri for e in cat.of_kind("credential"))[:20]
    pages: list[tuple[str, list[str]]] = [
        ("credential page", [path_of(i) for i in credentials]),
        ("list page with facets", ["/credentials", f"/credentials?level={LVL}C1", "/organisations",
                                   "/organisations?country=SE"]),
        ("search (autocomplete)", ["/search.json?q=heta", "/search.json?q=cert", "/search.json?q=tuli"]),
        ("graph data", [f"/graph.json?iri={credentials[0]}"]),
        ("levels overview", ["/levels"]),
    ]
    if big_org:
        pages.insert(1, ("organisation with its awards", [path_of(big_org)]))
    rows = []
    for label, urls in pages:
        first, samples = timed(get, urls, runs)
        rows.append((name, label, first, percentile(samples, 50), percentile(samples, 95), len(samples),
                     os.getloadavg()[0]))
    store.close()
    return rows


def synthetic_file(workdir: Path, triples: int, big: int) -> tuple[Path, str]:
    out = workdir / f"synthetic-{triples}-{big}.nt"
    sidecar = out.parent / (out.name + ".violations.json")
    if not out.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples),
                        "--big-org-awards", str(big), "--format", "nt", "-o", str(out)], check=True)
    candidates = [sidecar, *workdir.glob(out.stem + "*.json")]
    meta = json.loads(next(p for p in candidates if p.exists()).read_text(encoding="utf-8"))
    return out, meta["big_organisation"]


# -- over HTTP, with wrk ---------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("QAGRAPH_PATHS")) do paths[#paths + 1] = line end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("seed", #threads)  -- each thread its own order of pages
end
function init(args)
  math.randomseed(os.time() * 1000 + seed)
  pending = 0
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept-Language"] = "sv"})
end
-- A page whose validation panel still says "running" is an answer, but not the whole page.
response = function(status, headers, body)
  if body and body:find('class="pending"', 1, true) then pending = pending + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("pending") end
  io.write(string.format("Pages with the validation still running: %d\\n", total))
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store_dir: Path, port: int, readers: int | None = None) -> subprocess.Popen[bytes]:
    import os

    env = dict(os.environ, QAGRAPH_LOAD_SAMPLE="0")
    if readers is not None:
        env["QAGRAPH_PAGE_READERS"] = str(readers)
    server = subprocess.Popen([sys.executable, "-m", "graph_app.cli", "--store", str(store_dir), "serve",
                               "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import requests

    for _ in range(600):
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the server did not start")


def wrk(port: int, paths_file: Path, connections: int, duration: int) -> dict[str, float]:
    import os
    import re

    script = paths_file.with_suffix(".lua")
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    env = dict(os.environ, QAGRAPH_PATHS=str(paths_file))
    load_before = os.getloadavg()[0]
    done = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency",
                           "-s", str(script), f"http://127.0.0.1:{port}"],
                          capture_output=True, text=True, env=env, check=True)
    out = done.stdout

    def millis(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    pending = re.search(r"validation still running: (\d+)", out)
    return {"rate": float(rate.group(1)) if rate else 0.0, "p50": millis("50"), "p99": millis("99"),
            "errors": errors, "pending": int(pending.group(1)) if pending else 0,
            "load": (load_before + os.getloadavg()[0]) / 2}


def http_bench(args: argparse.Namespace) -> int:
    """Pages per second over HTTP at each number of connections."""
    from graph_app.core.store import OxigraphStore

    stores: list[tuple[str, Path, list[LoadInput]]] = []
    if not args.skip_sample:
        stores.append(("sample", args.workdir / "store-http-sample", []))
    if not args.skip_synthetic:
        data, _big = synthetic_file(args.workdir, args.triples, args.big_org_awards)
        stores.append((f"synthetic {args.triples}", args.workdir / "store-http-synthetic",
                       [LoadInput(data, "synthetic", loaders.get("ntriples"))]))
    print(f"{'data':<20} {'pages':<28} {'conn':>5} {'pages/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7} {'pending':>8} {'load':>6}")
    for name, store_dir, extra in stores:
        if not (store_dir / "READY").is_file():
            shutil.rmtree(store_dir, ignore_errors=True)
            store = OxigraphStore(store_dir)
            load(store, bundled_inputs() + extra, base_iri=DEFAULT_BASE, validate=False)
            store.close()
            (store_dir / "READY").write_text("ok\n", encoding="utf-8")
        store = OxigraphStore(store_dir, read_only=True)
        state = fingerprint(store)
        cat = catalogue(store)
        credentials = sorted(e.iri for e in cat.of_kind("credential"))
        awards = [r["a"].value for r in store.query(  # type: ignore[union-attr]
            "SELECT ?a WHERE { ?a a <https://w3id.org/qagraph/ontology#Award> } LIMIT 20000")]
        del store, cat
        sets = [("credential pages", credentials)]
        if awards:
            sets.append(("award pages (mostly uncached)", awards))
        report = store_dir.parent / f".{store_dir.name}-derived" / f"validation-{state}.pickle"
        # With several --readers values, a server with each in turn: both sides in one run.
        for readers in args.readers or [None]:
            port = free_port()
            kept_before = report.is_file()
            started = time.perf_counter()
            server = serve(store_dir, port, readers)
            shown = name if readers is None else f"{name} r={readers}"
            try:
                if not args.no_wait_validation:
                    # The server validates the whole store in the background when it starts
                    # on a state nobody validated (BACKGROUND_VALIDATION); measure the pages
                    # once that is done, as of a server that has been up for a while.
                    while not report.is_file() and time.perf_counter() - started < 600:
                        time.sleep(0.5)
                    waited = time.perf_counter() - started
                    if kept_before:
                        said = "kept from before"
                    elif report.is_file():
                        said = f"made by the server in the background, ready {waited:.1f} s after it started"
                    else:
                        said = "not ready after 600 s"
                    print(f"# {shown}: whole validation {said}", flush=True)
                for label, iris in sets:
                    paths = args.workdir / f"paths-{label.split()[0]}.txt"
                    paths.write_text("".join(path_of(i) + "\n" for i in iris), encoding="utf-8")
                    for connections in args.connections:
                        r = wrk(port, paths, connections, args.duration)
                        print(f"{shown:<20} {label:<28} {connections:>5} {r['rate']:>9.0f} {r['p50']:>8.1f} "
                              f"{r['p99']:>8.1f} {int(r['errors']):>7} {int(r['pending']):>8} {r['load']:>6.2f}",
                              flush=True)
            finally:
                server.terminate()
                server.wait(timeout=60)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--big-org-awards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "web")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-sample", action="store_true", help="with --http: the synthetic store only")
    parser.add_argument("--http", action="store_true", help="pages/s over HTTP with wrk")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each wrk run")
    parser.add_argument("--no-wait-validation", action="store_true",
                        help="with --http: measure at once, while the server may still be validating the "
                             "store in the background")
    parser.add_argument("--readers", default=None, type=lambda text: [int(x) for x in text.split(",")],
                        help="with --http: page reader processes of the server (PAGE_READERS); several, "
                             "comma-separated, to compare them in one run (default: the setting)")
    parser.add_argument("--connections", default="8,64",
                        type=lambda text: [int(x) for x in text.split(",")])
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.http:
        return http_bench(args)
    rows = bench_store("sample", args.workdir / "store-sample", [], None, args.runs)
    if not args.skip_synthetic:
        data, big_org = synthetic_file(args.workdir, args.triples, args.big_org_awards)
        extra = [LoadInput(data, "synthetic", loaders.get("ntriples"))]
        rows += bench_store(f"synthetic {args.triples}", args.workdir / "store-synthetic", extra,
                            big_org, args.runs)
    print(f"{'data':<20} {'page':<30} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'n':>4} {'load':>5}")
    for name, label, first, p50, p95, n, loadavg in rows:
        print(f"{name:<20} {label:<30} {first:9.1f} {p50:8.1f} {p95:8.1f} {n:4d} {loadavg:5.2f}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
