"""Spreadsheets, CSV and SSSOM files that used to lose rows or columns without a word, or
end in a traceback: each now loads in full, or stops with file:sheet:row:column."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import Workbook

from .conftest import ROOT

ORGS = [["id", "label_sv", "homepage"]] + [[f"org-{i}", f"Organisation {i}", f"https://org{i}.example/"]
                                          for i in range(1, 6)]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def rewrite(path: Path, out: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of the workbook `path` with each part passed through `change` (None drops it)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            if data is not None:
                target.writestr(info, data)
    return out


def failed(result: Result, *lines: str) -> None:
    assert result.exit_code == 2, result.output
    for line in lines:
        assert line in result.output, result.output
    assert "Traceback" not in result.output


# -- 2. nothing dropped silently -------------------------------------------------------------


def test_a_stale_dimension_does_not_hide_the_rows_below_it(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    made = workbook(tmp_path / "made.xlsx", {"organisations": ORGS})
    stale = rewrite(made, tmp_path / "stale.xlsx", lambda name, data: re.sub(
        rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:AB2"/>', data) if "worksheets/" in name else data)
    assert b'ref="A1:AB2"' in zipfile.ZipFile(stale).read("xl/worksheets/sheet1.xml")
    result = qagraph("load", "--no-validate", str(stale))
    assert result.exit_code == 0, result.output
    assert "loaded 15 triples" in result.output  # 5 rows of 3 triples each, not the 1 row declared
    assert '"Organisation 5"@sv' in qagraph("export").output


def test_a_workbook_without_some_template_sheets_warns_and_loads_the_rest(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = workbook(tmp_path / "orgs.xlsx", {"organisations": ORGS})
    result = qagraph("load", "--no-validate", str(path))
    assert result.exit_code == 0, result.output
    assert "orgs.xlsx: warning: the workbook lacks the sheets 'dependencies', 'credentials'" in result.output
    assert "loaded 15 triples" in result.output


def test_a_sheet_the_workbook_lists_but_does_not_hold_is_an_error(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = workbook(tmp_path / "two.xlsx", {"organisations": ORGS, "persons": [["id", "label_sv"], ["p", "P"]]})
    lost = rewrite(path, tmp_path / "lost.xlsx",
                   lambda name, data: None if name == "xl/worksheets/sheet2.xml" else data)
    failed(qagraph("load", str(lost)), "lost.xlsx:persons: the workbook is damaged "
                                       "(xl/worksheets/sheet2.xml): the sheet's part is missing")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_values_under_a_blank_header_are_an_error_naming_row_and_column(
        tmp_path: Path, qagraph: Callable[..., Result], suffix: str) -> None:
    rows = [["id", "label_sv", None, "homepage"], ["a", "Alfa", None, None], ["b", "Beta", "lost", None]]
    path = tmp_path / f"organisations.{suffix}"
    if suffix == "csv":
        path.write_text("\n".join(",".join(c or "" for c in r) for r in rows) + "\n", encoding="utf-8")
    else:
        workbook(path, {"organisations": rows})
    failed(qagraph("load", str(path)), f"organisations.{suffix}:organisations:3:C: the column has no header "
                                       "but holds 'lost'")


def test_cells_beyond_the_header_are_an_error(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv\na,Alfa\nb,Beta,Gamma\n", encoding="utf-8")
    failed(qagraph("load", str(path)), "organisations.csv:organisations:3:C: the column has no header but holds 'Gamma'")


def test_a_repeated_column_is_an_error(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv,label_sv\na,Alfa,Alfa två\n", encoding="utf-8")
    failed(qagraph("load", str(path)), "organisations.csv:organisations:1:label_sv: the column 'label_sv' "
                                       "appears twice (also column B)")


def test_a_formula_saved_without_its_value_is_an_error_naming_the_cell(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    rows = [["id", "label_sv", "description_en"], ["a", "Alfa", '="Issues " & "hot-work certificates"']]
    path = workbook(tmp_path / "formula.xlsx", {"organisations": rows})
    failed(qagraph("load", "--no-validate", str(path)),
           'formula.xlsx:organisations:2:description_en: the cell holds a formula (="Issues " & '
           '"hot-work certificates") without a saved value')


def test_a_formula_with_its_saved_value_loads_the_value(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    rows = [["id", "label_sv", "description_en"], ["a", "Alfa", '="Issues"']]
    made = workbook(tmp_path / "made.xlsx", {"organisations": rows})
    saved = rewrite(made, tmp_path / "saved.xlsx", lambda name, data: data.replace(
        b"<v />", b"<v>Issues</v>").replace(b'<c r="C2">', b'<c r="C2" t="str">') if "worksheets/" in name else data)
    result = qagraph("load", "--no-validate", str(saved))
    assert result.exit_code == 0, result.output
    assert '"Issues"@en' in qagraph("export", "--format", "ntriples").output


def test_an_error_value_is_an_error(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    rows = [["id", "label_sv", "description_en"], ["a", "Alfa", "#REF!"]]
    path = workbook(tmp_path / "errors.xlsx", {"organisations": rows})
    failed(qagraph("load", "--no-validate", str(path)),
           "errors.xlsx:organisations:2:description_en: the cell holds the error value #REF!")


def test_a_quote_left_open_in_csv_is_an_error_not_one_cell_swallowing_the_rest(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text('id,label_sv\na,"Alfa\n' + "".join(f"o{i},Org {i}\n" for i in range(50)), encoding="utf-8")
    failed(qagraph("load", str(path)), "organisations.csv:organisations:2:-: cannot be read from here on")


# -- 3. library errors as messages with a place --------------------------------------------


def test_a_truncated_sheet_is_a_message_naming_sheet_and_row(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    sample = ROOT / "data" / "sample.xlsx"
    cut = rewrite(sample, tmp_path / "cut.xlsx",
                  lambda name, data: data[: len(data) // 2] if name == "xl/worksheets/sheet3.xml" else data)
    failed(qagraph("load", str(cut)), "cut.xlsx:credentials:15:-: cannot be read from here on: ParseError")


def test_flipped_bytes_in_the_zip_name_the_part_and_sheet(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    data = bytearray((ROOT / "data" / "sample.xlsx").read_bytes())
    with zipfile.ZipFile(ROOT / "data" / "sample.xlsx") as archive:
        info = archive.getinfo("xl/worksheets/sheet3.xml")
    start = info.header_offset + 30 + len(info.filename) + 200
    for at in range(start, start + 40):
        data[at] ^= 0x55
    path = tmp_path / "flipped.xlsx"
    path.write_bytes(bytes(data))
    failed(qagraph("load", str(path)), "flipped.xlsx:credentials: the workbook is damaged "
                                       "(xl/worksheets/sheet3.xml): zlib.error")


def test_a_workbook_that_unpacks_too_far_is_refused_before_it_is_read(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    made = workbook(tmp_path / "made.xlsx", {"organisations": ORGS})
    padding = b" " * (40 * 2**20)  # 40 MiB of blanks inside the sheet's XML packs into a few KiB
    bomb = rewrite(made, tmp_path / "bomb.xlsx", lambda name, data: data.replace(
        b"<sheetData>", b"<sheetData>" + padding) if "worksheets/" in name else data)
    assert bomb.stat().st_size < 2**20
    failed(qagraph("load", str(bomb)), "bomb.xlsx: the workbook unpacks from",
           "the limit is 100 times (setting QAGRAPH_LOAD_MAX_EXPANSION)")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused_at_the_first_row_over_it(
        tmp_path: Path, qagraph: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    monkeypatch.setenv("QAGRAPH_LOAD_MAX_ROWS", "100")
    rows = [["id", "label_sv"]] + [[f"o{i}", f"Org {i}"] for i in range(150)]
    path = tmp_path / f"organisations.{suffix}"
    if suffix == "csv":
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        workbook(path, {"organisations": rows})
    failed(qagraph("load", str(path)), f"organisations.{suffix}:organisations:102:-: more than 100 rows "
                                       "(setting QAGRAPH_LOAD_MAX_ROWS)")


def test_a_csv_cell_over_the_size_limit_names_its_row(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv\na,Alfa\nb," + "x" * (2 * 2**20) + "\n", encoding="utf-8")
    failed(qagraph("load", str(path)), "organisations.csv:organisations:3:-: the cell is longer than 1 MiB "
                                       "(setting QAGRAPH_LOAD_MAX_LITERAL_SIZE)")


def test_a_nul_byte_in_a_url_cell_is_a_message(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    # (XML 1.0 has no NUL, so a workbook cannot hold one: expat refuses the sheet instead)
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv,homepage\na,Alfa,https://alfa.example/\x00home\n", encoding="utf-8")
    failed(qagraph("load", str(path)), "organisations.csv:organisations:2:homepage: the cell holds a "
                                       "control character (U+0000)")


def test_an_iri_that_the_store_refuses_is_a_cell_error(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv,homepage\na,Alfa,https://alfa.example/%zz\n", encoding="utf-8")
    failed(qagraph("load", str(path)), "organisations.csv:organisations:2:homepage: "
                                       "'https://alfa.example/%zz' is not a web address")


# -- SSSOM -------------------------------------------------------------------------------------

SSSOM = (ROOT / "data" / "mappings" / "nordic-hot-work.sssom.tsv").read_text(encoding="utf-8")


def sssom(tmp_path: Path, text: str, name: str = "set.sssom.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_curie_map_iri_with_a_space_is_a_message_with_its_line(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    text = SSSOM.replace("  curator: https://w3id.org/qagraph/id/curator/", "  curator: https://w3id.org/qa graph/")
    failed(qagraph("load", str(sssom(tmp_path, text))),
           "set.sssom.tsv:3:curie_map: the prefix 'curator' stands for 'https://w3id.org/qa graph/', "
           "which is not a valid IRI")


def test_an_sssom_cell_over_the_size_limit_names_its_line(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    text = SSSOM.replace("Danish and Norwegian", "x" * (2 * 2**20), 1)
    failed(qagraph("load", str(sssom(tmp_path, text))),
           "set.sssom.tsv:14:-: a cell is longer than 1 MiB (setting QAGRAPH_LOAD_MAX_LITERAL_SIZE)")


def test_an_sssom_file_that_is_not_utf8_gives_line_and_column(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    path = tmp_path / "set.sssom.tsv"
    path.write_bytes(SSSOM.replace("Danish and", "Dänish and", 1).encode("latin-1", "replace"))
    failed(qagraph("load", str(path)), "set.sssom.tsv:14:", "the text is not UTF-8 (byte 0xE4")


def test_a_deeply_nested_sssom_metadata_block_is_a_message(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    text = "# comment: " + "[" * 5000 + "]" * 5000 + "\n" + SSSOM
    failed(qagraph("load", str(sssom(tmp_path, text))), "set.sssom.tsv:1:metadata: the YAML metadata block "
                                                        "nests too deep")


def test_a_nul_byte_in_an_sssom_cell_is_a_message(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    text = SSSOM.replace("https://brandogsikring.dk/", "https://brandogsikring.dk/\x00", 1)
    failed(qagraph("load", str(sssom(tmp_path, text))),
           "set.sssom.tsv:14:see_also: the cell holds a control character")


# -- the csv module's own field limit (128 KiB) is not the limit ------------------------------


def test_a_csv_cell_over_the_csv_modules_field_limit_but_under_ours_loads(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    long = "Issues hot-work certificates. " * 7000  # 210,000 characters: over 131,072, under 1 MiB
    path = tmp_path / "organisations.csv"
    path.write_text(f"id,label_sv,description_en\na,Alfa,{long}\n", encoding="utf-8")
    result = qagraph("load", "--no-validate", str(path))
    assert result.exit_code == 0 and "loaded 3 triples" in result.output, result.output
    assert long.strip() in qagraph("export", "--format", "ntriples").output


def test_an_sssom_cell_over_the_csv_modules_field_limit_but_under_ours_loads(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    long = "Danish and Norwegian " * 10_000  # 210,000 characters
    result = qagraph("load", str(sssom(tmp_path, SSSOM.replace("Danish and Norwegian", long, 1))))
    assert result.exit_code == 0, result.output
    assert long.strip()[:1000] in qagraph("export", "--format", "ntriples").output


# -- messages in Swedish, with the same places ---------------------------------------------------


def test_table_and_sssom_messages_are_in_swedish_too(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    blank = tmp_path / "organisations.csv"
    blank.write_text("id,label_sv,,homepage\na,Alfa,,\nb,Beta,lost,\n", encoding="utf-8")
    failed(qagraph("load", str(blank), lang="sv"), "1 fel i tabellerna; ingenting har ändrats i lagret",
           "organisations.csv:organisations:3:C: kolumnen saknar rubrik men har värdet 'lost'")
    rows = [["id", "label_sv", "description_en"], ["a", "Alfa", '="Issues"']]
    formula = workbook(tmp_path / "formula.xlsx", {"organisations": rows})
    failed(qagraph("load", str(formula), lang="sv"),
           'formula.xlsx:organisations:2:description_en: cellen har en formel (="Issues") utan sparat värde')
    cut = rewrite(ROOT / "data" / "sample.xlsx", tmp_path / "cut.xlsx",
                  lambda name, data: data[: len(data) // 2] if name == "xl/worksheets/sheet3.xml" else data)
    failed(qagraph("load", str(cut), lang="sv"), "cut.xlsx:credentials:15:-: kan inte läsas härifrån: ParseError")
    text = SSSOM.replace("  curator: https://w3id.org/qagraph/id/curator/", "  curator: https://w3id.org/qa graph/")
    failed(qagraph("load", str(sssom(tmp_path, text)), lang="sv"),
           "1 fel i SSSOM-filen; ingenting har ändrats i lagret",
           "set.sssom.tsv:3:curie_map: prefixet 'curator' står för 'https://w3id.org/qa graph/', "
           "som inte är en giltig IRI")


def test_a_large_table_is_bulk_loaded_from_a_file_that_a_kill_cannot_leave_behind(
        tmp_path: Path, qagraph: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    import loaders.tables
    from graph_app.core.store import OxigraphStore

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setattr(loaders.tables, "BULK_TRIPLES", 10)  # bulk-load even these few rows
    seen: list[list[str]] = []
    bulk = OxigraphStore.bulk_write_staged

    def watched(self: OxigraphStore, staged: object, path: Path, fmt: object) -> None:
        seen.append(sorted(p.name for p in temporary.rglob("*")))  # what a kill now would leave
        bulk(self, staged, path, fmt)  # type: ignore[arg-type]

    monkeypatch.setattr(OxigraphStore, "bulk_write_staged", watched)
    path = tmp_path / "organisations.csv"
    path.write_text("id,label_sv,label_en\n" + "".join(f"o{i},Org {i},Org {i} (en)\n" for i in range(20)),
                    encoding="utf-8")
    result = qagraph("load", "--no-validate", str(path))
    assert result.exit_code == 0 and "loaded 60 triples" in result.output, result.output
    assert seen == [[]]
    assert list(temporary.iterdir()) == []


def with_column(header: str, value: str) -> str:
    """The sample set with one more column: `header` over `value` in every mapping row."""
    lines = SSSOM.split("\n")
    at = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
    lines[at] += "\t" + header
    for i in range(at + 1, len(lines)):
        lines[i] += ("\t" + value) if lines[i] else ""
    return "\n".join(lines)


def test_sssom_values_under_a_blank_header_are_an_error_naming_line_and_column(
        tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    columns = next(line for line in SSSOM.split("\n") if line and not line.startswith("#")).count("\t") + 2
    failed(qagraph("load", str(sssom(tmp_path, with_column("", "lost value")))),
           f"set.sssom.tsv:14:{columns}: the column has no header but holds 'lost value'")


def test_a_repeated_sssom_column_is_an_error(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    failed(qagraph("load", str(sssom(tmp_path, with_column("comment", "second comment")))),
           "set.sssom.tsv:13:comment: the column 'comment' appears twice (also column")


@pytest.mark.parametrize("command", [("load",), ("map", "import")])
def test_an_sssom_column_that_is_no_slot_warns_and_the_set_loads(
        tmp_path: Path, qagraph: Callable[..., Result], command: tuple[str, ...]) -> None:
    result = qagraph(*command, str(sssom(tmp_path, with_column("favourite_colour", "blue"))))
    assert result.exit_code == 0, result.output
    assert ("set.sssom.tsv: warning: the columns 'favourite_colour' are neither SSSOM slots nor declared in "
            "extension_definitions; their values are not loaded") in result.output
    swedish = qagraph(*command, str(sssom(tmp_path, with_column("favourite_colour", "blue"))), lang="sv")
    assert "set.sssom.tsv: varning: kolumnerna 'favourite_colour' är varken SSSOM-fält" in swedish.output


def test_a_declared_extension_column_gives_no_warning(tmp_path: Path, qagraph: Callable[..., Result]) -> None:
    declared = with_column("ext_colour", "blue").replace(
        "# curie_map:", "# extension_definitions:\n#   - slot_name: ext_colour\n"
        "#     property: https://w3id.org/qagraph/ext/colour\n# curie_map:", 1)
    assert "# extension_definitions:" in declared
    result = qagraph("load", str(sssom(tmp_path, declared)))
    assert result.exit_code == 0 and "warning: the columns" not in result.output, result.output
