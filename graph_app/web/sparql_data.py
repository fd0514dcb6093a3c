"""Dumps of the committed data (N-Quads and Turtle, and the ELM and CTDL forms; gzipped,
with SHA-256) at /dumps/ and the VoID description at /.well-known/void."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
)

from ..core.interchange import profiles as interchange
from ..core.namespaces import DCTERMS, VOID, XSD
from ..core.sparql import GRAPH_TYPES
from .store import get_store

bp = Blueprint("sparql_data", __name__)

DUMPS = {
    "qagraph.nq.gz": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "qagraph.ttl.gz": (ox.RdfFormat.TURTLE, "text/turtle"),
}
# The same data in the registers' models (docs/interchange.md), made with the others.
PROFILE_DUMPS = {f"qagraph-{token}.{ext}.gz": token for token, (_media, ext) in interchange.DUMPS.items()}
_lock = threading.Lock()
CACHE_KEY = "qagraph.dump_cache"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _fingerprint() -> str:
    graphs = sorted(g.value for g in get_store(current_app).current_graphs().values())
    return hashlib.sha256("\n".join(graphs).encode()).hexdigest()[:16]


def dump_dir() -> Path:
    """The folder of dumps for the current set of graphs; made when it is missing."""
    store = get_store(current_app)
    root = current_app.extensions.get(CACHE_KEY)
    if root is None:
        if store.path is not None:
            # Beside the store, so the dumps survive a restart (they are keyed by graphs).
            root = store.path.parent / f".{store.path.name}-dumps"
            root.mkdir(exist_ok=True)
        else:
            root = Path(tempfile.mkdtemp(prefix=".dumps-"))
        current_app.extensions[CACHE_KEY] = root
    key = _fingerprint()
    folder = root / key
    with _lock:
        if not folder.is_dir():
            for old in root.iterdir():
                if old.name != key:
                    shutil.rmtree(old, ignore_errors=True)
            tmp = root / f".{key}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            for name in [*DUMPS, *PROFILE_DUMPS]:
                with gzip.open(tmp / name, "wb") as out:
                    if name in PROFILE_DUMPS:
                        interchange.dump(store, PROFILE_DUMPS[name], out)  # type: ignore[arg-type]
                    else:
                        store.dump(out, DUMPS[name][0])  # type: ignore[arg-type]
                digest = hashlib.sha256((tmp / name).read_bytes()).hexdigest()
                (tmp / f"{name}.sha256").write_text(f"{digest}  {name}\n", encoding="utf-8")
            tmp.rename(folder)
    return folder


@bp.get("/dumps/")
def dumps_index() -> str:
    folder = dump_dir()
    files = []
    for name in [*DUMPS, *PROFILE_DUMPS]:
        files.append({
            "name": name,
            "size": (folder / name).stat().st_size,
            "sha256": (folder / f"{name}.sha256").read_text(encoding="utf-8").split()[0],
        })
    return render_template("sparql_dumps.html", files=files)


@bp.get("/dumps/<name>")
def dump_file(name: str) -> Response:
    base = name[: -len(".sha256")] if name.endswith(".sha256") else name
    if base not in DUMPS and base not in PROFILE_DUMPS:
        abort(404)
    folder = dump_dir()
    if name.endswith(".sha256"):
        return send_file(folder / name, mimetype="text/plain")
    return send_file(folder / name, mimetype="application/gzip", as_attachment=True, download_name=name)


def void_triples(root: str) -> list[ox.Triple]:
    """VoID: the endpoint, the dumps, counts, classes, example resources, linksets."""
    store = get_store(current_app)

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + "integer"))

    dataset = n(root + ".well-known/void#qagraph")
    out = [
        ox.Triple(dataset, RDF_TYPE, n(VOID + "Dataset")),
        ox.Triple(dataset, n(DCTERMS + "title"), ox.Literal("qagraph", language="en")),
        ox.Triple(dataset, n(VOID + "sparqlEndpoint"), n(root + "sparql")),
        ox.Triple(dataset, n(VOID + "triples"), integer(store.triple_count())),
    ]
    for name in DUMPS:
        out.append(ox.Triple(dataset, n(VOID + "dataDump"), n(root + "dumps/" + name)))
    classes = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?s) AS ?example) "
        "WHERE { ?s a ?c FILTER(isIRI(?s)) } GROUP BY ?c ORDER BY DESC(?n)"
    )
    assert isinstance(classes, ox.QuerySolutions)
    examples = 0
    for i, row in enumerate(classes):
        part = n(root + f".well-known/void#class-{i}")
        out += [
            ox.Triple(dataset, n(VOID + "classPartition"), part),
            ox.Triple(part, n(VOID + "class"), row["c"]),
            ox.Triple(part, n(VOID + "entities"), integer(int(row["n"].value))),
        ]
        if examples < 10 and row["example"] is not None and isinstance(row["example"], ox.NamedNode):
            out.append(ox.Triple(dataset, n(VOID + "exampleResource"), row["example"]))
            examples += 1
    mapping_sets = store.query(
        "SELECT DISTINCT ?set WHERE { { ?set a <https://w3id.org/sssom/MappingSet> } "
        "UNION { ?set a <http://rdfs.org/ns/void#Linkset> } }"
    )
    assert isinstance(mapping_sets, ox.QuerySolutions)
    for row in mapping_sets:
        linkset = row["set"]
        out += [
            ox.Triple(linkset, RDF_TYPE, n(VOID + "Linkset")),
            ox.Triple(dataset, n(VOID + "subset"), linkset),
        ]
    return out


@bp.get("/.well-known/void")
def void() -> Response:
    offered = list(GRAPH_TYPES)
    best = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes else None
    media = best or "text/turtle"
    body = ox.serialize(void_triples(request.url_root), format=GRAPH_TYPES[media],
                        prefixes={"void": VOID, "dcterms": DCTERMS} if media == "text/turtle" else None)
    response = Response(body or b"", mimetype=media)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
