"""Messages of the core and the CLI, in Swedish and English.

The web interface has its own catalogue (Flask-Babel); these are the texts that the
core raises and the command line prints, so that a data steward can work in either
language (`qagraph --lang sv|en`).
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("sv", "en")
DEFAULT_LANGUAGE: Final = "sv"

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "parse_error": {
        "sv": "{where}: syntaxfel: {detail}",
        "en": "{where}: syntax error: {detail}",
    },
    "file_missing": {
        "sv": "{file}: filen finns inte",
        "en": "{file}: no such file",
    },
    "unknown_format": {
        "sv": "{file}: okänt filformat; ange --format (ett av: {formats})",
        "en": "{file}: unknown file format; give --format (one of: {formats})",
    },
    "bad_format_name": {
        "sv": "okänt format '{name}'; välj ett av: {formats}",
        "en": "unknown format '{name}'; choose one of: {formats}",
    },
    "bad_source_name": {
        "sv": "ogiltigt källnamn '{name}': använd bokstäver, siffror, '-', '_' och '.'",
        "en": "invalid source name '{name}': use letters, digits, '-', '_' and '.'",
    },
    "duplicate_source": {
        "sv": "källan '{name}' anges mer än en gång i samma laddning",
        "en": "source '{name}' is given more than once in the same load",
    },
    "unknown_source": {
        "sv": "det finns ingen källa som heter '{name}'",
        "en": "there is no source named '{name}'",
    },
    "empty_file": {
        "sv": "{file}: filen innehåller inga tripler",
        "en": "{file}: the file holds no triples",
    },
    "violations_found": {
        "sv": "{count} överträdelse(r) av formreglerna; ingenting har ändrats i lagret",
        "en": "{count} shape violation(s); nothing in the store has changed",
    },
    "violations_in_store": {
        "sv": "{count} överträdelse(r) av formreglerna i lagret",
        "en": "{count} shape violation(s) in the store",
    },
    "violations_allowed": {
        "sv": "{count} överträdelse(r) av formreglerna; laddat ändå (--allow-violations)",
        "en": "{count} shape violation(s); loaded anyway (--allow-violations)",
    },
    "warnings_found": {
        "sv": "{count} varning(ar)",
        "en": "{count} warning(s)",
    },
    "loaded": {
        "sv": "laddade {triples} tripler från {file} som källan '{source}'",
        "en": "loaded {triples} triples from {file} as source '{source}'",
    },
    "conforms": {
        "sv": "inga överträdelser ({count} noder kontrollerade)",
        "en": "no violations ({count} nodes checked)",
    },
    "dropped": {
        "sv": "tog bort källan '{source}' ({triples} tripler)",
        "en": "dropped source '{source}' ({triples} triples)",
    },
    "query_error": {
        "sv": "fel i SPARQL-frågan: {detail}",
        "en": "error in the SPARQL query: {detail}",
    },
    "store_locked": {
        "sv": "lagret {path} används av en annan process: {detail}",
        "en": "the store {path} is in use by another process: {detail}",
    },
    "sample_loaded": {
        "sv": "lagret var tomt: laddade ontologin och exempeldata ({triples} tripler)",
        "en": "the store was empty: loaded the ontology and sample data ({triples} triples)",
    },
    "sample_warnings": {
        "sv": "{count} varningar om luckor i exempeldata; `qagraph validate` listar dem",
        "en": "{count} warnings about gaps in the sample data; `qagraph validate` lists them",
    },
    "serving": {
        "sv": "qagraph visas på http://{host}:{port}/ (stoppa med Ctrl+C)",
        "en": "qagraph is served at http://{host}:{port}/ (stop it with Ctrl+C)",
    },
    "store_ready": {
        "sv": "lagret har redan data ({triples} tripler); inget laddades",
        "en": "the store already holds data ({triples} triples); nothing was loaded",
    },
    "severity_Violation": {"sv": "överträdelse", "en": "violation"},
    "severity_Warning": {"sv": "varning", "en": "warning"},
    "severity_Info": {"sv": "information", "en": "info"},
    "no_sources": {"sv": "inga källor är laddade", "en": "no sources are loaded"},
    "shape_failed": {
        "sv": "en form kunde inte valideras: {detail}",
        "en": "a shape could not be validated: {detail}",
    },
    "report_written": {
        "sv": "skrev valideringsrapporten ({count} resultat) till {path}",
        "en": "wrote the validation report ({count} results) to {path}",
    },
    "shacl_generic": {
        "sv": "värdet uppfyller inte villkoret {component}",
        "en": "the value does not satisfy the constraint {component}",
    },
    "bad_setting": {
        "sv": "inställningen {name} har ett ogiltigt värde '{value}': {detail}",
        "en": "setting {name} has an invalid value '{value}': {detail}",
    },
}


def normalise_language(lang: str | None) -> str:
    """Return 'sv' or 'en' for a language tag such as 'en-GB'; default Swedish."""
    if lang:
        primary = lang.split("-")[0].split("_")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def message(key: str, lang: str | None = None, **values: object) -> str:
    """Format catalogue message `key` in `lang` (sv or en) with `values`."""
    texts = CATALOGUE[key]
    return texts[normalise_language(lang)].format(**values)

CATALOGUE["table_errors"] = {
    "sv": "{count} fel i tabellerna; ingenting har ändrats i lagret",
    "en": "{count} error(s) in the tables; nothing in the store has changed",
}

# Spreadsheet templates (loaders/tables): one message per kind of bad cell.
CATALOGUE.update({
    "cell_required": {"sv": "värde saknas (kolumnen är obligatorisk)",
                      "en": "a value is required"},
    "cell_single": {"sv": "bara ett värde får anges här", "en": "only one value is allowed here"},
    "cell_bad_date": {"sv": "'{value}' är inget datum (ÅÅÅÅ-MM-DD)",
                      "en": "'{value}' is not a date (YYYY-MM-DD)"},
    "cell_bad_duration": {"sv": "'{value}' är ingen tidslängd enligt ISO 8601 (t.ex. P5Y)",
                          "en": "'{value}' is not an ISO 8601 duration (e.g. P5Y)"},
    "cell_bad_boolean": {"sv": "'{value}' är varken ja eller nej (ja/nej, true/false)",
                         "en": "'{value}' is neither yes nor no (yes/no, true/false)"},
    "cell_bad_integer": {"sv": "'{value}' är inget heltal", "en": "'{value}' is not an integer"},
    "cell_bad_decimal": {"sv": "'{value}' är inget tal", "en": "'{value}' is not a number"},
    "cell_out_of_range": {"sv": "{value} ligger utanför {minimum}–{maximum}",
                          "en": "{value} is outside {minimum}–{maximum}"},
    "cell_bad_url": {"sv": "'{value}' är ingen webbadress (http:// eller https://)",
                     "en": "'{value}' is not a web address (http:// or https://)"},
    "cell_bad_country": {"sv": "'{value}' är ingen landskod med två versaler (t.ex. SE)",
                         "en": "'{value}' is not a two-letter upper-case country code (e.g. SE)"},
    "cell_bad_tagged": {"sv": "'{value}' saknar språkkod; skriv Text@nb",
                        "en": "'{value}' has no language tag; write Text@nb"},
    "cell_unknown_concept": {"sv": "'{value}' finns inte i {scheme}; tillåtna: {allowed}",
                             "en": "'{value}' is not in {scheme}; allowed: {allowed}"},
    "cell_bad_choice": {"sv": "'{value}' är inte tillåtet; tillåtna: {allowed}",
                        "en": "'{value}' is not allowed; allowed: {allowed}"},
    "cell_dangling": {"sv": "'{value}' pekar inte på någon rad i {sheets} eller något i lagret",
                      "en": "'{value}' refers to no row of {sheets} and to nothing in the store"},
    "cell_ambiguous": {"sv": "'{value}' kan betyda flera rader i {sheets}; ange id",
                       "en": "'{value}' may mean several rows of {sheets}; give the id"},
    "cell_bad_id": {"sv": "'{value}' är ingen giltig identifierare (bokstäver, siffror, '-', '_', '.') eller IRI",
                    "en": "'{value}' is not a valid identifier (letters, digits, '-', '_', '.') or IRI"},
    "cell_duplicate_id": {"sv": "identifieraren '{value}' används redan på rad {row}",
                          "en": "the identifier '{value}' is already used in row {row}"},
    "cell_no_id": {"sv": "raden behöver ett id eller ett namn", "en": "the row needs an id or a name"},
    "cell_no_name": {"sv": "raden behöver ett namn (label_sv, label_en eller label_other)",
                     "en": "the row needs a name (label_sv, label_en or label_other)"},
    "cell_unknown_column": {"sv": "okänd kolumn '{value}'", "en": "unknown column '{value}'"},
    "cell_missing_column": {"sv": "den obligatoriska kolumnen '{value}' saknas",
                            "en": "the required column '{value}' is missing"},
    "cell_unknown_sheet": {"sv": "'{value}' är inget blad i mallen; tillåtna: {allowed}",
                           "en": "'{value}' is not a sheet of the template; allowed: {allowed}"},
    "tables_written": {"sv": "skrev {sheets} blad med {rows} rader till {path}",
                       "en": "wrote {sheets} sheets with {rows} rows to {path}"},
})

# Interchange with the registers (graph_app/core/interchange): ELM and CTDL.
CATALOGUE.update({
    "elm_left_out": {"sv": "{node}: utelämnad ur ELM-exporten; saknar {fields}",
                     "en": "{node}: left out of the ELM export; lacks {fields}"},
    "elm_agent": {"sv": "{node}: exporterad som elm:Agent, inte som registrerad organisation; saknar {fields}",
                  "en": "{node}: exported as an elm:Agent, not as a registered organisation; lacks {fields}"},
    "elm_link": {"sv": "{node}: länken till {target} utelämnad (den är inte med i exporten)",
                 "en": "{node}: the link to {target} left out (it is not in the export)"},
    "elm_written": {"sv": "ELM: {specifications} meriter, {organisations} organisationer, {agents} aktörer, "
                          "{accreditations} ackrediteringar; {left_out} utelämnade",
                    "en": "ELM: {specifications} credentials, {organisations} organisations, {agents} agents, "
                          "{accreditations} accreditations; {left_out} left out"},
    "elm_extension_left_out": {
        "sv": "{count} qagraph-påståenden som ELM saknar (nivåer, vägar, beroenden) utelämnade: formatet har inga "
              "namngivna grafer; skriv .trig, .nq eller .jsonld, eller ge --extensions inline",
        "en": "{count} qagraph statements that ELM lacks (levels, routes, dependencies) left out: the format has "
              "no named graphs; write .trig, .nq or .jsonld, or give --extensions inline"},
    "elm_conforms": {"sv": "{file}: inga överträdelser", "en": "{file}: no violations"},
    "elm_violation": {"sv": "{file}: {focus} {path}: {message}", "en": "{file}: {focus} {path}: {message}"},
    "elm_violations": {"sv": "{count} överträdelse(r) av EU:s former", "en": "{count} violation(s) of the EU's shapes"},
    "elm_field_title": {"sv": "titel (dc:title)", "en": "a title (dc:title)"},
    "elm_field_isced": {"sv": "utbildningsområde enligt ISCED-F (elm:ISCEDFCode)",
                        "en": "an ISCED-F field of education (elm:ISCEDFCode)"},
    "elm_field_language": {"sv": "språk (dc:language)", "en": "a language (dc:language)"},
    "elm_field_outcome": {"sv": "läranderesultat (elm:learningOutcome)", "en": "a learning outcome (elm:learningOutcome)"},
    "elm_field_eqf": {"sv": "EQF-nivå (elm:EQFLevel)", "en": "an EQF level (elm:EQFLevel)"},
    "elm_field_nqf": {"sv": "nationell nivå (elm:NQFLevel)", "en": "a national level (elm:NQFLevel)"},
    "elm_field_legal_name": {"sv": "juridiskt namn (rov:legalName)", "en": "a legal name (rov:legalName)"},
    "elm_field_location": {"sv": "plats (elm:location)", "en": "a location (elm:location)"},
    "elm_field_accredited_organisation": {
        "sv": "ackrediterad registrerad organisation (elm:organisation)",
        "en": "an accredited registered organisation (elm:organisation)"},
    "elm_field_accrediting_agent": {
        "sv": "ackrediterande registrerad organisation (elm:accreditingAgent)",
        "en": "an accrediting registered organisation (elm:accreditingAgent)"},
    "elm_field_awarding_body": {"sv": "utfärdare (elm:awardingBody)", "en": "an awarding body (elm:awardingBody)"},
    "elm_skipped": {"sv": "{file}: {node}: {what} överhoppat (saknar motsvarighet i qagraph)",
                    "en": "{file}: {node}: {what} skipped (no counterpart in qagraph)"},
    "ctdl_written": {"sv": "CTDL: {count} noder", "en": "CTDL: {count} nodes"},
    "profile_format": {"sv": "profilen {profile} kan inte skrivas som {format}; välj ett av: {formats}",
                       "en": "the {profile} profile cannot be written as {format}; choose one of: {formats}"},
})

# Loaders: limits that protect the machine, and library errors turned into messages with a
# place (loaders/, core/limits.py). Every limit names the setting that raises it.
CATALOGUE.update({
    "input_too_large": {
        "sv": "{where}: filen är {size}, större än gränsen {limit} (inställningen {setting})",
        "en": "{where}: the file is {size}, larger than the limit of {limit} (setting {setting})"},
    "too_deep": {
        "sv": "{where}: nästlat djupare än {limit} nivåer (inställningen {setting})",
        "en": "{where}: nested deeper than {limit} levels (setting {setting})"},
    "token_too_large": {
        "sv": "{where}: en literal, IRI, ett namn eller en kommentar längre än {limit} "
              "(inställningen {setting})",
        "en": "{where}: a literal, IRI, name or comment longer than {limit} (setting {setting})"},
    "parser_buffer_full": {
        "sv": "{where}: en literal, IRI, ett namn eller en kommentar längre än {limit}, "
              "tolkarens egen gräns",
        "en": "{where}: a literal, IRI, name or comment longer than {limit}, the parser's own limit"},
    "not_utf8": {
        "sv": "{where}: texten är inte UTF-8 (byte 0x{byte} kan inte stå här)",
        "en": "{where}: the text is not UTF-8 (byte 0x{byte} cannot stand here)"},
    "remote_context": {
        "sv": "{where}: JSON-LD-kontexter på andra platser hämtas inte: {url}; "
              "skriv in kontexten i filen",
        "en": "{where}: remote JSON-LD contexts are not fetched: {url}; put the context in the file"},
    "xml_external_entity": {
        "sv": "{where}: entiteten '{name}' hänvisar till en annan fil eller parameterentitet; "
              "sådana läses inte",
        "en": "{where}: the entity '{name}' refers to another file or is a parameter entity; "
              "such entities are not read"},
    "xml_nested_entity": {
        "sv": "{where}: entiteten '{name}' hänvisar till andra entiteter; nästlade entiteter "
              "kan växa utan gräns och läses inte",
        "en": "{where}: the entity '{name}' refers to other entities; nested entities can grow "
              "without bound and are not read"},
    "xml_entity_expansion": {
        "sv": "{where}: entiteterna skulle göra texten {ratio} gånger större; gränsen är {limit} "
              "(inställningen {setting})",
        "en": "{where}: the entities would make the text {ratio} times larger; the limit is "
              "{limit} (setting {setting})"},
    "file_unreadable": {
        "sv": "{where}: kan inte läsa filen: {detail}",
        "en": "{where}: cannot read the file: {detail}"},
    "workbook_damaged": {
        "sv": "{where}: arbetsboken är skadad ({part}): {detail}",
        "en": "{where}: the workbook is damaged ({part}): {detail}"},
    "workbook_expansion": {
        "sv": "{where}: arbetsboken packas upp från {packed} till {unpacked}, {ratio} gånger; "
              "gränsen är {limit} gånger (inställningen {setting})",
        "en": "{where}: the workbook unpacks from {packed} to {unpacked}, {ratio} times; "
              "the limit is {limit} times (setting {setting})"},
    "sheet_unreadable": {
        "sv": "kan inte läsas härifrån: {detail}",
        "en": "cannot be read from here on: {detail}"},
    "sheet_missing": {
        "sv": "{file}: varning: arbetsboken saknar bladen '{names}'; inget av de slagen laddas från den",
        "en": "{file}: warning: the workbook lacks the sheets '{names}'; nothing of those kinds is loaded from it"},
    "cell_too_many_rows": {
        "sv": "fler än {limit} rader (inställningen {setting})",
        "en": "more than {limit} rows (setting {setting})"},
    "cell_too_many_cells": {
        "sv": "fler än {limit} celler, tomma medräknade (100 per tillåten rad, inställningen {setting})",
        "en": "more than {limit} cells, empty ones included (100 per row allowed, setting {setting})"},
    "cell_unnamed_column": {
        "sv": "kolumnen saknar rubrik men har värdet '{value}'; ge den en rubrik eller ta bort värdena",
        "en": "the column has no header but holds '{value}'; give it a header or remove the values"},
    "cell_duplicate_column": {
        "sv": "kolumnen '{value}' finns två gånger (också kolumn {other})",
        "en": "the column '{value}' appears twice (also column {other})"},
    "cell_formula_no_value": {
        "sv": "cellen har en formel ({formula}) utan sparat värde; räkna om och spara arbetsboken "
              "i ett kalkylprogram, eller skriv in värdet",
        "en": "the cell holds a formula ({formula}) without a saved value; recalculate and save the "
              "workbook in a spreadsheet program, or type the value"},
    "cell_error_value": {
        "sv": "cellen har felvärdet {value}; rätta formeln eller skriv in värdet",
        "en": "the cell holds the error value {value}; fix the formula or type the value"},
    "cell_control_char": {
        "sv": "cellen innehåller ett styrtecken (U+{code}); ta bort det",
        "en": "the cell holds a control character (U+{code}); remove it"},
    "cell_too_long": {
        "sv": "cellen är längre än {limit} (inställningen {setting})",
        "en": "the cell is longer than {limit} (setting {setting})"},
    "store_recovered": {
        "sv": "städade efter avbrutna laddningar: {triples} tripler i {graphs} graf(er) och "
              "{files} kvarlämnade filer ({size}) togs bort",
        "en": "cleaned up after interrupted loads: removed {triples} triples in {graphs} graph(s) "
              "and {files} leftover files ({size})"},
})
