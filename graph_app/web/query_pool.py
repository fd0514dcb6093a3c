"""The app's SPARQL query pool (core.sparql_pool): started on first use, closed when the
process exits; a query job is run in it and its rendered result wrapped as a response."""

from __future__ import annotations

import atexit
import threading

from flask import Flask, Response, current_app

from ..core.errors import QagraphError
from ..core.sparql_pool import Job, QueryPool
from .security import client_address
from .sparql_http import error
from .store import get_store

POOL_KEY = "qagraph.sparql_pool"
_pool_lock = threading.Lock()


def get_pool(app: Flask) -> QueryPool:
    """The app's query pool, started on first use."""
    pool = app.extensions.get(POOL_KEY)
    if pool is None:
        with _pool_lock:
            pool = app.extensions.get(POOL_KEY)
            if pool is None:
                pool = QueryPool(
                    get_store(app),
                    workers=int(app.config["QUERY_WORKERS"]),
                    timeout=float(app.config["QUERY_TIMEOUT"]),
                    client_limit=int(app.config["QUERY_CLIENT_LIMIT"]),
                    sandbox=str(app.config["QUERY_SANDBOX"]),
                    nice=int(app.config["QUERY_NICE"]),
                    reserve=int(app.config["QUERY_RESERVE_WORKERS"]),
                    reserve_timeout=float(app.config["QUERY_RESERVE_TIMEOUT"]),
                )
                app.extensions[POOL_KEY] = pool
                atexit.register(pool.close)
    assert isinstance(pool, QueryPool)
    return pool


def run(job: Job) -> Response:
    """Run a query job in the worker pool and wrap its rendered result, with the row
    count and the truncation flag as headers."""
    try:
        rendered = get_pool(current_app).run(job, client_address())
    except QagraphError as err:
        return error(err)
    response = Response(rendered.body, mimetype=rendered.media_type)
    response.headers["X-Result-Rows"] = str(rendered.rows)
    if rendered.truncated:
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-Row-Limit"] = str(job.row_limit)
    return response
