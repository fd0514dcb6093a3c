"""Mappings travel with the registers' identifiers: the SSSOM export names an entity that
an ELM import read, or a Credential Registry resource, by a CURIE whose prefix the set's
curie_map declares; round-tripped through sssom-py and back into a store."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from sssom.constants import SchemaValidationType
from sssom.parsers import parse_sssom_table
from sssom.validators import validate
from sssom.writers import write_table

from graph_app.core.interchange import registers
from graph_app.core.store import OxigraphStore

# An invented national register (example.no) publishing in ELM; not real data.
REGISTER = "https://register.example.no/kvalifikasjon/"
QUALIFICATION = REGISTER + "fagbrev-elektrikerfaget"
CTID = "ce-8f3b5c2a-1d4e-4b7a-9c6d-0e1f2a3b4c5d"  # an invented CTID
CE_RESOURCE = "https://credentialengineregistry.org/resources/" + CTID
FOREIGN = "https://other.example.org/things/x1"
ELM_TTL = f"""
@prefix elm:  <http://data.europa.eu/snb/model/elm/> .
@prefix dc:   <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{QUALIFICATION}> a elm:Qualification ; dc:title "Fagbrev i elektrikerfaget (eksempel)"@nb .
"""
HEADER = """# curie_map:
#   credential: https://w3id.org/qagraph/id/credential/
#   semapv: https://w3id.org/semapv/vocab/
#   skos: http://www.w3.org/2004/02/skos/core#
{extra}# mapping_set_id: https://w3id.org/qagraph/id/mappingset/register-test
# license: https://creativecommons.org/licenses/by/4.0/
subject_id\tpredicate_id\tobject_id\tmapping_justification
"""


def _setup(qagraph: Callable[..., Result], tmp_path: Path, rows: list[tuple[str, str, str]], extra: str = "") -> str:
    assert qagraph("init").exit_code == 0
    elm_file = tmp_path / "register.ttl"
    elm_file.write_text(ELM_TTL, encoding="utf-8")
    loaded = qagraph("load", "--profile", "elm", "--source", "nkr", "--allow-violations", str(elm_file))
    assert loaded.exit_code == 0, loaded.output
    tsv = tmp_path / "register-test.sssom.tsv"
    tsv.write_text(HEADER.format(extra=extra) + "".join(
        f"{s}\t{p}\t{o}\tsemapv:ManualMappingCuration\n" for s, p, o in rows), encoding="utf-8")
    imported = qagraph("map", "import", str(tsv))
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out.sssom.tsv"
    exported = qagraph("map", "export", "register-test", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    return out.read_text(encoding="utf-8")


def _metadata(text: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load("\n".join(line[2:] for line in text.splitlines() if line.startswith("# ")))


def _rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"), strict=True)) for line in lines[1:]]


def test_an_elm_entity_and_a_registry_resource_are_named_by_register_curies(qagraph, tmp_path, store_path):
    text = _setup(qagraph, tmp_path, [
        ("credential:elinstallator-auktorisation-b", "skos:closeMatch", QUALIFICATION),
        ("credential:heta-arbeten", "skos:relatedMatch", CE_RESOURCE),
    ])
    curie_map = _metadata(text)["curie_map"]
    assert curie_map["nkr"] == REGISTER  # the source's name, the IRI's namespace
    assert curie_map["ce"] == "https://credentialengineregistry.org/resources/"
    objects = {r["subject_id"]: r["object_id"] for r in _rows(text)}
    assert objects == {"credential:elinstallator-auktorisation-b": "nkr:fagbrev-elektrikerfaget",
                       "credential:heta-arbeten": f"ce:{CTID}"}

    # sssom-py reads it: valid, every prefix declared, the CURIEs expand to the register's IRIs
    msdf = parse_sssom_table(io.StringIO(text))
    reports = validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness],
                       fail_on_error=False)
    assert all(not r.results for r in reports.values()), reports
    assert {msdf.converter.expand(o) for o in msdf.df["object_id"]} == {QUALIFICATION, CE_RESOURCE}

    # what sssom-py writes imports again into a fresh store with the same IRIs
    written = tmp_path / "written.sssom.tsv"
    with written.open("w", encoding="utf-8") as handle:
        write_table(msdf, handle)
    fresh = tmp_path / "fresh"
    from click.testing import CliRunner

    from graph_app.cli import main

    again = CliRunner().invoke(main, ["--lang", "en", "--store", str(fresh), "map", "import", str(written)])
    assert again.exit_code == 0, again.output
    store = OxigraphStore(fresh)
    try:
        ask = "ASK {{ <https://w3id.org/qagraph/id/credential/{0}> <http://www.w3.org/2004/02/skos/core#{1}> <{2}> }}"
        assert bool(store.query(ask.format("elinstallator-auktorisation-b", "closeMatch", QUALIFICATION)))
        assert bool(store.query(ask.format("heta-arbeten", "relatedMatch", CE_RESOURCE)))
    finally:
        store.close()


def test_a_prefix_the_set_declares_is_kept_and_a_foreign_iri_gets_no_register_prefix(qagraph, tmp_path):
    text = _setup(qagraph, tmp_path, [
        ("credential:elinstallator-auktorisation-b", "skos:closeMatch", "reg:fagbrev-elektrikerfaget"),
        ("credential:esa", "skos:relatedMatch", FOREIGN),
    ], extra=f"#   reg: {REGISTER}\n")
    curie_map = _metadata(text)["curie_map"]
    assert curie_map["reg"] == REGISTER and "nkr" not in curie_map
    assert "https://other.example.org/things/" not in curie_map.values()
    objects = {r["object_id"] for r in _rows(text)}
    assert objects == {"reg:fagbrev-elektrikerfaget", FOREIGN}


def test_our_own_entities_are_never_named_by_a_register_prefix(qagraph, tmp_path, store_path):
    """Our export read back by the ELM import keeps our IRIs: they stay ours."""
    assert qagraph("init").exit_code == 0
    elm_file = tmp_path / "ours.trig"
    assert qagraph("export", "--profile", "elm", "-o", str(elm_file)).exit_code == 0
    assert qagraph("load", "--profile", "elm", "--source", "from-elm", str(elm_file)).exit_code == 0
    store = OxigraphStore(store_path)
    try:
        heta = "https://w3id.org/qagraph/id/credential/heta-arbeten"
        assert registers._elm_sources(store, [heta]) == {heta: "from-elm"}  # read from ELM, and yet
        assert registers.curie_map(store, [heta], {}, "https://w3id.org/qagraph/id/") == {}
    finally:
        store.close()


@pytest.mark.parametrize(("name", "taken", "expected"), [
    ("nkr", {}, "nkr"), ("nkr", {"nkr": "x"}, "nkr2"), ("2024-export", {}, "elm-2024-export"),
    ("qdr.se", {}, "qdr-se"),
])
def test_prefixes_made_from_source_names_are_valid_and_unique(name, taken, expected):
    assert registers._prefix_for(name, taken) == expected


def test_namespace_of_an_iri():
    assert registers.namespace(QUALIFICATION) == REGISTER
    assert registers.namespace("https://x.example/a#b") == "https://x.example/a#"
    assert registers.namespace("urn:isbn:123") == "urn:isbn:123"
