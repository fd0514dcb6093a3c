"""Entry point of a query worker process (see sparql_pool; the worker closes its network
itself before it opens any store)."""

from __future__ import annotations

import multiprocessing.connection
import sys

from .sparql_pool import worker_main

if __name__ == "__main__":
    worker_main(multiprocessing.connection.Connection(int(sys.argv[1])),
                 sys.argv[2] if len(sys.argv) > 2 else "require",
                 int(sys.argv[3]) if len(sys.argv) > 3 else 5)
