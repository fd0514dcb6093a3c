"""The SPARQL pages: the Yasgui query editor, the guide, and the example research
queries, each as a page and as an API (JSON, CSV, the query text)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, render_template, request

from ..core import sparql_examples
from ..core.errors import QagraphError
from ..core.namespaces import PREFIXES, sparql_prologue
from ..core.sparql import Negotiated
from ..core.sparql_pool import Job, bindings_text
from .i18n import select_language as lang
from .query_pool import run
from .sparql_http import bp, error


def editor() -> str:
    """The Yasgui query editor, with our prefixes and an example loaded."""
    name = request.args.get("example")
    example = None
    if name:
        example = sparql_examples.get(name, lang())
        if example is None:
            abort(404)
    first = example or sparql_examples.all_examples(lang())[0]
    return render_template(
        "sparql_editor.html",
        prefixes=PREFIXES,
        initial_query=first.text_with_prologue(),
        example=example,
        examples=sparql_examples.all_examples(lang()),
    )


@bp.get("/sparql/guide")
def guide() -> str:
    return render_template(
        "sparql_guide.html",
        prefixes=PREFIXES,
        prologue=sparql_prologue(),
        examples=sparql_examples.all_examples(lang()),
    )


@bp.get("/queries/")
def examples_index() -> str:
    return render_template("sparql_examples.html", examples=sparql_examples.all_examples(lang()))


@bp.get("/queries/<name>")
def example_page(name: str) -> str:
    example = sparql_examples.get(name, lang())
    if example is None:
        abort(404)
    return render_template("sparql_example.html", example=example)


@bp.get("/queries/<name>.<ext>")
def example_api(name: str, ext: str) -> Response:
    example = sparql_examples.get(name, lang())
    if example is None or ext not in {"json", "csv", "rq"}:
        abort(404)
    if ext == "rq":
        return Response(example.text, mimetype="application/sparql-query")
    try:
        bindings = example.bind(request.args)
    except QagraphError as err:
        return error(err)
    media = "application/sparql-results+json" if ext == "json" else "text/csv"
    return run_fixed(example.text, bindings, media)


def run_fixed(text: str, bindings: dict[str, Any], media: str) -> Response:
    job = Job(
        query=text,
        base_iri=None,
        default_graphs=None,
        named_graphs=None,
        bindings=bindings_text(bindings),
        chosen=Negotiated(media, None, "text/turtle"),
        row_limit=int(current_app.config["ROW_LIMIT"]),
        trusted=True,
    )
    return run(job)
