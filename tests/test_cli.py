"""The `qagraph` command line: exit codes, messages, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_app.cli import main
from graph_app.core import resources

from .conftest import ROOT

STORE_KINDS = ("embedded", "remote")

SHAPE_EXAMPLES = sorted((ROOT / "tests" / "shapes").glob("*-invalid-*.ttl"))
ORG = (
    "@prefix qa: <https://w3id.org/qagraph/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    '<https://w3id.org/qagraph/id/organisation/a> a qa:Organisation ; rdfs:label "A"@sv, "A"@en ;\n'
    '  qa:country "SE" .\n'
)


def shape_severity(local_name: str) -> str:
    from rdflib import URIRef
    from rdflib.namespace import SH

    value = resources.shapes_graph().value(URIRef("https://w3id.org/qagraph/shapes#" + local_name), SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def triple_count(qagraph) -> int:
    result = qagraph("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/qagraph/graph/meta>) }", "--format", "csv")
    assert result.exit_code == 0, result.output
    return int(result.output.splitlines()[1])


def test_malformed_turtle_exits_2_with_file_and_line_and_changes_nothing(qagraph, tmp_path):
    assert qagraph("load", str(write(tmp_path, "org.ttl", ORG))).exit_code == 0
    before = triple_count(qagraph)
    bad = write(tmp_path, "bad.ttl", ORG + "\n<a> <b> ;; .\n")
    result = qagraph("load", str(bad))
    assert result.exit_code == 2
    assert "bad.ttl:6:" in result.output
    assert "Traceback" not in result.output
    assert triple_count(qagraph) == before


def test_messages_follow_the_chosen_language(qagraph, tmp_path):
    bad = write(tmp_path, "bad.ttl", "<a> <b> ;; .\n")
    assert "syntaxfel" in qagraph("load", str(bad), lang="sv").output
    assert "syntax error" in qagraph("load", str(bad), lang="en").output


def test_unknown_extension_asks_for_format(qagraph, tmp_path):
    path = write(tmp_path, "org.txt", ORG)
    result = qagraph("load", str(path))
    assert result.exit_code == 2 and "--format" in result.output
    assert qagraph("load", "--format", "turtle", str(path)).exit_code == 0


def test_missing_file_exits_2(qagraph, tmp_path):
    result = qagraph("load", str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2 and "nope.ttl" in result.output


@pytest.mark.parametrize("example", SHAPE_EXAMPLES, ids=[p.name for p in SHAPE_EXAMPLES])
def test_every_invalid_shape_example_makes_load_exit_1_naming_its_shape(qagraph, example):
    shape = example.name.split("-invalid-")[0]
    result = qagraph("load", str(example))
    if shape_severity(shape) == "Warning":
        # warnings are shown but do not fail a load
        assert result.exit_code == 0, result.output
        assert shape in result.output
        return
    assert result.exit_code == 1, result.output
    assert shape in result.output
    assert qagraph("sources").output.strip() in {"no sources are loaded"}


def test_sample_data_loads_and_validates(qagraph):
    result = qagraph("init")
    assert result.exit_code == 0, result.output
    stats = qagraph("stats")
    assert stats.exit_code == 0
    assert "qa:Credential" in stats.output
    credentials = next(line for line in stats.output.splitlines() if line.startswith("qa:Credential "))
    assert int(credentials.split()[-1]) >= 15
    for level in ("B", "C1"):
        assert any(line.split()[:1] == [level] for line in stats.output.splitlines())
    validate = qagraph("validate")
    assert validate.exit_code == 0, validate.output
    again = qagraph("init")
    assert again.exit_code == 0 and "nothing was loaded" in again.output


def test_sources_lists_each_loaded_file_with_its_checksum(qagraph, tmp_path):
    qagraph("load", str(write(tmp_path, "org.ttl", ORG)))
    out = qagraph("sources").output
    assert out.startswith("org\t") and "org.ttl" in out and "sha256:" in out


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_formats(qagraph, tmp_path, fmt):
    qagraph("load", str(write(tmp_path, "org.ttl", ORG)))
    result = qagraph("query", "SELECT ?o WHERE { ?o a qa:Organisation }", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert data["results"]["bindings"][0]["o"]["value"].endswith("organisation/a")
    else:
        assert "organisation/a" in result.output


def test_query_from_a_file_and_a_bad_query(qagraph, tmp_path):
    qagraph("load", str(write(tmp_path, "org.ttl", ORG)))
    rq = write(tmp_path, "q.rq", "ASK { ?o a qa:Organisation }")
    assert qagraph("query", str(rq)).output.strip() == "true"
    bad = qagraph("query", "SELECT WHERE {")
    assert bad.exit_code == 2 and "SPARQL" in bad.output


def test_export_whole_store_and_one_source(qagraph, tmp_path):
    qagraph("load", str(write(tmp_path, "org.ttl", ORG)))
    out = tmp_path / "dump.nq"
    assert qagraph("export", "--format", "nquads", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "organisation/a" in text and "graph/meta" not in text
    turtle = qagraph("export", "--source", "org", "--format", "turtle")
    assert turtle.exit_code == 0 and "Organisation" in turtle.output
    assert qagraph("export", "--source", "nope").exit_code == 2


def test_drop_unknown_source_exits_2(qagraph):
    result = qagraph("drop", "nope")
    assert result.exit_code == 2 and "nope" in result.output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_bundled_files_exist():
    assert resources.shape_files() and resources.scheme_files() and resources.sample_files()
    assert SHAPE_EXAMPLES, "every shape needs invalid examples under tests/shapes"


def test_sparql_shape_messages_are_filled_in_both_languages(qagraph):
    example = ROOT / "tests" / "shapes" / "C1IssuerIndependenceShape-invalid-issuer-owns-trainer.ttl"
    for lang, word in (("sv", "utfärdaren"), ("en", "issuer")):
        result = qagraph("load", str(example), lang=lang)
        assert result.exit_code == 1
        assert word in result.output
        assert "{?" not in result.output  # the template was filled, not shown raw


def test_typed_values_are_judged_by_their_lexical_form_on_every_store(qagraph, tmp_path):
    """SPARQL checks a lexical form by casting, which a server may do otherwise (Virtuoso 7
    casts "false" to true and answers a duration as a number of months): a false and a
    duration in years and months load and validate, an ill-typed boolean and duration are
    refused with their values named."""
    valid = (ROOT / "tests" / "shapes" / "CredentialShape-valid.ttl").read_text(encoding="utf-8")
    good = valid.replace('"P5Y"^^xsd:duration', '"P1Y6M"^^xsd:duration')
    assert '"P1Y6M"' in good and "qa:regulated false" in good
    result = qagraph("load", str(write(tmp_path, "credential.ttl", good)))
    assert result.exit_code == 0, result.output
    result = qagraph("validate")
    assert result.exit_code == 0, result.output
    bad = good.replace('"P1Y6M"', '"P18 months"').replace("qa:regulated false", 'qa:regulated "no"^^xsd:boolean')
    result = qagraph("load", str(write(tmp_path, "credential.ttl", bad)))
    assert result.exit_code == 1, result.output
    assert "P18 months" in result.output and '"no"' in result.output, result.output
