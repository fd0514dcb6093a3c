"""Messages of the core and the command line, in Swedish and English.

They are gettext messages, as the web interface's are, kept in one catalogue:
`graph_app/translations/messages/sv/LC_MESSAGES/messages.po`. Each entry's context
(msgctxt) is the key the code names, its msgid the English text and its msgstr the Swedish.
`message(key, lang, **values)` fills one in, so that a data steward can work in either
language (`qagraph --lang sv|en`) and an error raised in the core reads the same on the
command line and in the web. A new message is a new entry there; a test checks that every
entry has both languages with the same placeholders and that every key the code names is
in it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from babel.messages.pofile import read_po

LANGUAGES: Final = ("sv", "en")
DEFAULT_LANGUAGE: Final = "sv"

CATALOGUE_FILE: Final = (
    Path(__file__).resolve().parents[1] / "translations" / "messages" / "sv" / "LC_MESSAGES" / "messages.po"
)

@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Key -> {"sv": text, "en": text}, read from the catalogue file once per process."""
    with CATALOGUE_FILE.open("rb") as handle:
        entries = read_po(handle, locale="sv")
    return {
        str(entry.context): {"en": str(entry.id), "sv": str(entry.string)}
        for entry in entries
        if entry.context
    }


def known(key: str) -> bool:
    """True when there is a message `key`."""
    return key in catalogue()


def normalise_language(lang: str | None) -> str:
    """Return 'sv' or 'en' for a language tag such as 'en-GB'; default Swedish."""
    if lang in LANGUAGES:  # already one (a page asks a few hundred times)
        return lang
    if lang:
        primary = lang.split("-")[0].split("_")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def message(key: str, lang: str | None = None, **values: object) -> str:
    """Format message `key` in `lang` (sv or en) with `values`."""
    texts = catalogue()[key]
    return texts[normalise_language(lang)].format(**values)
