"""Benchmark: reasoning over 100,000 synthetic mappings, and `satisfies` calls.

Builds a synthetic store: credentials in clusters of five (one per "country"), each with
a route at an assurance level; per cluster exact matches chaining four of them, a
broadMatch to a broader credential of the next cluster, a closeMatch, a Not mapping, and
now and then a level mismatch, a broad cycle or a contradicted Not so that every conflict
rule has work. Mappings are SSSOM records (owl:Axiom) written straight into the store.
Prints the figures; it asserts nothing.

    python bench/mappings.py [--mappings 100000] [--calls 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph_app.core import equivalence  # noqa: E402
from graph_app.core.namespaces import DEFAULT_BASE, LVL, OWL, QA, RDF, SEMAPV, SKOS, SSSOM, XSD  # noqa: E402
from graph_app.core.satisfaction import Checker  # noqa: E402
from graph_app.core.store import OxigraphStore  # noqa: E402

LEVELS = ["B", "C1", "C2", "D", "E", "F"]


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def synthetic(count: int, seed: int = 7) -> tuple[list[ox.Triple], list[str], list[str]]:
    rnd = random.Random(seed)
    triples: list[ox.Triple] = []
    a = n(RDF + "type")
    for rank, code in enumerate(LEVELS, start=1):
        triples.append(ox.Triple(n(LVL + code), n(QA + "rank"), ox.Literal(str(rank), datatype=n(XSD + "integer"))))
        triples.append(ox.Triple(n(LVL + code), n(SKOS + "notation"), ox.Literal(code)))
    mapping_no = 0
    set_iri = n(DEFAULT_BASE + "mappingset/bench")
    triples.append(ox.Triple(set_iri, a, n(SSSOM + "MappingSet")))

    def mapping(s: str, pred: str, o: str, negated: bool = False) -> None:
        nonlocal mapping_no
        mapping_no += 1
        rec = n(f"{DEFAULT_BASE}mapping/bench-{mapping_no}")
        triples.extend([
            ox.Triple(set_iri, n(SSSOM + "mappings"), rec),
            ox.Triple(rec, a, n(OWL + "Axiom")),
            ox.Triple(rec, n(OWL + "annotatedSource"), n(s)),
            ox.Triple(rec, n(OWL + "annotatedProperty"), n(SKOS + pred)),
            ox.Triple(rec, n(OWL + "annotatedTarget"), n(o)),
            ox.Triple(rec, n(SSSOM + "mapping_justification"), n(SEMAPV + "ManualMappingCuration")),
        ])
        if negated:
            triples.append(ox.Triple(rec, n(SSSOM + "predicate_modifier"), n(SSSOM + "NegatedPredicate")))
        else:
            triples.append(ox.Triple(n(s), n(SKOS + pred), n(o)))

    clusters = count // 8 + 1
    credentials: list[str] = []
    for c in range(clusters):
        members = [f"{DEFAULT_BASE}credential/bench-{c}-{k}" for k in range(5)]
        level = rnd.choice(LEVELS[:5])
        for k, cred in enumerate(members):
            route = f"{DEFAULT_BASE}route/bench-{c}-{k}"
            lv = level if rnd.random() > 0.002 else rnd.choice(LEVELS)
            triples += [ox.Triple(n(cred), a, n(QA + "Credential")),
                        ox.Triple(n(cred), n(QA + "hasRoute"), n(route)),
                        ox.Triple(n(route), n(QA + "assuranceLevel"), n(LVL + lv))]
        credentials += members
        if mapping_no >= count:
            continue
        for k in range(3):
            mapping(members[k], "exactMatch", members[k + 1])
        # a shallow hierarchy: cluster c's broad credential sits under its tens' hub, and
        # each tens' hub under its hundreds' hub; rarely a hub points back down (a cycle)
        hub = c - c % 10 if c % 10 else c - c % 100
        if hub != c:
            mapping(members[4], "broadMatch", f"{DEFAULT_BASE}credential/bench-{hub}-4")
        elif c % 100 == 0 and rnd.random() < 0.05:
            mapping(members[4], "broadMatch", f"{DEFAULT_BASE}credential/bench-{c + 1}-4")
        else:
            mapping(members[4], "broadMatch", f"{DEFAULT_BASE}credential/bench-{c}-top")
        mapping(members[0], "closeMatch", members[4])
        mapping(members[3], "narrowMatch", members[4])
        mapping(members[1], "relatedMatch", members[4])
        contradicted = rnd.random() < 0.001
        mapping(members[0], "exactMatch", members[3] if contradicted else members[4], negated=True)
    # requirements: one by credential, one by minimum level; recognitions on some credentials
    requirements = []
    for i in range(100):
        req = f"{DEFAULT_BASE}requirement/bench-{i}"
        requirements.append(req)
        triples.append(ox.Triple(n(req), a, n(QA + "Requirement")))
        if i % 2:
            triples.append(ox.Triple(n(req), n(QA + "requiresCredential"), n(rnd.choice(credentials))))
        else:
            triples.append(ox.Triple(n(req), n(QA + "requiresMinimumLevel"), n(LVL + rnd.choice(LEVELS))))
        rec = n(f"{DEFAULT_BASE}recognition/bench-{i}")
        triples += [ox.Triple(rec, a, n(QA + "Recognition")),
                    ox.Triple(rec, n(QA + "recognisedCredential"), n(rnd.choice(credentials))),
                    ox.Triple(rec, n(QA + "recognisedFor"), n(req)),
                    ox.Triple(rec, n(QA + "coversAwardsIssuedUntil"), ox.Literal("2023-06-30", datatype=n(XSD + "date")))]
    return triples, credentials, requirements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mappings", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()

    started = time.perf_counter()
    triples, credentials, requirements = synthetic(args.mappings)
    with tempfile.TemporaryDirectory() as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        staged = store.stage("bench-mappings", "synthetic", "")
        store.write_staged(staged, triples)
        store.commit([staged])
        store.flush()
        store.optimize()  # compact, as a store that has been serving a while would be
        print(f"store: {len(triples):,} triples, {len(credentials):,} credentials "
              f"(built in {time.perf_counter() - started:.1f} s)")

        t0 = time.perf_counter()
        equivalence.accepted_mappings(store)
        equivalence.credential_levels(store)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        mappings = equivalence.accepted_mappings(store)
        levels = equivalence.credential_levels(store)
        t1 = time.perf_counter()
        reasoning = equivalence.Reasoning.build(mappings, levels)
        t2 = time.perf_counter()
        implied = reasoning.implied_count()
        t3 = time.perf_counter()
        rules = {rule: sum(1 for c in reasoning.conflicts if c.rule == rule) for rule in ("level", "negation", "cycle")}
        print(f"mappings read: {len(mappings):,} ({len(levels):,} credentials with levels) "
              f"in {t1 - t0:.2f} s (SPARQL; first read {cold:.2f} s)")
        print(f"reasoning: {len(reasoning.components):,} components, {implied:,} implied mappings, "
              f"{len(reasoning.conflicts)} conflicts {rules}: {t2 - t1 + t3 - t2:.2f} s "
              f"(components and conflicts {t2 - t1:.2f} s, implied count {t3 - t2:.2f} s); "
              f"with reading {t3 - t0:.2f} s; target <= 2 s")

        checker = Checker(store, reasoning)
        rnd = random.Random(11)
        times = []
        satisfied = 0
        for _ in range(args.calls):
            cred, req = rnd.choice(credentials), rnd.choice(requirements)
            t = time.perf_counter()
            answer = checker.check(cred, req, on="2025-01-01", issued="2023-01-01")
            times.append(time.perf_counter() - t)
            satisfied += answer.satisfied
        cold = []
        for _ in range(args.calls):
            cred, req = rnd.choice(credentials), rnd.choice(requirements)
            t = time.perf_counter()
            Checker(store).check(cred, req, on="2025-01-01", issued="2023-01-01")
            cold.append(time.perf_counter() - t)
        cold.sort()
        print(f"satisfies, one question alone (reads only its credential's exact component): "
              f"mean {statistics.mean(cold) * 1000:.1f} ms, median {statistics.median(cold) * 1000:.1f} ms, "
              f"p95 {cold[int(len(cold) * 0.95) - 1] * 1000:.1f} ms; target <= 50 ms")
        times.sort()
        print(f"satisfies with shared reasoning: {args.calls} calls, {satisfied} yes; mean {statistics.mean(times) * 1000:.1f} ms, "
              f"median {statistics.median(times) * 1000:.1f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms; target <= 50 ms")
        store.close()


if __name__ == "__main__":
    main()
