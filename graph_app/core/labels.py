"""Picking a label for a node: the requested language, then sv, then en, then any
language, then the IRI's local name (the Skosmos habit)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

FALLBACK = ("sv", "en")

# Letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l",
                       "þ": "th", "ð": "d", "ı": "i"})


def local_name(iri: str) -> str:
    """The last segment of an IRI (after #, / or :)."""
    tail = re.split(r"[#/:]", iri.rstrip("/#"))[-1]
    return tail or iri


def pick(labels: Mapping[str, str] | None, lang: str, iri: str = "") -> str:
    """The label of a node in `lang`, falling back to sv, en, any language, the local name.

    `labels` maps a language tag ("" for none) to a label.
    """
    if labels:
        for key in (lang, *FALLBACK, ""):
            if key in labels:
                return labels[key]
        return labels[sorted(labels)[0]]
    return local_name(iri) if iri else ""


def pick_lang(labels: Mapping[str, str] | None, lang: str) -> str:
    """The language tag of the label that `pick` returns ("" when it has none)."""
    if labels:
        for key in (lang, *FALLBACK, ""):
            if key in labels:
                return key
        return sorted(labels)[0]
    return ""


def fold(text: str) -> str:
    """`text` without case and diacritics: "Tulityökortti" -> "tulityokortti"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)
