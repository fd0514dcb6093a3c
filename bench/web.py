#!/usr/bin/env python3
"""Server time of the web pages: p50 and p95 per kind of page, on the sample data and on a
synthetic store from bench/generate.py (1M triples, one organisation with 10,000 awards).

    python bench/web.py [--triples 1000000] [--big-org-awards 10000] [--runs 60]
        [--workdir bench/out/web] [--skip-synthetic]

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--big-org-awards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "web")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
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
