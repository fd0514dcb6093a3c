"""Every GET route, enumerated from the app's URL map, gets 200 malformed or hostile values
in each of its parameters (path and query). No answer may be a server error: a bad value
is a clear 400 or 404, or a page that says what is wrong."""

from __future__ import annotations

import multiprocessing
import random
from pathlib import Path
from urllib.parse import quote, urlencode

from graph_app import create_app
from graph_app.cli import bundled_inputs
from graph_app.core.loading import load
from graph_app.core.namespaces import DEFAULT_BASE

# The query parameters each GET endpoint reads (besides `lang`, which every page reads).
# A new GET route must be listed here, so that it is attacked too.
PARAMS: dict[str, tuple[str, ...]] = {
    "check.page": ("credential", "requirement", "issued", "on"),
    "crosswalk.crosswalk": ("a", "b", "all"),
    "crosswalk.crosswalk_csv": ("a", "b", "all"),
    "crosswalk.crosswalk_json": ("a", "b", "all"),
    "entity.page": ("in", "offset"),
    "entity.resource": ("iri", "format", "in", "offset"),
    "graphview.data": ("iri", "relation"),
    "graphview.view": ("iri", "relation"),
    "home.favicon": (),
    "home.index": (),
    "home.index_json": (),
    "levels.data": (),
    "levels.overview": (),
    "mappings.api_satisfies": ("credential", "requirement", "on", "issued"),
    "mappings.credential_page": (),
    "mappings.login": ("next",),
    "mappings.mapping_json": (),
    "mappings.mapping_list": (),
    "mappings.mapping_list_json": (),
    "mappings.mapping_page": (),
    "mappings.propose": ("subject",),
    "mappings.requirement_page": ("credential", "on", "issued"),
    "search.data": ("q", "kind", "limit"),
    "search.labels": ("iri",),
    "search.page": ("q", "kind"),
    "sparql.endpoint": ("query", "format", "example", "default-graph-uri", "named-graph-uri"),
    "sparql.example_api": ("organisation", "requirement", "start", "today"),
    "sparql.example_page": (),
    "sparql.examples_index": (),
    "sparql.graph_store": ("graph", "default"),
    "sparql.guide": (),
    "sparql_data.dump_file": (),
    "sparql_data.dumps_index": (),
    "sparql_data.void": (),
    "static": (),
    "vendor.asset": (),
}
LIST_PARAMS = ("type", "level", "country", "sector", "issuer", "standard", "sort", "page", "per_page", "facet_size")
# a valid value for the other path arguments while one is attacked
PATH_DEFAULTS = {"name": "credentials-of-organisation", "ext": "json", "slug": "x", "tail": "varmt-arbejde",
                 "path": "standard/dbi-vejledning-10", "filename": "qagraph.css"}
# a small part of the sample data keeps 80,000 requests quick: the ontology, the schemes,
# the hot-work slice with its organisations, recognitions, requirements and mappings
SOURCES = ("ontology", "scheme", "hot-work", "organisations", "recognitions", "requirements",
           "mappings-nordic-hot-work")

BASE_VALUES = [
    "", " ", "0", "-1", "1e309", "NaN", "inf", "99999999999999999999999999", "-99999999999", "3.5",
    "2024-13-45", "2024-02-30", "0000-00-00", "9999-12-31T25:61", "30/06/2023", "yesterday", "null",
    "true", "[]", "{}", "'", '"', "\\", "<", ">", "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "' OR '1'='1", "'; DROP TABLE x; --",
    "} } SELECT * WHERE { ?s ?p ?o", "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }",
    "ASK {", "DESCRIBE <", "<http://evil.example/>", "http://", "https://", DEFAULT_BASE,
    DEFAULT_BASE + "credential/varmt-arbejde> <x", DEFAULT_BASE + "credential/varmt arbejde",
    "id:", "id:credential/", "credential/", "../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%00", "\x00",
    "\x01\x02\x7f", "\r\nSet-Cookie: x=1", "\u202e", "😀" * 10, "ä" * 3000, "a" * 20000, "%", "%%",
    "%zz", "{{7*7}}", "${7*7}", "#", "?", "&", "=", "/", "//", "\t", "\n", "sv", "en", "xx", "C1",
    "https://w3id.org/qagraph/vocab/level/Z", "DK", "ZZ", "-", "..", ".", "*", "heta", "varmt arbejde",
    "Varmt arbejde", "label", "-label", "country", "level", "json", "csv", "ttl", "html", "text/html",
    "application/sparql-results+json", "urn:x", "mailto:a@b", "file:///etc/passwd", "_:b0", "\"x\"@sv",
    "https://w3id.org/qagraph/ontology#Credential", "https://w3id.org/qagraph/id/organisation/dbi",
]


def hostile_values(n: int = 200) -> list[str]:
    """`n` distinct values: the hand-made ones above, then mutations of them."""
    rng = random.Random(20261130)
    values = list(dict.fromkeys(BASE_VALUES))
    pieces = ["<", ">", "\x00", "'", '"', "%", "\\", "{", "}", " ", "é", "😀", "\r\n", "../", "?", "#"]
    while len(values) < n:
        mutated = _mutate(rng.choice(BASE_VALUES)[:200], rng, pieces)
        if mutated not in values:
            values.append(mutated)
    return values[:n]


def _mutate(v: str, rng: random.Random, pieces: list[str]) -> str:
    kind = rng.randint(0, 4)
    if kind == 0:
        return v + rng.choice(pieces)
    if kind == 1:
        return rng.choice(pieces) + v
    if kind == 2:
        return v * rng.randint(2, 5)
    if kind == 3:
        return v.upper() + str(rng.randint(-9, 99))
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))


VALUES = hostile_values()


WORKERS = 2  # the requests are split over two processes, each with an app and a store of its own


def make_app(folder: Path):  # type: ignore[no-untyped-def]
    app = create_app({"STORE": str(folder / "store"), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 5.0,
                      "VALIDATION_WAIT": 0.0})
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failure is a 500 to count, not an abort
    inputs = [i for i in bundled_inputs() if i.source.startswith(SOURCES)]
    load(app.extensions["qagraph.store"], inputs, base_iri=DEFAULT_BASE, validate=False)
    return app


def close_app(app) -> None:  # type: ignore[no-untyped-def]
    pool = app.extensions.get("qagraph.sparql_pool")
    if pool is not None:
        pool.close()
    app.extensions["qagraph.store"].close()


def jobs(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(endpoint, where, name) for every parameter of every GET route."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        params = PARAMS.get(rule.endpoint, LIST_PARAMS if rule.endpoint.startswith("lists.") else ())
        out += [(rule.endpoint, "query", p) for p in ("lang", *params)]
        out += [(rule.endpoint, "path", a) for a in sorted(rule.arguments)]
    return sorted(out)


def attack(args: tuple[str, int, int]) -> tuple[int, list[tuple[str, str, str, int]]]:
    """Send every value to this worker's share of the parameters; (requests, failures)."""
    folder, worker, workers = args
    app = make_app(Path(folder) / f"worker-{worker}")
    client = app.test_client()
    rules = {r.endpoint: r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    failures: list[tuple[str, str, str, int]] = []
    sent = 0
    try:
        for endpoint, where, name in jobs(app)[worker::workers]:
            rule = rules[endpoint]
            defaults = {a: PATH_DEFAULTS[a] for a in rule.arguments}
            base = _build(rule, defaults)
            for value in VALUES:
                url = base + "?" + urlencode({name: value}) if where == "query" else _build(rule, {**defaults, name: value})
                response = client.get(url)
                sent += 1
                if response.status_code >= 500:
                    failures.append((endpoint, name, value[:80], response.status_code))
    finally:
        close_app(app)
    return sent, failures


def test_every_get_route_has_its_parameters_listed(tmp_path):
    app = create_app({"STORE": str(tmp_path / "store")})
    try:
        endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
        unlisted = {e for e in endpoints if e not in PARAMS and not e.startswith("lists.")}
        assert not unlisted, f"GET routes without a parameter list: {sorted(unlisted)}"
        assert len(jobs(app)) > 150
    finally:
        close_app(app)


def test_two_hundred_hostile_values_in_every_parameter_of_every_get_route(tmp_path):
    assert len(VALUES) == 200 and len(set(VALUES)) == 200
    context = multiprocessing.get_context("spawn")  # never fork a process with an open store
    with context.Pool(WORKERS) as pool:
        results = pool.map(attack, [(str(tmp_path), w, WORKERS) for w in range(WORKERS)])
    sent = sum(n for n, _f in results)
    failures = [f for _n, fs in results for f in fs]
    assert sent > 30_000
    assert not failures, failures[:20]


def _build(rule, values: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    """The rule's path with `values` put in, each percent-encoded (a path argument may hold
    a slash)."""
    out = rule.rule
    for name, value in values.items():
        for conv in ("path:", "", "string:"):
            out = out.replace(f"<{conv}{name}>", quote(value, safe="/" if conv == "path:" else ""))
    return out
