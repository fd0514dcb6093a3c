"""docs/tables.md, generated from the column specification.

Regenerate with `python -m loaders.tables.docs`; a test fails when the committed page
and the specification differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from graph_app.core.namespaces import compact
from graph_app.core.resources import ROOT

from .spec import SEPARATOR, SHEETS, Column, Sheet
from .writer import allowed_values

DOC_PATH = ROOT / "docs" / "tables.md"

INTRO = f"""# Spreadsheet templates (CSV and Excel)

<!-- Generated from loaders/tables/spec.py by `python -m loaders.tables.docs`; do not edit. -->

Data stewards can keep qagraph data in spreadsheets: one sheet (or one CSV file) per kind
of thing. This page lists every sheet and column. It is generated from the same
specification as the templates, the loader and the exporter.

## Commands

- `qagraph template --xlsx -o templates.xlsx` writes an empty workbook: each header cell
  carries a comment with its meaning (sv and en), whether it is required, its type and
  the allowed values; controlled columns have drop-down lists; the sheet `help` lists all
  columns. `qagraph template -o templates/` writes one empty CSV file per sheet.
- `qagraph load file.xlsx` or `qagraph load credentials.csv` loads a workbook or one
  CSV file. A CSV file's name says its sheet (`credentials.csv`, `credentials-2025.csv`).
  The load goes through the same pipeline as RDF files: parse, SHACL validation, one
  transaction, all or nothing.
- `qagraph export --tables out.xlsx` (or `--tables folder/`) writes the store back out in
  the same templates.
- `python -m loaders.tables.sample` regenerates `data/sample.xlsx` from the sample Turtle
  files (`qagraph init` loads only `data/*.ttl`, never the workbook).

## Cells

- **id**: a stable identifier; the row's IRI is `https://w3id.org/qagraph/id/{{kind}}/{{id}}`
  (the base is the `BASE_IRI` setting). Letters, digits, `-`, `_` and `.`; or a full IRI.
  When empty, the id is a slug of `label_sv` (else `label_en`; `å`→`a`, spaces→`-`), or
  for rows without a name, of the required references and dates.
- **reference**: another row, by its id, by one of its names (when only one row has that
  name), as `kind/id`, or as a full IRI. It may also name something already in the store.
  Rows of one workbook may refer to each other in any order. One CSV file can refer only
  to itself and to the store: load `organisations.csv` before `credentials.csv`, or use a
  workbook.
- **concept**: a concept of a concept scheme (`ontology/schemes/`), by its notation or by
  its preferred label in Swedish or English (case does not matter). The exporter writes
  notations.
- **tagged**: a text with its language: `Norsk brannvernforening@nb`.
- **several values** in one cell are separated by `{SEPARATOR}`.
- **date**: `YYYY-MM-DD` or an Excel date. **boolean**: `true`/`false`, `ja`/`nej`,
  `yes`/`no`. **duration**: ISO 8601 (`P5Y`, `P18M`). **country**: ISO 3166-1 alpha-2
  (`SE`). **url**: `http://` or `https://`.
- Empty rows are skipped. Unknown columns, missing required columns and bad cells are all
  reported at once as `file:sheet:row:column: message` (in Swedish or English), and
  nothing is loaded.

## Limits and broken files

A load either takes every row and every value of the file, or stops with a message that
says where (exit 2), and nothing is written. What the loader does with each kind of
trouble, and why:

| trouble | what happens | why |
|---|---|---|
| a sheet declares a smaller range than it holds (a stale `<dimension ref="A1:AB2"/>`, which some programs write) | every row is read all the same | the declared range is a hint that openpyxl's read-only mode would trust; the rows are the data |
| the workbook lacks some of the template's sheets | the load goes on and warns, naming them (`file: warning: the workbook lacks the sheets …`) | a workbook with only the sheets a steward uses is normal; nothing in it is lost, and the warning catches a sheet deleted by mistake |
| the workbook lists a sheet whose part is missing from the package | error, naming the sheet and the part | openpyxl would skip the sheet without a word: its rows would be lost |
| values in a column with a blank header, beyond the header, or in a second column of the same name | error at the first such value (`file:sheet:row:F`), or at the repeated header | nobody can tell what the values mean; loading the rest would drop them |
| a formula saved without its value (as openpyxl and some other programs save them) | error at the cell, quoting the formula | the value was never computed, so loading an empty cell would lose it; open the workbook in a spreadsheet program and save it, or type the value. A formula with a saved value loads that value; a saved empty text (`t="str"`) is an empty cell |
| an error value (`#REF!`, `#N/A`, …) | error at the cell | it is not data |
| a control character (such as NUL) in a cell | error at the cell | it cannot be part of an IRI, and no text needs it |
| a cell longer than `QAGRAPH_LOAD_MAX_LITERAL_SIZE` (1 MiB), in CSV also at the csv module's field limit | error at the row | protects memory; a description is never that long |
| more than `QAGRAPH_LOAD_MAX_ROWS` (100,000) rows in a sheet or CSV file, or more than 100 cells per allowed row (empty ones too) | error at the first row over the limit | protects memory and time (a 1.5 MB workbook can hold 1,048,575 rows) |
| a workbook that unpacks to more than `QAGRAPH_LOAD_MAX_EXPANSION` (100) times its size, or to more than `QAGRAPH_LOAD_MAX_FILE_SIZE` | refused before anything is unpacked | a zip bomb; real workbooks unpack about 5 to 20 times |
| a damaged package: flipped bytes, a cut-off part, a wrong checksum | error naming the part and its sheet | every part is unpacked and checked once before openpyxl reads it |
| broken XML inside a sheet | error naming the sheet and the row where reading stopped | |
| a CSV quote left open | error at the row where it opens | the csv module would otherwise make the rest of the file one cell |
| a CSV file that is not UTF-8 | error at `file:line:column` of the first bad byte | |

The same limits hold for RDF files (see `docs/settings.md`): nesting deeper than
`QAGRAPH_LOAD_MAX_DEPTH`, literals, IRIs, names or comments longer than
`QAGRAPH_LOAD_MAX_LITERAL_SIZE`, RDF/XML entities that refer to other entities or to other
files, or that expand the text more than `QAGRAPH_LOAD_MAX_EXPANSION` times, and remote
JSON-LD contexts, which are never fetched. SSSOM files are checked the same way: their
`curie_map` entries and the IRIs their CURIEs expand to must be valid IRIs; values under a
blank header and a repeated column are errors (sssom-py would drop them without a word);
a column that is neither an SSSOM slot nor declared in `extension_definitions` gives a
warning and the load goes on, since the SSSOM standard lets a reader ignore such columns.

## What the templates do not cover

The round trip (export, then load: an isomorphic graph) holds for what the columns
below carry. Not carried: blank nodes; entities typed only with classes that have no
sheet (learning outcomes, mapping sets); values that fit no column, such as a
description in a language other than Swedish or English, a second Swedish description,
or a literal of another datatype than its column's; references to things that are not
of a class the column points to. SSSOM mapping sets (loaded with `qagraph map import`)
keep their mappings as blank nodes and are exported with `qagraph map export`, not here;
the `mappings` sheet is for single mappings with an id, in the same SSSOM RDF form
(`owl:Axiom` with `owl:annotatedSource`, `owl:annotatedProperty`, `owl:annotatedTarget`),
and the loader adds the SKOS triple itself unless the modifier is `Not`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type(column: Column) -> str:
    text: str = column.type
    if column.lang:
        text += f" ({column.lang})"
    if column.type == "reference":
        text += " → " + ", ".join(column.targets)
    if column.predicate:
        text += f"; `{compact(column.predicate)}`" + (" (inverse)" if column.inverse else "")
    if column.multiple:
        text += "; several"
    return text


def _sheet(sheet: Sheet) -> str:
    lines = [f"## {sheet.name}", ""]
    what = f"{sheet.sv} / {sheet.en}"
    if sheet.rdf_class:
        what += f": one row per `{compact(sheet.rdf_class)}`, IRI `{{base}}{sheet.kind}/{{id}}`."
        if sheet.needs_name:
            what += " Each row needs a name in at least one language."
    else:
        what += ": one row per link, `organisation` —relation→ `target`."
    lines += [what, "", "| column | required | type | betydelse (sv) | meaning (en) | allowed values |",
              "|---|---|---|---|---|---|"]
    for col in sheet.columns:
        allowed = allowed_values(col)
        if col.type == "choice":
            allowed = [f"{c.value} ({c.sv} / {c.en})" for c in col.choices]
        lines.append("| " + " | ".join(_cell(x) for x in (
            f"`{col.name}`", "yes" if col.required else "", _type(col), col.sv, col.en, ", ".join(allowed),
        )) + " |")
    return "\n".join(lines) + "\n"


def render() -> str:
    return INTRO + "\n" + "\n".join(_sheet(s) for s in SHEETS)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DOC_PATH
    path.write_text(render(), encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
