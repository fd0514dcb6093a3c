#!/usr/bin/env python3
"""Whole-store validation: SHACL compiled to SPARQL against pySHACL.

    python bench/validate.py [--sizes 20000,100000] [--alone 1000000,10000000]
        [--threads 2] [--no-pyshacl]

For each size in --sizes, a store of that many generated triples (with 1 % known
violations, bench/generate.py) and the concept schemes is built once in bench/out; then,
in one run, taking turns, the compiled validator (`qagraph validate`: the queries in the
store) and pySHACL (the store copied into rdflib, then pySHACL, as validation ran before)
validate it; each run is a fresh child process, so that its peak resident memory
(getrusage ru_maxrss) is that validation's. Both reports are compared result for result
(they must be the same) and with the generator's list of known violations. For each size in
--alone the compiled validator runs alone (pySHACL would take hours). The load average is
printed beside every figure: the machine is shared.

Targets (2 cores): at most 10 s at 1M triples and 100 s at 10M; at most 2 GiB of memory;
at least 50 times faster than pySHACL at 100k.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import synthetic_store  # bench/synthetic_store.py, beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- children --------------------------------------------------------------------------------


def child(kind: str, store_dir: Path, threads: int, report: Path) -> dict[str, object]:
    from graph_app.core.store import OxigraphStore

    start, cpu = time.perf_counter(), _cpu()
    store = OxigraphStore(store_dir)
    if kind == "compiled":
        from graph_app.core.validation import validate_store

        result = validate_store(store, threads=threads)
    else:
        from graph_app.core.shacl.fallback import graph_of
        from graph_app.core.validation import pyshacl_graph

        copy = graph_of(store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                                    f"FILTER(?g != <{store.meta_graph}>) }}"))  # type: ignore[arg-type]
        result = pyshacl_graph(copy)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    store.close()
    report.write_text(json.dumps([list(r.comparable) for r in result.results]), encoding="utf-8")
    return {"seconds": seconds, "cpu": cpu, "results": len(result.results),
            "violations": [[r.focus, r.shape] for r in result.violations],
            "methods": sorted(set(result.methods.values())),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(kind: str, store_dir: Path, threads: int) -> tuple[dict[str, object], Counter[tuple[str, ...]]]:
    report = OUT / f"report-{kind}-{store_dir.name}.json"
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind,
                           "--store", str(store_dir), "--threads", str(threads), "--report", str(report)],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load"] = (load + os.getloadavg()[0]) / 2
    results = Counter(tuple(r) for r in json.loads(report.read_text(encoding="utf-8")))
    return figures, results


# -- stores -------------------------------------------------------------------------------------


def store_of(triples: int) -> tuple[Path, list[list[str]]]:
    """A store of `triples` generated triples with 1 % known violations and the concept
    schemes (built once), and the known violations."""
    data = OUT / f"validate-{triples}.nt"
    sidecar = data.with_name(data.name + ".violations.json")
    folder = OUT / f"store-validate-{triples}"
    if not sidecar.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--triples", str(triples),
                        "--violations", "0.01", "-o", str(data), "--seed", "1"], check=True)
    known = [[v["focus"], v["shape"]] for v in json.loads(sidecar.read_text(encoding="utf-8"))["violations"]]
    synthetic_store.build(folder, data)
    return folder, known


def row(kind: str, triples: int, f: dict[str, object]) -> str:
    return (f"{kind:<9} {triples:>11,} {float(f['seconds']):>9.2f} {float(f['cpu']):>9.2f} "  # type: ignore[arg-type]
            f"{float(f['peak_mib']):>9.0f} {int(f['results']):>8} {float(f['load']):>6.2f}")  # type: ignore[call-overload, arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compiled SHACL against pySHACL, time and memory.")
    parser.add_argument("--sizes", default="20000,100000", help="sizes validated both ways")
    parser.add_argument("--alone", default="1000000", help="sizes validated by the compiler only")
    parser.add_argument("--threads", type=int, default=2, help="query threads of the compiled validator")
    parser.add_argument("--runs", type=int, default=1, help="runs of each, taking turns (median)")
    parser.add_argument("--no-pyshacl", action="store_true", help="skip pySHACL")
    parser.add_argument("--child", choices=["compiled", "pyshacl"], help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, Path(args.store), args.threads, Path(args.report))))
        return 0

    sizes = [int(x) for x in args.sizes.split(",") if x]
    alone = [int(x) for x in args.alone.split(",") if x]
    print(f"cores: {os.cpu_count()}; compiled validator with {args.threads} query threads")
    print(f"{'validator':<9} {'triples':>11} {'seconds':>9} {'CPU s':>9} {'peak MiB':>9} "
          f"{'results':>8} {'load':>6}")
    failed = False
    for triples in sizes + alone:
        folder, known = store_of(triples)
        both = triples in sizes and not args.no_pyshacl
        runs: dict[str, list[dict[str, object]]] = {"compiled": [], "pyshacl": []}
        reports: dict[str, Counter[tuple[str, ...]]] = {}
        for _ in range(args.runs):  # taking turns, so that both see the same machine
            for kind in ("compiled", "pyshacl") if both else ("compiled",):
                figures, reports[kind] = measure(kind, folder, args.threads)
                runs[kind].append(figures)
        for kind, figures_list in runs.items():
            if not figures_list:
                continue
            figures = sorted(figures_list, key=lambda f: float(f["seconds"]))[len(figures_list) // 2]  # type: ignore[arg-type]
            print(row(kind, triples, figures))
        compiled = runs["compiled"][0]
        found = {tuple(v) for v in compiled["violations"]}  # type: ignore[attr-defined]
        expected = {tuple(v) for v in known}
        print(f"  compiled: methods {compiled['methods']}; the generator's known violations "
              f"{'all found' if expected <= found else 'MISSING ' + str(sorted(expected - found)[:5])}"
              f" ({len(expected)} known, {len(found)} found)")
        failed |= not expected <= found
        if both:
            same = reports["compiled"] == reports["pyshacl"]
            speedup = float(runs["pyshacl"][0]["seconds"]) / float(compiled["seconds"])  # type: ignore[arg-type]
            print(f"  the same results as pySHACL: {'yes' if same else 'NO'}; "
                  f"{speedup:.0f}x faster (wall), "
                  f"{float(runs['pyshacl'][0]['cpu']) / float(compiled['cpu']):.0f}x less CPU")  # type: ignore[arg-type]
            if not same:
                diff = (reports["compiled"] - reports["pyshacl"]) + (reports["pyshacl"] - reports["compiled"])
                print("  differences:", sorted(diff)[:5])
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
