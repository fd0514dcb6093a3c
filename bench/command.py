#!/usr/bin/env python3
"""What a steward waits for: `qagraph load` of a small correction into a large store, as a
command, from start to exit (interpreter start, imports, opening the store, validation,
commit, and what the command builds for the pages afterwards).

    python bench/command.py --store bench/out/store-change-1000000 --file change.nt \\
        [--repeat 5] [--code OTHER_CHECKOUT ...]

Each run loads the file as a new version of the same source (two versions that differ in
one comment-free triple are taken in turn, so that every run commits a new state). With
`--code`, the same runs are made with each given checkout of qagraph too (put first on
PYTHONPATH), taking turns run by run, so that a noisy machine weighs on both alike. The
store's own copy is used: make one for the benchmark (`cp -a`), it is changed.

Prints, per code tree, the median and each run's wall time and the process's CPU time
(all threads, from getrusage of the child), with the load average at the start and end.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _versions(source: Path, folder: Path) -> list[Path]:
    """Two versions of `source` under the same file name (so the same source), the second
    with one extra triple."""
    text = source.read_text(encoding="utf-8")
    extra = ("<https://w3id.org/qagraph/id/example/bench-command> "
             "<http://www.w3.org/2000/01/rdf-schema#comment> \"second version\" .\n")
    made = []
    for i, body in enumerate((text, text + extra)):
        (folder / str(i)).mkdir()
        path = folder / str(i) / source.name
        path.write_text(body, encoding="utf-8")
        made.append(path)
    return made


def _run(code: Path, store: Path, file: Path) -> tuple[float, float, int]:
    env = dict(os.environ, PYTHONPATH=str(code))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "graph_app.cli", "--store", str(store), "load", str(file)],
                          env=env, cwd=code, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:  # a correction that breaks a shape is not committed: nothing to measure
        sys.exit(f"{code}: qagraph load failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, cpu, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="another checkout of qagraph to compare with (repeatable)")
    args = parser.parse_args()
    trees = [ROOT, *[c.resolve() for c in args.code]]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[Path, list[tuple[float, float]]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory() as tmp:
        versions = _versions(args.file, Path(tmp))
        turn = 0
        for _ in range(args.repeat):
            for tree in trees:
                wall, cpu, _code = _run(tree, args.store, versions[turn % 2])
                turn += 1
                times[tree].append((wall, cpu))
    print(f"load average at end:   {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'code':40} {'median wall s':>14} {'median CPU s':>13}  runs (wall s)")
    for tree, runs in times.items():
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        name = "this checkout" if tree == ROOT else str(tree)
        print(f"{name[-40:]:40} {statistics.median(walls):14.2f} {statistics.median(cpus):13.2f}  "
              + " ".join(f"{w:.2f}" for w in walls))


if __name__ == "__main__":
    main()
