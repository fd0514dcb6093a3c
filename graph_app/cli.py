"""The `qagraph` command: a thin click layer over the core.

Exit codes: 0 ok, 1 violations found, 2 usage or input error (never a traceback for a
user's mistake), 3 and 4 for `satisfies` (unknown, yes on conditions), 70 an unexpected
error (a fault in qagraph; QAGRAPH_TRACEBACK=1 prints where), 74 a file-system error (disk
full, no permission), 130 interrupted, 141 the reader of the output went away.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
import pyoxigraph as ox

from .core import catalogue, names, resources, stats
from .core.errors import QagraphError
from .core.limits import format_size
from .core.loading import LoadInput, load, source_name_for
from .core.messages import message
from .core.namespaces import compact, sparql_prologue
from .core.settings import load_settings
from .core.store import Store
from .core.stores import open_configured
from .core.validation import Report, keep_report, validate_store, write_report

F = TypeVar("F", bound=Callable[..., Any])

RDF_OUTPUT = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _loaders() -> Any:
    """The loaders (imported by the commands that read files: their libraries, openpyxl
    among them, take half a second to import, which `qagraph validate` need not wait for)."""
    import loaders

    return loaders


class Context:
    """Settings and the lazily opened store of one command."""

    def __init__(self, lang: str | None, store_path: str | None) -> None:
        self.settings = load_settings({"LANG": lang, "STORE": store_path})
        self.lang: str = self.settings["LANG"]
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_configured(self.settings)
            recovered = getattr(self._store, "last_recovery", None)
            if recovered:  # an earlier load was killed: say what opening cleaned up
                click.echo(message("store_recovered", self.lang, triples=recovered.triples,
                                   graphs=recovered.graphs, files=recovered.files,
                                   size=format_size(recovered.bytes)), err=True)
            if self._store.path is not None:
                # The catalogue and the counts of a committed state are built in the command
                # that commits it and kept beside the store, so that no page request of a
                # server started later computes them (core/derived.py).
                catalogue.keep_up_to_date(self._store, background=False)
                stats.keep_up_to_date(self._store, background=False)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


# Exit codes beyond the errors' own (sysexits.h's EX_SOFTWARE and EX_IOERR; 128 + the signal).
EXIT_INTERNAL = 70
EXIT_IO_ERROR = 74
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

def _shortened(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit raises no second error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _fail(ctx: Context, err: QagraphError) -> None:
    click.echo(err.text(ctx.lang), err=True)
    for line in err.details(ctx.lang):
        click.echo(f"  {line}", err=True)
    ctx.close()
    sys.exit(err.exit_code)


def handles_errors(func: F) -> F:
    """Turn QagraphError into a message on stderr and its exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Context)
        assert ctx is not None
        try:
            return func(*args, **kwargs)
        except QagraphError as err:
            _fail(ctx, err)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(message("interrupted", ctx.lang), err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader of our output went away (`qagraph export | head`): stop quietly.
            _silence_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except OSError as err:
            click.echo(message("file_system_error", ctx.lang, path=err.filename or "qagraph",
                               detail=err.strerror or str(err)), err=True)
            sys.exit(EXIT_IO_ERROR)
        except Exception as err:  # noqa: BLE001 - the last line of defence: never a traceback
            click.echo(message("internal_error", ctx.lang, kind=type(err).__name__,
                               detail=_shortened(str(err))), err=True)
            if os.environ.get("QAGRAPH_TRACEBACK"):
                traceback.print_exc()
            sys.exit(EXIT_INTERNAL)
        finally:
            ctx.close()

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
              help="Language of messages (default: the LANG setting, sv).")
@click.option("--store", "store_path", type=click.Path(file_okay=False), default=None,
              help="Folder of the store (default: QAGRAPH_STORE or instance/store).")
@click.version_option(package_name="qagraph")
@click.pass_context
def main(click_ctx: click.Context, lang: str | None, store_path: str | None) -> None:
    """qagraph: a knowledge graph of quality-assured competence.

    \b
    Example:
      qagraph load data/hot-work.ttl && qagraph stats
    """
    try:
        click_ctx.obj = Context(lang, store_path)
    except QagraphError as err:
        click.echo(err.text(lang), err=True)
        sys.exit(err.exit_code)


pass_ctx = click.make_pass_decorator(Context)


def _print_report(ctx: Context, report: Report) -> None:
    for result in report.violations + report.warnings:
        click.echo(result.text(ctx.lang), err=True)


@contextmanager
def _progress(label: str, length: int) -> Iterator[Callable[[str], None]]:
    if not sys.stderr.isatty():
        yield lambda _step: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield lambda _step: bar.update(1)


@main.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default=None,
              help="Input format when the extension does not tell: "
                   "turtle, trig, ntriples, nquads, jsonld, rdfxml, …")
@click.option("--source", default=None,
              help="Name of the source (one file only); default: the file name without extension.")
@click.option("--allow-violations", is_flag=True, help="Commit even when shapes are violated.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (bulk loads of trusted data).")
@click.option("--profile", type=click.Choice(["elm"]), default=None,
              help="Read the files as a register's model: elm (European Learning Model); the "
                   "RDF syntax comes from the extension. See docs/interchange.md.")
@pass_ctx
@handles_errors
def load_command(ctx: Context, files: tuple[Path, ...], fmt: str | None, source: str | None,
                 allow_violations: bool, no_validate: bool, profile: str | None) -> None:
    """Load RDF (or table) files, each as one source, in one transaction.

    Loading a source again replaces it. A syntax error exits 2, shape violations exit 1,
    and in both cases the store is left unchanged.

    \b
    Example:
      qagraph load data/hot-work.ttl data/organisations.ttl
      qagraph load --source welding --format turtle welding.txt
      qagraph load --profile elm register-export.ttl
    """
    if source and len(files) > 1:
        raise click.UsageError("--source takes one file")
    inputs = [
        LoadInput(path, source or source_name_for(path), _loaders().for_path(path, profile or fmt))
        for path in files
    ]
    with _progress("load", len(inputs) + (0 if no_validate else 1)) as step:
        outcome = load(
            ctx.store, inputs, base_iri=ctx.settings["BASE_IRI"],
            allow_violations=allow_violations, validate=not no_validate, progress=step,
        )
    report = outcome.report
    _print_report(ctx, report)
    for staged in outcome.staged:
        for key, values in staged.notes:
            click.echo(message(key, ctx.lang, **values), err=True)
        click.echo(message("loaded", ctx.lang, triples=staged.triples, file=staged.file,
                           source=staged.name))
    if report.violations:
        click.echo(message("violations_allowed", ctx.lang, count=len(report.violations)), err=True)
    if report.warnings:
        click.echo(message("warnings_found", ctx.lang, count=len(report.warnings)), err=True)


@main.command("validate")
@click.option("--source", default=None, help="Validate only this source, as a load of it would be judged.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the report to this file: Turtle (sh:ValidationReport) or CSV.")
@click.option("--format", "report_format", type=click.Choice(["turtle", "csv"]), default=None,
              help="Format of --report (default: from the file extension, .csv or Turtle).")
@pass_ctx
@handles_errors
def validate_command(ctx: Context, source: str | None, report_path: Path | None,
                     report_format: str | None) -> None:
    """Validate the store against the shapes, in the store (SHACL compiled to SPARQL);
    exit 1 when there are violations. A progress bar follows the shapes.

    \b
    Example:
      qagraph validate
      qagraph validate --source hot-work
      qagraph validate --report report.ttl
      qagraph validate --report report.csv
    """
    with _shape_progress() as progress:
        report = validate_store(ctx.store, source, progress=progress)
    if source is None:
        keep_report(ctx.store, report)  # the web's validation panels read it
    _print_report(ctx, report)
    for failure in report.failures:
        click.echo(message("shape_failed", ctx.lang, detail=failure), err=True)
    if report_path is not None:
        fmt = report_format or ("csv" if report_path.suffix.lower() == ".csv" else "turtle")
        write_report(report, report_path, fmt)
        click.echo(message("report_written", ctx.lang, path=str(report_path),
                           count=len(report.results)), err=True)
    if report.warnings:
        click.echo(message("warnings_found", ctx.lang, count=len(report.warnings)), err=True)
    if report.violations:
        click.echo(message("violations_in_store", ctx.lang, count=len(report.violations)), err=True)
        ctx.close()
        sys.exit(1)
    click.echo(message("conforms", ctx.lang, count=report.checked_nodes))


@contextmanager
def _shape_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar over the checks of a validation, naming the shape being checked."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: Any = None
    try:
        def step(shape: str, done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label="validate", file=sys.stderr,
                                        item_show_func=lambda item: item or "")
                bar.__enter__()
            bar.update(1, current_item=shape)

        yield step
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _term_text(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(getattr(term, "value", term))


@main.command("query")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "turtle"]),
              default="table", help="Output format (turtle for CONSTRUCT and DESCRIBE).")
@pass_ctx
@handles_errors
def query_command(ctx: Context, query: str, fmt: str) -> None:
    """Run a SPARQL query given as text or as a file name.

    \b
    Example:
      qagraph query 'SELECT ?c WHERE { ?c a qa:Credential }' --format csv
      qagraph query graph_app/core/queries/stats-levels.rq
    """
    path = Path(query)
    text = path.read_text(encoding="utf-8") if path.suffix == ".rq" and path.is_file() else query
    try:
        result = ctx.store.query(sparql_prologue() + text)
    except SyntaxError as err:
        raise QagraphError("query_error", detail=str(err)) from None
    out = sys.stdout
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        if fmt == "json":
            out.write(json.dumps({"boolean": value}) + "\n")
        else:
            out.write(("true" if value else "false") + "\n")
        return
    if not isinstance(result, ox.QuerySolutions):  # triples (CONSTRUCT, DESCRIBE)
        rdf_fmt = ox.RdfFormat.TURTLE if fmt in {"turtle", "table"} else ox.RdfFormat.N_TRIPLES
        if fmt == "json":
            rdf_fmt = ox.RdfFormat.JSON_LD
        out.flush()
        ox.serialize(result, sys.stdout.buffer, rdf_fmt)
        return
    variables = [v.value for v in result.variables]
    if fmt in {"json", "csv"}:
        # The W3C results formats, with full IRIs; compact names only in the table.
        out.flush()
        result.serialize(sys.stdout.buffer, ox.QueryResultsFormat.JSON if fmt == "json"
                         else ox.QueryResultsFormat.CSV)
        if fmt == "json":
            sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()
        return
    rows = [[_term_text(row[v]) for v in variables] for row in result]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    out.write("  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


SUFFIX_FORMAT = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig",
                 ".jsonld": "jsonld", ".json": "jsonld", ".rdf": "rdfxml"}


@main.command("export")
@click.option("--source", default=None, help="Export only this source.")
@click.option("--format", "fmt", type=click.Choice(sorted(RDF_OUTPUT)), default=None,
              help="Output format (default: from the -o file's extension, else turtle).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@click.option("--tables", type=click.Path(path_type=Path), default=None,
              help="Write the store in the spreadsheet templates instead: a FILE.xlsx workbook "
                   "or a folder of CSV files.")
@click.option("--profile", type=click.Choice(["elm", "ctdl"]), default=None,
              help="Write in a register's model instead: elm (European Learning Model, Europass) "
                   "or ctdl (Credential Engine's CTDL JSON-LD). See docs/interchange.md.")
@click.option("--extensions", type=click.Choice(["graph", "inline", "none"]), default="graph",
              show_default=True,
              help="ELM: where qagraph's own statements (levels, routes, dependencies) go: a named "
                   "graph (TriG, N-Quads, JSON-LD), on the nodes in the one graph, or nowhere.")
@click.option("--shapes", "shape_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="ELM: validate the export against these SHACL files (e.g. the EU's "
                   "LOQ-constraints.ttl and AMS-constraints.ttl); exit 1 on violations.")
@pass_ctx
@handles_errors
def export_command(ctx: Context, source: str | None, fmt: str | None, output: Path | None,
                   tables: Path | None, profile: str | None, extensions: str,
                   shape_files: tuple[Path, ...]) -> None:
    """Export the whole store, or one source, in an RDF format, in a register's model or in
    the spreadsheet templates.

    \b
    Example:
      qagraph export --format nquads -o dump.nq
      qagraph export --source hot-work --format turtle
      qagraph export --tables data.xlsx
      qagraph export --profile elm -o elm.trig --shapes LOQ-constraints.ttl
      qagraph export --profile ctdl -o ctdl.jsonld
    """
    fmt = fmt or (SUFFIX_FORMAT.get(output.suffix.lower(), "turtle") if output else "turtle")
    if profile is not None:
        _export_profile(ctx, profile, source, fmt, output, extensions, shape_files)
        return
    if tables is not None:
        from loaders.tables import export_store

        rows = export_store(ctx.store, tables, ctx.settings["BASE_IRI"])
        click.echo(message("tables_written", ctx.lang, sheets=len(rows),
                           rows=sum(len(r) for r in rows.values()), path=tables))
        return
    if output is None:
        sys.stdout.flush()
        ctx.store.dump(sys.stdout.buffer, RDF_OUTPUT[fmt], source)
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("wb") as handle:
        ctx.store.dump(handle, RDF_OUTPUT[fmt], source)
    tmp.replace(output)


def _write(output: Path | None, body: bytes) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        return
    tmp = output.with_name(output.name + ".part")
    tmp.write_bytes(body)
    tmp.replace(output)


def _graph_of(ctx: Context, source: str | None) -> str | None:
    if source is None:
        return None
    graphs = ctx.store.current_graphs()
    if source not in graphs:
        raise QagraphError("unknown_source", name=source)
    return graphs[source].value


def _export_profile(ctx: Context, profile: str, source: str | None, fmt: str, output: Path | None,
                    extensions: str, shape_files: tuple[Path, ...]) -> None:
    from .core.interchange import elm

    if profile == "ctdl":
        from .core.interchange import ctdl

        if fmt != "jsonld":
            raise QagraphError("profile_format", profile=profile, format=fmt, formats="jsonld")
        doc = ctdl.export(ctx.store, graph_iri=_graph_of(ctx, source))
        _write(output, ctdl.serialise(doc))
        click.echo(message("ctdl_written", ctx.lang, count=len(doc["@graph"])), err=True)
        return
    rdflib_formats = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                      "jsonld": "json-ld", "rdfxml": "xml"}
    result = elm.export(ctx.store, graph_iri=_graph_of(ctx, source))
    body, left_out = elm.serialise(result, rdflib_formats[fmt], extensions)
    _write(output, body)
    _report_elm(ctx, result)
    if left_out:
        click.echo(message("elm_extension_left_out", ctx.lang, count=len(result.extension)), err=True)
    if shape_files:
        shapes = elm.load_shapes(shape_files)
        # What was written: with --extensions inline, qagraph's statements are in it too.
        written = result.graph + result.extension if extensions == "inline" else result.graph
        found = elm.conformance(written, shapes)
        names = ", ".join(p.name for p in shape_files)
        for r in found:
            click.echo(message("elm_violation", ctx.lang, file=names, focus=compact(r.focus),
                               path=compact(r.path), message=r.message), err=True)
        if found:
            click.echo(message("elm_violations", ctx.lang, count=len(found)), err=True)
            ctx.close()
            sys.exit(1)
        click.echo(message("elm_conforms", ctx.lang, file=names), err=True)


def _report_elm(ctx: Context, result: Any) -> None:
    from .core.interchange.elm import ELM

    def fields(keys: tuple[str, ...]) -> str:
        return ", ".join(message(f"elm_field_{k}", ctx.lang) for k in keys)

    left = 0
    for o in result.omissions:
        if o.kind == "left_out":
            left += 1
            click.echo(message("elm_left_out", ctx.lang, node=compact(o.node), fields=fields(o.fields)), err=True)
        elif o.kind == "link":
            click.echo(message("elm_link", ctx.lang, node=compact(o.node), target=compact(o.target)), err=True)
        else:
            click.echo(message("elm_agent", ctx.lang, node=compact(o.node), fields=fields(o.fields)), err=True)
    click.echo(message(
        "elm_written", ctx.lang,
        specifications=result.count(ELM.Qualification) + result.count(ELM.LearningAchievementSpecification),
        organisations=result.count(ELM.Organisation), agents=result.count(ELM.Agent),
        accreditations=result.count(ELM.Accreditation), left_out=left), err=True)


@main.command("template")
@click.option("--xlsx", "as_xlsx", is_flag=True, help="One Excel workbook instead of CSV files.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Folder for the CSV files, or the workbook file with --xlsx.")
@pass_ctx
@handles_errors
def template_command(ctx: Context, as_xlsx: bool, output: Path) -> None:
    """Write empty spreadsheet templates: a folder of CSV files, or one workbook with
    header help and drop-down lists (see docs/tables.md).

    \b
    Example:
      qagraph template --xlsx -o templates.xlsx
      qagraph template -o templates/
    """
    from loaders.tables import write_template

    if as_xlsx and output.suffix.lower() != ".xlsx":
        output = output.with_name(output.name + ".xlsx")
    if not as_xlsx and output.suffix.lower() == ".xlsx":
        raise click.UsageError("give --xlsx to write a workbook")
    rows = write_template(output)
    click.echo(message("tables_written", ctx.lang, sheets=len(rows), rows=0, path=output))


@main.command("stats")
@pass_ctx
@handles_errors
def stats_command(ctx: Context) -> None:
    """Print counts by class and by assurance level.

    \b
    Example:
      qagraph stats
    """
    store = ctx.store

    def word(key: str) -> str:
        return message(key, ctx.lang)

    click.echo(f"{word('stats_class'):<40} {word('stats_count'):>8}")
    for cls, count in stats.class_counts(store):
        click.echo(f"{compact(cls):<40} {count:>8}")
    click.echo("")
    click.echo(f"{word('stats_level'):<8} {word('stats_routes'):>8} {word('stats_credentials'):>12}")
    for lc in stats.level_counts(store):
        click.echo(f"{lc.notation:<8} {lc.routes:>8} {lc.credentials:>12}")
    click.echo(f"\n{word('stats_triples')}: {store.triple_count()}")


@main.command("sources")
@pass_ctx
@handles_errors
def sources_command(ctx: Context) -> None:
    """List the loaded sources with their provenance (file, checksum, time, triples).

    \b
    Example:
      qagraph sources
    """
    infos = ctx.store.sources()
    if not infos:
        click.echo(message("no_sources", ctx.lang))
        return
    for info in infos:
        click.echo(
            f"{info.name}\t{info.triples}\t{info.loaded_at}\t{info.file}\tsha256:{info.checksum[:16]}…"
        )


@main.command("drop")
@click.argument("source")
@pass_ctx
@handles_errors
def drop_command(ctx: Context, source: str) -> None:
    """Remove a source and its triples.

    \b
    Example:
      qagraph drop hot-work
    """
    size = ctx.store.drop(source)
    click.echo(message("dropped", ctx.lang, source=source, triples=size))


def bundled_inputs() -> list[LoadInput]:
    """The ontology, the concept schemes and the sample data, as load inputs."""
    loaders = _loaders()
    from loaders import sssom as sssom_loader

    turtle = loaders.get("turtle")
    items = [LoadInput(p, f"ontology-{source_name_for(p)}", turtle)
             for p in sorted(resources.ONTOLOGY_DIR.glob("*.ttl"))]
    items += [LoadInput(p, f"scheme-{source_name_for(p)}", turtle) for p in resources.scheme_files()]
    items += [LoadInput(p, source_name_for(p), turtle) for p in resources.sample_files()]
    items += [LoadInput(p, sssom_loader.source_for_set(sssom_loader.read_file(p).set_id),
                        loaders.get("sssom")) for p in sorted((resources.DATA_DIR / "mappings").glob("*.sssom.tsv"))]
    return items


@main.command("init")
@pass_ctx
@handles_errors
def init_command(ctx: Context) -> None:
    """Load the ontology and the sample data when the store is empty.

    \b
    Example:
      qagraph init
    """
    store = ctx.store
    if not store.is_empty() or not ctx.settings["LOAD_SAMPLE"]:
        click.echo(message("store_ready", ctx.lang, triples=store.triple_count()))
        return
    outcome = load(store, bundled_inputs(), base_iri=ctx.settings["BASE_IRI"], agent="qagraph init")
    # a newcomer's first run stays short: violations in full (there should be none), the
    # known gaps of the sample data as a count
    for result in outcome.report.violations:
        click.echo(result.text(ctx.lang), err=True)
    click.echo(message("sample_loaded", ctx.lang, triples=sum(s.triples for s in outcome.staged)))
    if outcome.report.warnings:
        click.echo(message("sample_warnings", ctx.lang, count=len(outcome.report.warnings)))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int,
              help="Request threads of the one server process for pages; one more is added "
                   "per SPARQL query worker, so that waiting queries never take a page's thread.")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="Print a line for every request.")
@pass_ctx
@handles_errors
def serve_command(ctx: Context, host: str, port: int, threads: int, access_log: bool) -> None:
    """Serve the web application with gunicorn: one process, several threads (an
    on-disk Oxigraph store admits one read-write process).

    \b
    Example:
      qagraph serve --host 127.0.0.1 --port 5000
    """
    from .web.server import serve

    overrides = {"STORE": ctx.settings["STORE"], "LANG": ctx.settings["LANG"]}
    click.echo(message("serving", ctx.lang, host=host, port=port))
    serve(overrides, host=host, port=port, threads=threads + int(ctx.settings["QUERY_WORKERS"])
          + int(ctx.settings["QUERY_RESERVE_WORKERS"]),
          access_log=access_log)


@main.command("independence")
@click.option("--on", "on", default=None, help="Date to judge on (default: today), YYYY-MM-DD.")
@pass_ctx
@handles_errors
def independence_command(ctx: Context, on: str | None) -> None:
    """List C1 routes whose issuer or examiner depends on a trainer on a date, with the
    whole path (kinds, shares, dates); exit 1 when there are any.

    Dependencies recorded with dates count only on the days they hold; membership of an
    association is not a dependency.

    \b
    Example:
      qagraph independence --on 2026-11-30
    """
    from .core.independence import dependences, path_text
    from .core.satisfaction import parse_date

    found = dependences(ctx.store, on=parse_date(on))
    for d in found:
        click.echo(f"{compact(d.route)}\t{compact(d.role)} {compact(d.party)} ~ {compact(d.trainer)}\t"
                   f"{path_text(d.path, ctx.lang)}")
    if found:
        ctx.close()
        sys.exit(1)
    click.echo(message("independence_none", ctx.lang))


# -- mappings and requirement checks (see graph_app/core/equivalence.py) --------------


@main.group("map")
def map_group() -> None:
    """Equivalence mappings between credentials: SSSOM in and out, conflict checks.

    \b
    Example:
      qagraph map import data/mappings/hot-work.sssom.tsv
      qagraph map check
    """


@map_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_ctx
@handles_errors
def map_import_command(ctx: Context, file: Path) -> None:
    """Import an SSSOM/TSV mapping set; the set is its own source (replaced when imported again).

    \b
    Example:
      qagraph map import data/mappings/hot-work.sssom.tsv
    """
    if not file.is_file():
        raise QagraphError("file_missing", file=str(file))
    from loaders import sssom as sssom_loader

    name = sssom_loader.source_for_set(sssom_loader.read_file(file).set_id)
    outcome = load(ctx.store, [LoadInput(file, name, _loaders().get("sssom"))],
                   base_iri=ctx.settings["BASE_IRI"])
    _print_report(ctx, outcome.report)
    for staged in outcome.staged:
        for key, values in staged.notes:
            click.echo(message(key, ctx.lang, **values), err=True)
        click.echo(message("loaded", ctx.lang, triples=staged.triples, file=staged.file, source=staged.name))


@map_group.command("export")
@click.argument("mapping_set")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@pass_ctx
@handles_errors
def map_export_command(ctx: Context, mapping_set: str, output: Path | None) -> None:
    """Export a mapping set (its id, or the id's last segment) as SSSOM/TSV.

    \b
    Example:
      qagraph map export hot-work -o hot-work.sssom.tsv
    """
    from loaders import sssom as sssom_loader

    if output is None:
        sssom_loader.export(ctx.store, mapping_set, sys.stdout, ctx.settings["BASE_IRI"])
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        sssom_loader.export(ctx.store, mapping_set, handle, ctx.settings["BASE_IRI"])
    tmp.replace(output)


@map_group.command("check")
@pass_ctx
@handles_errors
def map_check_command(ctx: Context) -> None:
    """List conflicts among the accepted mappings, each with its path; exit 1 if any.

    \b
    Example:
      qagraph map check
    """
    from .core import equivalence

    reasoning = equivalence.reason(ctx.store, include_unmanaged=True)
    unmanaged = [m for m in reasoning.mappings if not m.record]
    for conflict in reasoning.conflicts:
        rule = message(f"conflict_{conflict.rule}", ctx.lang)
        click.echo(f"{conflict.rule}: {' / '.join(compact(c) for c in conflict.credentials)}"
                   + (f" ({conflict.detail})" if conflict.detail else "") + f" — {rule}")
        for step in conflict.path:
            record = compact(step.record) if step.record else message("map_unmanaged_record", ctx.lang)
            click.echo(f"  {compact(step.subject)} {step.kind} {compact(step.object)}  [{record}]")
    if unmanaged:
        click.echo(message("map_check_unmanaged", ctx.lang, n=len(unmanaged)))
        for m in unmanaged:
            click.echo(f"  {compact(m.subject)} {m.kind} {compact(m.object)}")
    click.echo(message("map_check_summary", ctx.lang, n=len(reasoning.mappings), c=len(reasoning.components),
                       i=reasoning.implied_count(), k=len(reasoning.conflicts)))
    if reasoning.conflicts:
        ctx.close()
        sys.exit(1)


# Exit codes of `satisfies` (0 yes, 1 no, 2 usage or input error as everywhere).
SATISFIES_EXIT = {"yes": 0, "no": 1, "unknown": 3, "conditional": 4}


@main.command("satisfies")
@click.argument("credential")
@click.argument("requirement", required=False)
@click.option("--on", "on", default=None, help="Date of the question (default: today), YYYY-MM-DD.")
@click.option("--issued", default=None, help="Issue date of the holder's award, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
@handles_errors
def satisfies_command(ctx: Context, credential: str, requirement: str | None, on: str | None,
                      issued: str | None, fmt: str) -> None:
    """Does a credential (or an award) satisfy a requirement on a date?

    The answer is yes, yes on conditions, no, or unknown (with what is missing), and the
    path behind it. Exit 0 yes, 1 no, 3 unknown, 4 yes on conditions, 2 bad input.
    Without REQUIREMENT, every requirement the data knows for the credential is answered,
    one line each (exit 0).

    CREDENTIAL and REQUIREMENT are names, as on the web's check: an IRI, a CURIE
    (id:credential/esa), a slug (esa), a label in any language, or words that match one
    thing only. An award is given by its IRI or CURIE.

    \b
    Example:
      qagraph satisfies id:credential/varmt-arbejde \\
        id:requirement/heta-arbeten-forsakringsvillkor --issued 2023-05-01 --on 2025-01-01
      qagraph satisfies id:credential/varmt-arbejde --on 2026-11-30
    """
    from .core import explanation
    from .core.catalogue import catalogue
    from .core.entity import exists, labels_for
    from .core.labels import pick
    from .core.satisfaction import answers_for, satisfies

    def named(text: str, kind: str) -> str:
        found = names.resolve(catalogue(ctx.store), text, kind, ctx.settings["BASE_IRI"],
                              (lambda iri: exists(ctx.store, iri)) if kind == "credential" else None)
        if found.problem == names.NONE and "://" in found.text:
            return found.text  # the reasoning says what the IRI is not
        return names.iri_or_error(found, kind, lambda e: f"{e.label(ctx.lang)} ({compact(e.iri)})")

    if requirement is None:
        answers = answers_for(ctx.store, named(credential, "credential"), on, issued)
    else:
        answers = [satisfies(ctx.store, named(credential, "credential"), named(requirement, "requirement"),
                             on, issued)]
    if fmt == "json":
        body: object = [a.as_json() for a in answers] if requirement is None else answers[0].as_json()
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        iris = set().union(*(a.iris() for a in answers)) if answers else set()
        labels = labels_for(ctx.store, iris)

        def label(iri: str) -> str:
            return pick(labels.get(iri), ctx.lang, compact(iri))

        for answer in answers:
            if requirement is None:
                click.echo(f"{answer.country or '--'}\t{label(answer.requirement)}\t"
                           f"{explanation.headline(answer, ctx.lang)}: {explanation.summary(answer, ctx.lang, label)}")
                continue
            click.echo(f"{explanation.headline(answer, ctx.lang)}: {explanation.summary(answer, ctx.lang, label)}")
            for step in answer.steps:
                click.echo(f"  {compact(step.subject)} {step.kind} {compact(step.object)}  [{compact(step.record)}]")
            for line in explanation.lines(answer, ctx.lang, label):
                click.echo(f"  {line}")
    if requirement is not None and answers[0].value != "yes":
        ctx.close()
        sys.exit(SATISFIES_EXIT[answers[0].value])


if __name__ == "__main__":  # pragma: no cover
    main()
