#!/usr/bin/env python3
"""Load throughput and peak memory into the on-disk store.

    python bench/load.py [--triples 1000000] [--repeat 3] [--with-validation]
    python bench/load.py --change [--triples 1000000] [--repeat 20]

Generates (or reuses) bench/out/synthetic-N.nt with bench/generate.py, then measures, each
run in a fresh subprocess into a fresh on-disk store so that the peak resident set size
(getrusage ru_maxrss) is that one load's:

  raw        pyoxigraph Store(path).bulk_load(file), then flush: the baseline
  raw-graph  the same into a named graph (bulk_load(..., to_graph=...)), as qagraph
             stores each source: the baseline of the design
  qagraph    qagraph's load path without SHACL (core load(..., validate=False)): stage a
             pending graph, bulk-load into it, count it, commit the metadata, close
  validated  (--with-validation) the same with SHACL validation of the staged data

The table gives the median over the repeats. The time runs from opening the store to
closing it (imports and interpreter start are not in it; their memory is in the peak);
CPU s is the process's CPU time over the same span, all threads (bulk_load uses several),
which tells a slow run from a run that waited for a busy machine.
For the qagraph variant the time of each step of the load is shown too.

--change measures instead the validated load of a 20-triple change (a new award, a new
organisation that an issuer is now owned by and that now trains on a C1 route, an award
that breaks two shapes) into a store of --triples generated triples and the concept
schemes (built once in bench/out and reused): `load()` with validation, in one process,
the first run (which reads and compiles the shapes) apart from the warm ones; each run
is discarded before it commits, except the last, which is committed with its violations
and compared with a whole validation of the store before and after it (the results the
change introduces must be the same). The store is put back as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import synthetic_store  # bench/synthetic_store.py, beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
VARIANTS = ("raw", "raw-graph", "qagraph", "validated")


# -- the child: one measurement in a fresh process -------------------------------------


def _rss_now_kib() -> int:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(phases: dict[str, float], name: str, func):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def child_raw(data: Path, store_dir: Path, named: bool) -> dict[str, object]:
    import pyoxigraph as ox

    graph = ox.NamedNode("https://w3id.org/qagraph/graph/bench") if named else None
    start_rss, cpu = _rss_now_kib(), _cpu_seconds()
    start = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    store.flush()
    del store
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu,
            "start_rss_kib": start_rss, "phases": {}}


def child_qagraph(data: Path, store_dir: Path, validate: bool) -> dict[str, object]:
    import loaders
    from graph_app.core import loading
    from graph_app.core import store as store_module
    from graph_app.core.loading import LoadInput, load
    from graph_app.core.namespaces import DEFAULT_BASE
    from graph_app.core.store import OxigraphStore

    # Time the steps of the load without touching the core: wrap what it calls.
    phases: dict[str, float] = {}
    loading.sha256_of = _timed(phases, "sha256 of the file", store_module.sha256_of)
    cls = OxigraphStore
    for method, label in (
        ("stage", "stage (pending graph)"),
        ("bulk_write_staged", "bulk_load into the pending graph"),
        ("write_staged", "transactional write (small files)"),
        ("count_staged", "count the staged graph (COUNT query)"),
        ("commit", "commit (metadata update)"),
        ("close", "close (flush)"),
    ):
        setattr(cls, method, _timed(phases, label, getattr(cls, method)))
    if validate:
        loading.validate_staged = _timed(phases, "SHACL validation (incl. copy to rdflib)",
                                         loading.validate_staged)
    start_rss, cpu = _rss_now_kib(), _cpu_seconds()
    start = time.perf_counter()
    opened = time.perf_counter()
    store = OxigraphStore(store_dir)
    phases["open (with recovery)"] = time.perf_counter() - opened
    item = LoadInput(data, "synthetic", loaders.get("ntriples"))
    outcome = load(store, [item], base_iri=DEFAULT_BASE, validate=validate,
                   allow_violations=True, agent="bench")
    store.close()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "start_rss_kib": start_rss,
        "phases": phases,
        "loaded": outcome.staged[0].triples,
        "violations": len(outcome.report.violations),
    }


def run_child(args: argparse.Namespace) -> int:
    data, store_dir = Path(args.file), Path(args.store)
    if args.child in ("raw", "raw-graph"):
        result = child_raw(data, store_dir, named=args.child == "raw-graph")
    else:
        result = child_qagraph(data, store_dir, validate=args.child == "validated")
    result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))
    return 0


# -- the parent: data, subprocesses, table ----------------------------------------------


def data_file(triples: int) -> tuple[Path, int]:
    """The N-Triples file of about `triples` triples (made once), and its exact count."""
    path = OUT / f"synthetic-{triples}.nt"
    sidecar = path.with_name(path.name + ".violations.json")
    if not (path.is_file() and sidecar.is_file()):
        OUT.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.relative_to(ROOT)} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--triples", str(triples),
             "-o", str(path), "--seed", "1"],
            check=True,
        )
    return path, int(json.loads(sidecar.read_text(encoding="utf-8"))["triples"])


def measure(variant: str, data: Path) -> dict[str, object]:
    store_dir = Path(tempfile.mkdtemp(prefix=f"store-{variant}-", dir=OUT))
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", variant,
             "--file", str(data), "--store", str(store_dir)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )
    except subprocess.CalledProcessError as err:
        sys.stderr.write(err.stderr)
        raise
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- a small change into a big store --------------------------------------------------------


CHANGE_SOURCE = "bench-change"


def change_store(triples: int) -> Path:
    """An on-disk store of the synthetic data and the concept schemes (built once)."""
    folder = OUT / f"store-change-{triples}"
    if (folder / "READY").is_file():
        return folder
    data, _count = data_file(triples)
    shutil.rmtree(folder, ignore_errors=True)
    return synthetic_store.build(folder, data)


def change_file(store, target: Path) -> None:  # type: ignore[no-untyped-def]
    """Write 20 triples about nodes of the store: a new person and two awards (one with
    its expiry before its issue, one without a route on a credential at C1), a new
    organisation that owns an existing C1 issuer and now trains on its route."""
    qa, idn = "https://w3id.org/qagraph/ontology#", "https://w3id.org/qagraph/id/"
    rdf, rdfs, xsd = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
                      "http://www.w3.org/2001/XMLSchema#")
    row = next(iter(store.query(
        f"SELECT ?r ?c ?i WHERE {{ ?c <{qa}hasRoute> ?r . ?r <{qa}issuer> ?i ; "
        f"<{qa}assuranceLevel> <https://w3id.org/qagraph/vocab/level/C1> }} ORDER BY ?r LIMIT 1")))
    route, credential, issuer = row["r"], row["c"], row["i"]
    award1, award2 = f"<{idn}example/award/bench-1>", f"<{idn}example/award/bench-2>"
    person, org = f"<{idn}example/person/bench-1>", f"<{idn}organisation/bench-new>"

    def date(d: str) -> str:
        return f'"{d}"^^<{xsd}date>'

    lines = [
        f"{award1} <{rdf}type> <{qa}Award>", f"{award1} <{qa}awardee> {person}",
        f"{award1} <{qa}awardedCredential> {credential}", f"{award1} <{qa}viaRoute> {route}",
        f"{award1} <{qa}awardedBy> {issuer}", f"{award1} <{qa}issued> {date('2024-01-01')}",
        f"{award1} <{qa}expires> {date('2023-01-01')}",
        f"{award1} <{qa}identityVerification> <https://w3id.org/qagraph/vocab/identity/PhotoId>",
        f"{person} <{rdf}type> <{qa}Person>", f'{person} <{rdfs}label> "Bench Person"',
        f'{person} <{rdfs}comment> "Invented example person"@en',
        f"{org} <{rdf}type> <{qa}Organisation>", f'{org} <{rdfs}label> "Bench organisation"',
        f'{org} <{qa}country> "SE"', f"{issuer} <{qa}ownedBy> {org}", f"{route} <{qa}trainingProvider> {org}",
        f"{award2} <{rdf}type> <{qa}Award>", f"{award2} <{qa}awardee> {person}",
        f"{award2} <{qa}awardedCredential> {credential}", f"{award2} <{qa}issued> {date('2024-01-01')}",
    ]
    target.write_text("".join(line + " .\n" for line in lines), encoding="utf-8")


def bench_change(triples: int, repeat: int) -> int:
    import loaders
    from graph_app.core.loading import LoadInput, load
    from graph_app.core.namespaces import DEFAULT_BASE
    from graph_app.core.store import OxigraphStore
    from graph_app.core.validation import validate_store

    folder = change_store(triples)
    store = OxigraphStore(folder)
    change = OUT / "change-20.nt"
    change_file(store, change)
    item = LoadInput(change, CHANGE_SOURCE, loaders.get("ntriples"))
    timed: list[tuple[float, float]] = []
    original_commit = store.commit

    class Discarded(Exception):
        pass

    def no_commit(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise Discarded

    print(f"cores: {os.cpu_count()}; store: {folder.relative_to(ROOT)} "
          f"({store.triple_count():,} triples); change: 20 triples")
    outcome = None
    for run in range(repeat + 1):
        last = run == repeat
        store.commit = original_commit if last else no_commit  # type: ignore[method-assign]
        load_avg = os.getloadavg()[0]
        start, cpu = time.perf_counter(), _cpu_seconds()
        try:
            outcome = load(store, [item], base_iri=DEFAULT_BASE, allow_violations=True, agent="bench")
        except Discarded:
            pass
        timed.append((time.perf_counter() - start, _cpu_seconds() - cpu))
        print(f"  run {run + 1}: {timed[-1][0] * 1000:8.1f} ms wall, {timed[-1][1] * 1000:7.1f} ms CPU"
              f"{'  (first in the process: reads and compiles the shapes)' if run == 0 else ''}"
              f"{'  (committed)' if last else ''}  load average {load_avg:.2f}")
    warm = sorted(t for t in timed[1:])
    median = warm[len(warm) // 2]
    print(f"validated load of the 20-triple change: median {median[0] * 1000:.1f} ms wall, "
          f"{median[1] * 1000:.1f} ms CPU (warm); first {timed[0][0] * 1000:.1f} ms; "
          f"load average {os.getloadavg()[0]:.2f}")
    assert outcome is not None
    # The same results as a whole validation: what it reports after the change, less before.
    store.drop(CHANGE_SOURCE)
    before = validate_store(store)
    load(store, [item], base_iri=DEFAULT_BASE, allow_violations=True, agent="bench")
    after = validate_store(store)
    store.drop(CHANGE_SOURCE)
    store.close()
    seen = {r.key for r in before.results}
    expected = sorted(r.key for r in after.results if r.key not in seen)
    found = sorted(r.key for r in outcome.report.results)
    same = expected == found
    print(f"results of the load: {len(found)} ({len(outcome.report.violations)} violations); "
          f"a whole validation before and after: {len(expected)} new; "
          f"{'the same' if same else 'DIFFERENT'}")
    for key in found:
        print(f"  {key[1]} {key[0]}")
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure load throughput and peak memory.")
    parser.add_argument("--triples", type=int, default=1_000_000,
                        help="size of the synthetic file (default 1000000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per variant; the median is reported (default 3)")
    parser.add_argument("--with-validation", action="store_true",
                        help="also measure the full load with SHACL validation (slow)")
    parser.add_argument("--change", action="store_true",
                        help="measure the validated load of a 20-triple change into the store")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)
    if args.change:
        return bench_change(args.triples, args.repeat if args.repeat != 3 else 20)

    data, triples = data_file(args.triples)
    variants = ["raw", "raw-graph", "qagraph"] + (["validated"] if args.with_validation else [])
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    print(f"cores: {os.cpu_count()} (usable by this process: {usable})")
    print(f"data: {data.relative_to(ROOT)}, {triples} triples, "
          f"{data.stat().st_size / 2**20:.0f} MiB; repeat {args.repeat}, median shown")
    rows = []
    for variant in variants:
        runs = [measure(variant, data) for _ in range(args.repeat)]
        seconds = statistics.median(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
        peak = statistics.median(int(r["peak_rss_kib"]) for r in runs)  # type: ignore[call-overload]
        start = statistics.median(int(r["start_rss_kib"]) for r in runs)  # type: ignore[call-overload]
        cpu = statistics.median(float(r["cpu_seconds"]) for r in runs)  # type: ignore[arg-type]
        median_run = sorted(runs, key=lambda r: float(r["seconds"]))[len(runs) // 2]  # type: ignore[arg-type]
        rows.append((variant, seconds, cpu, peak, start, median_run,
                     [float(r["seconds"]) for r in runs]))  # type: ignore[arg-type]
        if "loaded" in median_run and median_run["loaded"] != triples:
            print(f"warning: {variant} loaded {median_run['loaded']} triples, expected {triples}")

    print()
    print(f"{'variant':<10} {'triples':>9} {'seconds':>8} {'triples/s':>10} "
          f"{'peak RSS MiB':>13} {'start RSS MiB':>14} {'CPU s':>7}  runs (s)")
    for variant, seconds, cpu, peak, start, _run, all_seconds in rows:
        print(f"{variant:<10} {triples:>9} {seconds:>8.2f} {triples / seconds:>10,.0f} "
              f"{peak / 1024:>13.0f} {start / 1024:>14.0f} {cpu:>7.2f}  "
              + " ".join(f"{s:.2f}" for s in all_seconds))
    for variant, _seconds, _cpu, _peak, _start, run, _all in rows:
        phases = run.get("phases") or {}
        if phases:
            print(f"\nsteps of {variant} (median run, seconds):")
            for name, spent in sorted(phases.items(), key=lambda kv: -kv[1]):  # type: ignore[union-attr]
                print(f"  {name:<42} {spent:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
