"""SSSOM/TSV in and out: golden files, round trips with the reference implementation
(the `sssom` package), errors that name row and column, and the loader registry."""

from __future__ import annotations

import io
from pathlib import Path

from sssom.constants import SchemaValidationType
from sssom.parsers import parse_sssom_table
from sssom.validators import validate
from sssom.writers import write_table

from .conftest import ROOT

HERE = ROOT / "tests" / "sssom"


def _statements(path_or_text: Path | str) -> set[tuple[str, str, str, str, str]]:
    """(subject, predicate, modifier, object, justification) of each mapping, as IRIs."""
    source = io.StringIO(path_or_text) if isinstance(path_or_text, str) else path_or_text
    msdf = parse_sssom_table(source)
    conv = msdf.converter
    out = set()
    for row in msdf.df.astype(object).where(msdf.df.notna(), "").to_dict("records"):
        out.add((conv.expand_or_standardize(row["subject_id"]), conv.expand_or_standardize(row["predicate_id"]),
                 str(row.get("predicate_modifier", "")), conv.expand_or_standardize(row["object_id"]),
                 conv.expand_or_standardize(row["mapping_justification"])))
    return out


def _export(qagraph, name: str, tmp_path: Path) -> str:
    out = tmp_path / f"{name}.sssom.tsv"
    result = qagraph("map", "export", name, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_import_then_export_matches_the_golden_file(qagraph, tmp_path):
    result = qagraph("map", "import", str(HERE / "small.sssom.tsv"))
    assert result.exit_code == 0, result.output
    assert "mappings-golden" in result.output
    exported = _export(qagraph, "golden", tmp_path)
    assert exported == (HERE / "small.expected.sssom.tsv").read_text(encoding="utf-8")


def test_export_then_import_again_is_stable(qagraph, tmp_path):
    qagraph("map", "import", str(HERE / "small.sssom.tsv"))
    first = _export(qagraph, "golden", tmp_path)
    again = tmp_path / "again.sssom.tsv"
    again.write_text(first, encoding="utf-8")
    assert qagraph("map", "import", str(again)).exit_code == 0
    assert _export(qagraph, "golden", tmp_path) == first


def test_export_goes_to_standard_output_without_o(qagraph):
    qagraph("map", "import", str(HERE / "small.sssom.tsv"))
    result = qagraph("map", "export", "https://w3id.org/qagraph/id/mappingset/golden")
    assert result.exit_code == 0
    assert "credential:varmt-arbejde\tskos:exactMatch\tNot\tcredential:heta-arbeten" in result.output


def test_our_export_validates_and_parses_with_sssom_py_into_the_same_mappings(qagraph, tmp_path):
    qagraph("map", "import", str(HERE / "small.sssom.tsv"))
    exported = _export(qagraph, "golden", tmp_path)
    msdf = parse_sssom_table(io.StringIO(exported))
    reports = validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness],
                       fail_on_error=False)
    for report in reports.values():
        assert not report.results, report.results
    assert _statements(exported) == _statements(HERE / "small.sssom.tsv")
    assert len(msdf.df) == 4


def test_a_file_written_by_sssom_py_imports_correctly(qagraph, tmp_path, store_path):
    msdf = parse_sssom_table(HERE / "small.sssom.tsv")
    written = tmp_path / "written.sssom.tsv"
    with written.open("w", encoding="utf-8") as handle:
        write_table(msdf, handle)
    result = qagraph("map", "import", str(written))
    assert result.exit_code == 0, result.output
    exported = _export(qagraph, "golden", tmp_path)
    assert _statements(exported) == _statements(written)
    # the Not mapping publishes no SKOS triple; the others do
    from graph_app.core.store import OxigraphStore

    store = OxigraphStore(store_path)
    try:
        skos = "http://www.w3.org/2004/02/skos/core#"
        ask = "ASK { <https://w3id.org/qagraph/id/credential/%s> <%s%s> <https://w3id.org/qagraph/id/credential/%s> }"
        assert bool(store.query(ask % ("varmt-arbejde", skos, "exactMatch", "varme-arbeider")))
        assert not bool(store.query(ask % ("varmt-arbejde", skos, "exactMatch", "heta-arbeten")))
        linkset = store.query("PREFIX void: <http://rdfs.org/ns/void#> ASK { "
                              "<https://w3id.org/qagraph/id/mappingset/golden> a void:Linkset }")
        assert bool(linkset)
    finally:
        store.close()


def test_a_bad_cell_is_named_by_row_and_column_and_nothing_changes(qagraph):
    result = qagraph("map", "import", str(HERE / "bad-confidence.sssom.tsv"))
    assert result.exit_code == 2
    assert "bad-confidence.sssom.tsv:12:confidence: 'much' is not a number from 0 to 1" in result.output
    assert "no sources" in qagraph("sources").output


def test_a_non_skos_predicate_is_refused_with_its_row(qagraph):
    result = qagraph("map", "import", str(HERE / "bad-predicate.sssom.tsv"))
    assert result.exit_code == 2
    assert "bad-predicate.sssom.tsv:15:predicate_id:" in result.output


def test_missing_metadata_and_columns_are_reported(qagraph, tmp_path):
    bad = tmp_path / "nometa.sssom.tsv"
    bad.write_text("subject_id\tobject_id\nx:a\tx:b\n", encoding="utf-8")
    result = qagraph("map", "import", str(bad), lang="sv")
    assert result.exit_code == 2
    assert "nometa.sssom.tsv:1:mapping_set_id: metadatablocket saknar 'mapping_set_id'" in result.output
    assert "nometa.sssom.tsv:1:predicate_id:" in result.output


def test_unknown_set_is_a_clear_error(qagraph):
    result = qagraph("map", "export", "nothing-here")
    assert result.exit_code == 2
    assert "there is no mapping set 'nothing-here'" in result.output


def test_qagraph_load_reads_sssom_files_through_the_registry(qagraph):
    result = qagraph("load", str(HERE / "small.sssom.tsv"))
    assert result.exit_code == 0, result.output
    assert "source 'small'" in result.output
    assert qagraph("map", "export", "golden").exit_code == 0


def test_init_inputs_include_the_sample_mapping_sets():
    from graph_app.cli import bundled_inputs

    names = {item.source: item.loader.name for item in bundled_inputs()}
    assert names["mappings-nordic-hot-work"] == "sssom"
    assert names["mappings-nordic-electrical-safety"] == "sssom"


def test_sample_mapping_sets_import_and_have_no_conflicts(qagraph):
    for path in sorted((ROOT / "data" / "mappings").glob("*.sssom.tsv")):
        result = qagraph("map", "import", str(path))
        assert result.exit_code == 0, result.output
    check = qagraph("map", "check")
    assert check.exit_code == 0 and "7 mappings" in check.output


def test_broken_yaml_metadata_is_named_by_its_line(qagraph, tmp_path):
    bad = tmp_path / "yaml.sssom.tsv"
    bad.write_text("# mapping_set_id: https://example.org/set\n# curie_map: [unclosed\n"
                   "subject_id\tpredicate_id\tobject_id\tmapping_justification\n", encoding="utf-8")
    result = qagraph("map", "import", str(bad))
    assert result.exit_code == 2
    assert "yaml.sssom.tsv:2:metadata: the YAML metadata block cannot be read" in result.output


def test_an_unknown_curie_prefix_is_named_by_row_and_column(qagraph, tmp_path):
    text = (HERE / "small.sssom.tsv").read_text(encoding="utf-8").replace(
        "credential:esa\tskos:broadMatch", "nowhere:esa\tskos:broadMatch")
    bad = tmp_path / "prefix.sssom.tsv"
    bad.write_text(text, encoding="utf-8")
    result = qagraph("map", "import", str(bad))
    assert result.exit_code == 2
    assert "prefix.sssom.tsv:15:subject_id: 'nowhere:esa' is not a CURIE with a prefix of the curie_map" in result.output
