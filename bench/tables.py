#!/usr/bin/env python3
"""Load time and peak memory of a large workbook through the table loader.

    python bench/tables.py [--rows 100000] [--with-validation]

Writes (or reuses) bench/out/tables-N.xlsx: organisations, credentials, routes, persons
and awards that refer to each other by id (2 % each of the first three, the rest persons
and awards). Each measurement runs in a fresh subprocess into a fresh on-disk store, so
the peak resident set size (getrusage ru_maxrss) is that one load's:

  read       parse the workbook (openpyxl read-only mode) and build the list of triples
  qagraph    qagraph's load path without SHACL: read, stage, write, commit
  validated  (--with-validation) the same with SHACL validation of the staged data
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"


def generate(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    from loaders.tables.spec import SHEETS_BY_NAME

    small = max(1, rows // 50)
    people = (rows - 3 * small) // 2
    awards = rows - 3 * small - people
    book = Workbook(write_only=True)

    def sheet(name: str, header: list[str], body: object) -> None:
        ws = book.create_sheet(name)
        assert [c for c in header if c not in {c.name for c in SHEETS_BY_NAME[name].columns}] == []
        ws.append(header)
        for row in body:  # type: ignore[attr-defined]
            ws.append(row)

    sheet("organisations", ["id", "label_sv", "label_en", "country", "sector", "source"],
          ([f"org-{i}", f"Organisation {i}", f"Organisation {i} (en)", "SE", "Welding",
            f"https://example.org/org/{i}"] for i in range(small)))
    sheet("credentials", ["id", "label_sv", "validity_period", "regulated", "regulated_by"],
          ([f"cred-{i}", f"Merit {i}", "P5Y", "nej", f"org-{i}"] for i in range(small)))
    sheet("routes", ["id", "label_sv", "credential", "assurance_level", "issuer", "training_provider",
                     "examines_learning_outcomes", "attendance_control"],
          ([f"route-{i}", f"Väg {i}", f"cred-{i}", "E", f"org-{i}", f"org-{(i + 1) % small}", "true", "true"]
           for i in range(small)))
    sheet("persons", ["id", "label_sv", "country"],
          ([f"person-{i}", f"Person {i}", "SE"] for i in range(people)))
    sheet("awards", ["id", "awardee", "credential", "route", "issued", "expires", "identity_verification"],
          ([f"award-{i}", f"person-{i % people}", f"cred-{i % small}", f"route-{i % small}",
            f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}", f"20{30 + i % 15}-0{1 + i % 9}-1{i % 10}", "PhotoId"]
           for i in range(awards)))
    book.save(path)


def measure(variant: str, path: Path) -> dict[str, float]:
    """Run in a child process: one load, its time and the process's peak memory."""
    from graph_app.core.namespaces import DEFAULT_BASE

    started = time.perf_counter()
    triples = 0
    if variant == "read":
        from loaders.tables import read_triples

        triples = len(read_triples(path, DEFAULT_BASE))
    else:
        import loaders
        from graph_app.core.loading import LoadInput, load
        from graph_app.core.store import OxigraphStore

        with tempfile.TemporaryDirectory() as tmp:
            store = OxigraphStore(Path(tmp) / "store")
            outcome = load(store, [LoadInput(path, "tables", loaders.for_path(path))],
                           base_iri=DEFAULT_BASE, validate=variant == "validated", allow_violations=True)
            triples = sum(s.triples for s in outcome.staged)
            store.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {"seconds": seconds, "peak_mib": peak, "triples": triples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--with-validation", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]))))
        return 0
    OUT.mkdir(exist_ok=True)
    path = OUT / f"tables-{args.rows}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"wrote {path.name} ({args.rows} rows, {path.stat().st_size / 2**20:.1f} MiB) "
              f"in {time.perf_counter() - started:.1f} s")
    variants = ["read", "qagraph"] + (["validated"] if args.with_validation else [])
    print(f"{'variant':<10} {'rows':>8} {'triples':>9} {'seconds':>8} {'rows/s':>8} {'peak MiB':>9}")
    for variant in variants:
        out = subprocess.run([sys.executable, __file__, "--child", variant, str(path)],
                             check=True, capture_output=True, text=True, cwd=ROOT)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{variant:<10} {args.rows:>8} {int(result['triples']):>9} {result['seconds']:>8.1f} "
              f"{args.rows / result['seconds']:>8.0f} {result['peak_mib']:>9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
