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
        "sv": "{file}:{line}: syntaxfel: {detail}",
        "en": "{file}:{line}: syntax error: {detail}",
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
    "store_ready": {
        "sv": "lagret har redan data ({triples} tripler); inget laddades",
        "en": "the store already holds data ({triples} triples); nothing was loaded",
    },
    "severity_Violation": {"sv": "överträdelse", "en": "violation"},
    "severity_Warning": {"sv": "varning", "en": "warning"},
    "severity_Info": {"sv": "information", "en": "info"},
    "no_sources": {"sv": "inga källor är laddade", "en": "no sources are loaded"},
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
