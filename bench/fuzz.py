#!/usr/bin/env python3
"""Fuzz every loader with mutated valid files and count broken invariants.

    python bench/fuzz.py [--inputs 1000] [--kinds turtle,ntriples,jsonld,csv,xlsx,sssom,rdfxml] [--seed 1]

The same mutations and checks as tests/test_fuzz_loaders.py (see tests/fuzzing.py): byte
flips, truncation, deleted and duplicated lines, other encodings, huge cells, deep nesting,
control characters, wrong headers, and for workbooks the same inside one part of the zip
package or on the package itself. Each input is loaded with `qagraph load --no-validate`
in a worker process that is restarted after a crash. Per loader the table shows how many
inputs were committed and refused, and the counts that must all be 0: crashes (a signal,
an exit code other than 0, 1 or 2, or no answer within two minutes), tracebacks, partial
writes (the store changed although the load did not commit), silent drops (a committed
load that lacks a row or a value of the input) and messages without a place (a refusal
that does not name the file). A few examples of each broken input are printed after it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=1000, help="inputs per loader")
    parser.add_argument("--kinds", default="turtle,ntriples,jsonld,csv,xlsx,sssom,rdfxml")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.fuzzing import SEEDS, Counts, Worker, mutate

    kinds = args.kinds.split(",")
    print(f"{args.inputs} inputs per loader, seed {args.seed}; load average {os.getloadavg()[0]:.2f}")
    header = (f"{'loader':<9} {'inputs':>6} {'committed':>9} {'refused':>7} {'crashes':>7} {'tracebacks':>10} "
              f"{'partial':>7} {'silent drops':>12} {'no place':>8} {'seconds':>7}")
    print(header)
    totals = Counts()
    broken: list[str] = []
    with tempfile.TemporaryDirectory(prefix="qagraph-fuzz-") as tmp:
        worker = Worker(Path(tmp))
        try:
            for kind in kinds:
                seed = SEEDS[kind]()
                counts = Counts()
                started = time.perf_counter()
                for number in range(args.inputs):
                    rng = random.Random(f"{args.seed}-{kind}-{number}")
                    outcome = worker.run(kind, mutate(kind, rng, seed))
                    counts.add(outcome, f"{kind} #{number}")
                    totals.add(outcome, f"{kind} #{number}")
                seconds = time.perf_counter() - started
                print(f"{kind:<9} {counts.inputs:>6} {counts.committed:>9} {counts.refused:>7} {counts.crashes:>7} "
                      f"{counts.tracebacks:>10} {counts.partial_writes:>7} {counts.silent_drops:>12} "
                      f"{counts.unplaced:>8} {seconds:>7.0f}", flush=True)
                broken.extend(counts.examples)
        finally:
            worker.close()
    print(f"{'all':<9} {totals.inputs:>6} {totals.committed:>9} {totals.refused:>7} {totals.crashes:>7} "
          f"{totals.tracebacks:>10} {totals.partial_writes:>7} {totals.silent_drops:>12} {totals.unplaced:>8}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    for example in broken:
        print("\n" + example)
    bad = totals.crashes + totals.tracebacks + totals.partial_writes + totals.silent_drops + totals.unplaced
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
