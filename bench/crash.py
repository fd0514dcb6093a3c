#!/usr/bin/env python3
"""Killed loads: what the next open of the store costs, and whether the data is intact.

    python bench/crash.py [--triples 1500000] [--kills 20] [--pairs 1] [--seed 1]

1. A store gets the ontology and sample data (`qagraph init`); the digest of what queries
   can see (every committed source graph, sorted) is taken.
2. A calibration run times `qagraph load --no-validate` of a generated N-Triples file of
   `--triples` triples into a copy of that store.
3. `--kills` times, `qagraph load FILE` (with validation, so that after the bulk load the
   staged graph waits, pending, while SHACL runs) is killed with SIGKILL at a random
   moment between 0.5 s and 1.3 times the calibrated load plus 5 s: before the parse,
   during the bulk load (which leaves `bulk-*.sst` files), or after it (which leaves a
   pending graph of all the triples). Then the store is opened in a child process, which
   cleans up. For each kill the table shows when it came, what the open found (pending
   triples, leftover files), the open's wall time and the child's peak RSS, the store
   folder's size before and after the open, and whether the visible data still has the
   digest of step 1, with no pending or orphaned graph and no leftover file.
4. `--pairs` times, a store holding one pending graph of all the triples is opened twice,
   interleaved: once by qagraph (the graph is dropped in bounded batches) and once by the
   old way (pyoxigraph's `remove_graph`, one transaction of the whole graph).

Everything runs in child processes (peak RSS from wait4) under bench/out/crash/; the load
average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "crash"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mib(count: float) -> str:
    return f"{count / 2**20:,.0f}"


def run_child(args: list[str], kill_after: float | None = None) -> tuple[int, str, float, float]:
    """Run `python args` (killed with SIGKILL after `kill_after` seconds, if given) and
    return (exit status, stdout, wall seconds, the child's own peak RSS in MiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if kill_after is not None and time.perf_counter() - started >= kill_after:
            proc.send_signal(signal.SIGKILL)
            _pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out, seconds, usage.ru_maxrss / 1024


def qagraph(store: Path, *args: str) -> list[str]:
    return ["-m", "graph_app.cli", "--lang", "en", "--store", str(store), *args]


# -- child processes -------------------------------------------------------------------------


def child_open(store: Path) -> dict[str, Any]:
    """Open the store read-write (which cleans up), then describe what queries see."""
    sys.path.insert(0, str(ROOT))
    import hashlib

    from graph_app.core.namespaces import META_GRAPH
    from graph_app.core.store import OxigraphStore

    started = time.perf_counter()
    s = OxigraphStore(store)
    opened = time.perf_counter() - started
    recovery = s.last_recovery
    digest = hashlib.sha256()
    current = s.current_graphs()
    for name in sorted(current):
        digest.update(name.encode())
        for line in sorted(str(q) for q in s.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": current[name]})):
            digest.update(line.encode())
    stray = s.graph_names() - {g.value for g in current.values()} - {META_GRAPH}
    pending = s.has_pending()
    s.close()
    leftovers = [p.name for p in store.iterdir() if p.name.startswith(("bulk-", "LOG.old"))]
    return {"open_s": opened, "digest": digest.hexdigest(), "sources": len(current),
            "stray_graphs": len(stray), "pending": pending, "leftovers": len(leftovers),
            "dropped_triples": recovery.triples, "dropped_graphs": recovery.graphs,
            "removed_files": recovery.files, "removed_bytes": recovery.bytes}


def child_old_open(store: Path) -> dict[str, Any]:
    """The old way: every pending or orphaned graph removed by one `remove_graph` each."""
    import pyoxigraph as ox

    started = time.perf_counter()
    db = ox.Store(str(store))
    meta = ox.NamedNode("https://w3id.org/qagraph/graph/meta")
    pending = [q.object for q in db.quads_for_pattern(
        meta, ox.NamedNode("https://w3id.org/qagraph/ontology#pendingGraph"), None, meta)]
    for graph in pending:
        if db.contains_named_graph(graph):
            db.remove_graph(graph)
    db.flush()
    return {"open_s": time.perf_counter() - started, "graphs": len(pending)}


def child_pending(store: Path) -> dict[str, Any]:
    """How many quads the pending graphs of a store hold (read-only, nothing cleaned)."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    meta = ox.NamedNode("https://w3id.org/qagraph/graph/meta")
    pending = [q.object for q in db.quads_for_pattern(
        meta, ox.NamedNode("https://w3id.org/qagraph/ontology#pendingGraph"), None, meta)]
    return {"pending_quads": sum(sum(1 for _ in db.quads_for_pattern(None, None, None, g)) for g in pending)}


# -- the benchmark ----------------------------------------------------------------------------


def open_store(store: Path) -> tuple[dict[str, Any], float, float]:
    code, out, seconds, peak = run_child([__file__, "--child", "open", str(store)])
    if code != 0:
        raise SystemExit(f"opening {store} failed with {code}")
    return json.loads(out), seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_500_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, store = args.child
        print(json.dumps({"open": child_open, "old-open": child_old_open,
                          "pending": child_pending}[what](Path(store))))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT.parent / f"synthetic-{args.triples}.nt"
    if not data.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--triples", str(args.triples),
                        "-o", str(data)], check=True, cwd=ROOT)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; "
          f"{data.name}: {mib(data.stat().st_size)} MiB")

    base = OUT / "base"
    shutil.rmtree(base, ignore_errors=True)
    subprocess.run([sys.executable, *qagraph(base, "init")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    reference, _s, _p = open_store(base)
    print(f"base store: {reference['sources']} sources, digest {reference['digest'][:12]}")

    scratch = OUT / "calibrate"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(base, scratch)
    code, _out, load_s, load_peak = run_child(qagraph(scratch, "load", "--no-validate", str(data)))
    shutil.rmtree(scratch)
    print(f"calibration: load --no-validate took {load_s:.1f} s, peak {load_peak:,.0f} MiB (exit {code})")

    rng = random.Random(args.seed)
    store = OUT / "store"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(base, store)
    print(f"\n{'kill':>4} {'at s':>6} {'pending':>9} {'files':>5} {'open s':>7} {'peak MiB':>8} "
          f"{'MiB before':>10} {'MiB after':>9}  consistent")
    opens, peaks, rows_ok = [], [], 0
    for number in range(1, args.kills + 1):
        at = rng.uniform(0.5, load_s * 1.3 + 5)
        run_child(qagraph(store, "load", str(data)), kill_after=at)
        before = folder_size(store)
        found, seconds, peak = open_store(store)
        after = folder_size(store)
        ok = (found["digest"] == reference["digest"] and not found["pending"]
              and found["stray_graphs"] == 0 and found["leftovers"] == 0)
        rows_ok += ok
        opens.append(found["open_s"])
        peaks.append(peak)
        print(f"{number:>4} {at:>6.1f} {found['dropped_triples']:>9,} {found['removed_files']:>5} "
              f"{found['open_s']:>7.2f} {peak:>8,.0f} {mib(before):>10} {mib(after):>9}  {'yes' if ok else 'NO'}")
    print(f"\n{rows_ok} of {args.kills} consistent; open: median {sorted(opens)[len(opens) // 2]:.2f} s, "
          f"max {max(opens):.2f} s; peak RSS max {max(peaks):,.0f} MiB; "
          f"load average {os.getloadavg()[0]:.2f}")

    if args.pairs:
        pending = OUT / "pending"
        for extra in range(10):  # a kill after the bulk load, during validation
            shutil.rmtree(pending, ignore_errors=True)
            shutil.copytree(base, pending)
            run_child(qagraph(pending, "load", str(data)), kill_after=load_s * 1.3 + 5 + 5 * extra)
            _c, out, _s, _p = run_child([__file__, "--child", "pending", str(pending)])
            quads = json.loads(out)["pending_quads"]
            if quads >= args.triples * 0.99:
                break
        print(f"\ndropping a pending graph of {quads:,} triples on open (interleaved):")
        for pair in range(1, args.pairs + 1):
            for way, child in (("qagraph (batches)", "open"), ("remove_graph (one transaction)", "old-open")):
                copy = OUT / "pair"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(pending, copy)
                _c, out, seconds, peak = run_child([__file__, "--child", child, str(copy)])
                opened = json.loads(out)["open_s"]
                print(f"  pair {pair} {way:<32} {opened:>8.1f} s   peak {peak:>7,.0f} MiB   "
                      f"load average {os.getloadavg()[0]:.2f}")
        shutil.rmtree(OUT / "pair", ignore_errors=True)
    return 0 if rows_ok == args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
