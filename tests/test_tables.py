"""Spreadsheet templates: golden files, round trips, every bad cell at once, the sample
workbook, the generated docs and the CLI commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

import loaders
from graph_app.core.errors import TableErrors
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore, Store
from graph_app.core.terms import graph_from_triples
from loaders.tables import covered, export_graph, read_graph
from loaders.tables.docs import DOC_PATH, render
from loaders.tables.sample import SAMPLE_PATH, sample_graph
from loaders.tables.spec import SHEETS
from loaders.tables.writer import write_csv_folder, write_workbook

STORE_KINDS = ("embedded", "remote")

HERE = Path(__file__).parent / "tables"
BASE = DEFAULT_BASE


def _same(expected: Graph, actual: Graph) -> None:
    if not isomorphic(expected, actual):
        _both, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        missing = sorted(str(t) for t in only_expected)[:10]
        extra = sorted(str(t) for t in only_actual)[:10]
        raise AssertionError(f"graphs differ\nmissing: {missing}\nextra: {extra}")


def _load(store: OxigraphStore, *paths: Path, validate: bool = False) -> None:
    load(store, [LoadInput(p, p.stem.replace(".", "-"), loaders.for_path(p)) for p in paths],
         base_iri=BASE, validate=validate)


def _store_graph(store: OxigraphStore) -> Graph:
    """The loaded data: every source graph, without the load metadata."""
    graphs = [g.value for g in store.current_graphs().values()]
    return graph_from_triples(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                          default_graphs=graphs))


# -- golden files: rows -> expected graph ----------------------------------------------------


def test_golden_organisations() -> None:
    _same(Graph().parse(HERE / "organisations.ttl"), read_graph(HERE / "organisations.csv", BASE))


def test_golden_credentials_and_routes_refer_to_the_store(store: OxigraphStore) -> None:
    """Each CSV file refers to rows loaded before it, by id, by name and as kind/id."""
    _load(store, HERE / "organisations.csv")
    _same(Graph().parse(HERE / "credentials.ttl"), read_graph(HERE / "credentials.csv", BASE, store))
    _load(store, HERE / "credentials.csv")
    _same(Graph().parse(HERE / "routes.ttl"), read_graph(HERE / "routes.csv", BASE, store))


def test_loaders_are_registered_by_extension() -> None:
    assert loaders.for_path(Path("x/credentials.csv")).name == "csv"
    assert loaders.for_path(Path("book.xlsx")).name == "xlsx"


# -- every bad cell, at once, and nothing committed ------------------------------------------


def _bad_workbook(path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "organisations"
    ws.append(["id", "label_sv", "country"])
    ws.append(["sbf", "Brandskyddsföreningen", "Sverige"])  # row 2: bad country
    creds = book.create_sheet("credentials")
    creds.append(["id", "label_sv", "validity_period", "regulated"])
    creds.append(["heta", "Heta arbeten", "fem år", "kanske"])  # row 2: bad duration, boolean
    routes = book.create_sheet("routes")
    routes.append(["id", "label_sv", "credential", "assurance_level", "issuer"])
    routes.append(["heta-sbf", "Heta via SBF", "heta", "Z9", "sbf"])  # row 2: unknown level
    routes.append(["heta-x", "Heta via X", "heta", "B", "ingen-sadan"])  # row 3: dangling reference
    people = book.create_sheet("persons")
    people.append(["id", "label_sv"])
    people.append(["anna", "Anna Exempel"])
    awards = book.create_sheet("awards")
    awards.append(["id", "awardee", "credential", "issued"])
    awards.append(["a1", "anna", "heta", "2023-13-45"])  # row 2: bad date
    book.save(path)


EXPECTED_BAD = [
    "bad.xlsx:organisations:2:country:",
    "bad.xlsx:credentials:2:validity_period:",
    "bad.xlsx:credentials:2:regulated:",
    "bad.xlsx:routes:2:assurance_level:",
    "bad.xlsx:routes:3:issuer:",
    "bad.xlsx:awards:2:issued:",
]


def test_every_bad_cell_is_reported_at_once_and_nothing_is_committed(
    tmp_path: Path, open_store: Callable[[], Store], qagraph: Callable[..., Result]
) -> None:
    store = open_store()
    try:
        _load(store, HERE / "organisations.csv")
        before_sources = [(s.name, s.triples, s.checksum) for s in store.sources()]
        before = _store_graph(store)
    finally:
        store.close()
    bad = tmp_path / "bad.xlsx"
    _bad_workbook(bad)
    result = qagraph("load", str(bad))
    assert result.exit_code == 2, result.output
    for position in EXPECTED_BAD:
        assert position in result.output, (position, result.output)
    assert "'Z9' is not in" in result.output
    assert "'ingen-sadan' refers to no row" in result.output
    assert "'2023-13-45' is not a date" in result.output
    swedish = qagraph("load", str(bad), lang="sv")
    assert "'2023-13-45' är inget datum" in swedish.output
    reopened = open_store()
    try:
        assert [(s.name, s.triples, s.checksum) for s in reopened.sources()] == before_sources
        _same(before, _store_graph(reopened))
    finally:
        reopened.close()


def test_bad_header_and_unknown_sheet(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "routes"
    ws.append(["id", "label_sv", "colour"])  # unknown column; required columns missing
    ws.append(["r", "Väg", "blå"])
    book.create_sheet("budget").append(["x"])
    path = tmp_path / "header.xlsx"
    book.save(path)
    with pytest.raises(TableErrors) as caught:
        read_graph(path, BASE)
    lines = caught.value.details("en")
    assert "header.xlsx:budget:1:-: 'budget' is not a sheet of the template" in lines[-1] or any(
        "'budget' is not a sheet" in line for line in lines)
    assert any(line.startswith("header.xlsx:routes:1:colour: unknown column") for line in lines)
    for required in ("credential", "assurance_level", "issuer"):
        assert any(f":routes:1:{required}: the required column" in line for line in lines)


def test_duplicate_ids_and_ambiguous_names(tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv\na,Samma\na,Annan\nb,Samma\n", encoding="utf-8")
    deps = tmp_path / "book.xlsx"
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "organisations"
    ws.append(["id", "label_sv"])
    ws.append(["a", "Samma"])
    ws.append(["b", "Samma"])
    links = book.create_sheet("dependencies")
    links.append(["organisation", "relation", "target"])
    links.append(["a", "ägs av", "Samma"])
    book.save(deps)
    with pytest.raises(TableErrors) as first:
        read_graph(path, BASE)
    assert any(":organisations:3:id: the identifier 'a' is already used in row 2" in x
               for x in first.value.details("en"))
    with pytest.raises(TableErrors) as second:
        read_graph(deps, BASE)
    assert any(":dependencies:2:target: 'Samma' may mean several rows" in x for x in second.value.details("en"))


# -- round trips ---------------------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ0123456789 -.,()",
               min_size=1, max_size=20).map(str.strip).filter(bool)
SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    org_ids = draw(st.lists(SLUG, min_size=1, max_size=5, unique=True))
    orgs = []
    for oid in org_ids:
        orgs.append({
            "id": oid,
            "label_sv": draw(WORD),
            "label_en": draw(st.one_of(st.just(""), WORD)),
            "label_other": draw(st.one_of(st.just(""), WORD.map(lambda w: f"{w}@nb"))),
            "country": draw(st.sampled_from(["", "SE", "NO", "DK", "FI"])),
            "sector": " | ".join(draw(st.lists(st.sampled_from(["FireSafety", "Welding", "Brandskydd"]),
                                               max_size=2, unique=True))),
            "source": draw(st.sampled_from(["", "https://example.org/a", "https://example.org/a | https://example.org/b"])),
        })
    links = [{"organisation": draw(st.sampled_from(org_ids)),
              "relation": draw(st.sampled_from(["owned_by", "member_of", "controlled_by"])),
              "target": draw(st.sampled_from(org_ids))} for _ in range(draw(st.integers(0, 3)))]
    cred_ids = draw(st.lists(SLUG, min_size=1, max_size=3, unique=True))
    creds = [{"id": cid, "label_sv": draw(WORD),
              "validity_period": draw(st.sampled_from(["", "P5Y", "P18M", "P3Y6M"])),
              "seqf_level": draw(st.sampled_from(["", "1", "4", "8"])),
              "regulated": draw(st.sampled_from(["", "ja", "false"])),
              "regulated_by": draw(st.sampled_from(["", *org_ids]))} for cid in cred_ids]
    routes = [{"id": f"r-{cid}", "label_sv": draw(WORD), "credential": cid,
               "assurance_level": draw(st.sampled_from(["B", "C1", "Utbildningsintyg", "F"])),
               "issuer": " | ".join(draw(st.lists(st.sampled_from(org_ids), min_size=1, max_size=2, unique=True))),
               "attendance_control": draw(st.sampled_from(["", "true", "nej"]))} for cid in cred_ids]
    awards = [{"id": f"a-{cid}", "awardee": "p", "credential": cid,
               "issued": f"20{draw(st.integers(10, 29))}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}"}
              for cid in cred_ids]
    return {"organisations": orgs, "dependencies": links, "credentials": creds, "routes": routes,
            "persons": [{"id": "p", "label_sv": "Person"}], "awards": awards}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=workbooks())
def test_property_load_export_load_is_isomorphic(tmp_path_factory: pytest.TempPathFactory,
                                                 rows: dict[str, list[dict[str, str]]]) -> None:
    folder = tmp_path_factory.mktemp("prop")
    write_workbook(rows, folder / "in.xlsx")
    first = read_graph(folder / "in.xlsx", BASE)
    export_graph(first, folder / "out.xlsx", BASE)
    _same(first, read_graph(folder / "out.xlsx", BASE))
    _same(first, covered(first))


def test_csv_folder_round_trip(tmp_path: Path) -> None:
    graph = read_graph(HERE / "organisations.csv", BASE)
    export_graph(graph, tmp_path / "out", BASE)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{s.name}.csv" for s in SHEETS)
    _same(graph, read_graph(tmp_path / "out" / "organisations.csv", BASE))


# -- the sample workbook --------------------------------------------------------------------------


def test_sample_xlsx_loads_as_the_sample_turtle(tmp_path: Path) -> None:
    """Loading data/sample.xlsx gives the sample Turtle's graph, for what the templates
    cover (python -m loaders.tables.sample regenerates the workbook)."""
    turtle_store = OxigraphStore(tmp_path / "ttl")
    sheet_store = OxigraphStore(tmp_path / "xlsx")
    try:
        from graph_app.core.resources import sample_files

        _load(turtle_store, *sample_files())
        _load(sheet_store, SAMPLE_PATH)
        from_turtle = _store_graph(turtle_store)
        from_sheet = _store_graph(sheet_store)
    finally:
        turtle_store.close()
        sheet_store.close()
    try:
        _same(covered(from_turtle), from_sheet)
    except AssertionError as err:
        raise AssertionError(f"{err}\ndata/sample.xlsx is stale: run python -m loaders.tables.sample") from None
    uncovered = len(from_turtle) - len(covered(from_turtle))
    print(f"sample: {len(from_turtle)} triples, {uncovered} outside the templates")
    assert len(from_sheet) > 0.9 * len(from_turtle)


def test_sample_graph_is_what_init_loads() -> None:
    """qagraph init loads data/*.ttl only, so the workbook is never loaded twice."""
    from graph_app.core.resources import sample_files

    assert SAMPLE_PATH.exists()
    assert SAMPLE_PATH not in sample_files()
    assert len(sample_graph()) > 0


# -- docs and CLI ---------------------------------------------------------------------------------


def test_docs_match_the_spec() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), "run: python -m loaders.tables.docs"
    for sheet in SHEETS:
        assert f"## {sheet.name}" in DOC_PATH.read_text(encoding="utf-8")


def test_template_xlsx_has_help_and_drop_downs(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    out = tmp_path / "t.xlsx"
    result = qagraph("template", "--xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert [s.name for s in SHEETS] == book.sheetnames[: len(SHEETS)]
    assert {"help", "lists"} <= set(book.sheetnames)
    routes = book["routes"]
    header = [c.value for c in routes[1]]
    assert header == [c.name for c in SHEETS[3].columns]
    level = routes.cell(row=1, column=header.index("assurance_level") + 1)
    assert level.comment is not None and "Assurance level" in level.comment.text
    assert "B, C1, C2, D, E, F" in level.comment.text
    formulas = [dv.formula1 for dv in routes.data_validations.dataValidation]
    assert formulas, "no drop-down lists"
    lists = book["lists"]
    values = {lists.cell(row=r, column=c).value for c in range(1, lists.max_column + 1)
              for r in range(2, lists.max_row + 1)}
    assert {"B", "C1", "PhotoId", "owned_by"} <= values


def test_template_csv_writes_one_header_per_sheet(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    result = qagraph("template", "-o", str(tmp_path / "t"))
    assert result.exit_code == 0, result.output
    first = (tmp_path / "t" / "credentials.csv").read_text(encoding="utf-8").splitlines()
    assert first == [",".join(c.name for c in SHEETS[2].columns)]


def test_cli_export_tables_round_trip(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    assert qagraph("load", "--no-validate", str(HERE / "organisations.csv")).exit_code == 0
    out = tmp_path / "dump.xlsx"
    result = qagraph("export", "--tables", str(out))
    assert result.exit_code == 0, result.output
    assert "3 rows" in result.output
    _same(read_graph(HERE / "organisations.csv", BASE), read_graph(out, BASE))


def test_write_csv_folder_writes_rows(tmp_path: Path) -> None:
    write_csv_folder({"persons": [{"id": "p", "label_sv": "Per"}]}, tmp_path)
    assert (tmp_path / "persons.csv").read_text(encoding="utf-8").splitlines()[1].startswith("p,Per")


def test_bulk_path_gives_the_same_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large loads go through a bulk load into the staged graph; the result is the same."""
    import loaders.tables as tables

    graphs = []
    for name, threshold in (("small", 10**9), ("bulk", 0)):
        monkeypatch.setattr(tables, "BULK_TRIPLES", threshold)
        store = OxigraphStore(tmp_path / name)
        try:
            _load(store, HERE / "organisations.csv", validate=True)
            graphs.append(_store_graph(store))
        finally:
            store.close()
    assert len(graphs[0]) > 10
    _same(graphs[0], graphs[1])


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("broken.xlsx", b"not a zip file", "broken.xlsx: the workbook is damaged (zip): BadZipFile"),
    ("persons.csv", "id,label_sv\np,Pär\n".encode("latin-1"),
     "persons.csv:2:4: the text is not UTF-8 (byte 0xE4 cannot stand here)"),
])
def test_unreadable_files_exit_2_without_traceback(tmp_path: Path, qagraph: Callable[..., Result],
                                                   name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = qagraph("load", str(path))
    assert result.exit_code == 2
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


def test_a_name_in_any_language_will_do(tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv,label_en,label_other,country\na,,Only English,,SE\n"
                    "b,,,Bare norsk@nb,NO\nc,,,,DK\n", encoding="utf-8")
    with pytest.raises(TableErrors) as caught:
        read_graph(path, BASE)
    assert caught.value.details("en") == [
        "organisations.csv:organisations:4:label_sv: the row needs a name (label_sv, label_en or label_other)"]
    path.write_text("id,label_en\na,Only English\n", encoding="utf-8")
    graph = read_graph(path, BASE)
    _same(graph, read_graph(_export_csv(graph, tmp_path / "out") / "organisations.csv", BASE))


def _export_csv(graph: Graph, folder: Path) -> Path:
    export_graph(graph, folder, BASE)
    return folder
