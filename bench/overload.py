#!/usr/bin/env python3
"""SPARQL load never takes the site down: `qagraph serve` (gunicorn, 8 threads, 3 query
workers) on the sample data, 64 connections of mixed traffic (entity pages, lists, the
home page, small SPARQL queries), first alone, then together with 5 runaway queries that
each run until the time limit, again and again.

    python bench/overload.py [--seconds 30] [--connections 64] [--runaways 5] [--timeout 30]
                             [--reserve 1 [0 ...]]

Each connection and each runaway client uses its own loopback source address
(127.0.1.x), as separate clients would. Prints, per phase and kind of request, the count,
p50, p99, the slowest, how many took over 1 s, and the statuses, with the load average
beside them. Target: entity pages under 1 s throughout, also with the runaways.

`--reserve 0 1` compares servers with those numbers of reserve query workers
(QUERY_RESERVE_WORKERS), one server and store each, their phases taken in turn: with no
reserve, runaways hold every worker and small SPARQL queries get 503; with one, they are
answered.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?o2 . ?c ?r ?o3 }"
SMALL = "PREFIX qa: <https://w3id.org/qagraph/ontology#> SELECT ?c WHERE { ?c a qa:Credential } LIMIT 5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, source: str, path: str, timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Accept": "text/html,application/sparql-results+json;q=0.9"})
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.monotonic() - started


def quote(text: str) -> str:
    from urllib.parse import quote as q

    return q(text, safe="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--runaways", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--reserve", type=int, nargs="+", default=[1],
                        help="numbers of reserve query workers to compare (one server each)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "overload")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    servers: list[subprocess.Popen[bytes]] = []
    ports: dict[int, int] = {}
    try:
        for reserve in args.reserve:
            store = args.workdir / f"store-reserve-{reserve}"
            env = {**os.environ, "QAGRAPH_QUERY_TIMEOUT": str(args.timeout), "QAGRAPH_LANG": "en",
                   "QAGRAPH_QUERY_RESERVE_WORKERS": str(reserve)}
            cli = [sys.executable, "-m", "graph_app.cli", "--store", str(store)]
            subprocess.run([*cli, "init"], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            ports[reserve] = free_port()
            servers.append(subprocess.Popen([*cli, "serve", "--port", str(ports[reserve])], env=env, cwd=ROOT,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        phases = {reserve: prepare(args, port) for reserve, port in ports.items()}
        for runaways in (0, args.runaways):
            for reserve, phase in phases.items():  # the servers in turn, each phase alone on the machine
                name = "mixed traffic alone" if runaways == 0 else "mixed traffic and runaway queries"
                phase(f"{name}, {reserve} reserve worker(s)", runaways)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(60)


def prepare(args: argparse.Namespace, port: int):  # type: ignore[no-untyped-def]
    """Wait for the server on `port`, warm it, and return its phase runner."""
    for _ in range(300):
        if get(port, "127.0.0.1", "/", 5)[0] == 200:
            break
        time.sleep(0.2)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/credentials.json")
    listed = json.loads(conn.getresponse().read())
    conn.close()
    rows = listed["items"]
    iris = [r["iri"] for r in rows if isinstance(r, dict) and "iri" in r][:40]
    entity_paths = ["/id/" + iri.split("/id/", 1)[1] for iri in iris] or ["/id/credential/heta-arbeten"]
    mix = [("entity", p) for p in entity_paths] * 5
    mix += [("list", "/credentials"), ("list", "/organisations"), ("home", "/")] * 3
    mix += [("sparql", "/sparql?query=" + quote(SMALL))] * 6
    # warm the pages and the workers
    for _kind, path in mix[:: max(1, len(mix) // 20)]:
        get(port, "127.0.0.1", path, 60)

    def phase(name: str, runaways: int) -> None:
        times: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, Counter[int]] = defaultdict(Counter)
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def client(i: int) -> None:
            source = f"127.0.1.{i % 200 + 1}"
            n = i
            while time.monotonic() < stop:
                kind, path = mix[n % len(mix)]
                n += 7
                status, elapsed = get(port, source, path, 60)
                with lock:
                    times[kind].append(elapsed)
                    statuses[kind][status] += 1

        def runaway(i: int) -> None:
            source = f"127.0.2.{i + 1}"
            while time.monotonic() < stop:
                status, elapsed = get(port, source, "/sparql?query=" + quote(RUNAWAY), args.timeout + 30)
                with lock:
                    times["runaway"].append(elapsed)
                    statuses["runaway"][status] += 1
                if status == 503 and elapsed < 1:
                    time.sleep(1)  # a refused client waits, as Retry-After asks

        load_before = os.getloadavg()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.connections)]
        threads += [threading.Thread(target=runaway, args=(i,)) for i in range(runaways)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_after = os.getloadavg()
        print(f"\n{name}: {args.connections} connections, {runaways} runaway clients, {args.seconds:g} s; "
              f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}")
        print(f"{'kind':<8} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'>1 s':>5}  statuses")
        for kind in ("entity", "list", "home", "sparql", "runaway"):
            found = sorted(times.get(kind, []))
            if not found:
                continue
            p99 = found[min(len(found) - 1, int(len(found) * 0.99))]
            slow = sum(1 for t in found if t > 1.0)
            print(f"{kind:<8} {len(found):>6} {statistics.median(found) * 1000:>8.0f} {p99 * 1000:>8.0f} "
                  f"{found[-1] * 1000:>8.0f} {slow:>5}  {dict(sorted(statuses[kind].items()))}")

    return phase


if __name__ == "__main__":
    main()
