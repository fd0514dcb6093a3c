"""What a person types for a credential or a requirement -> the one thing it names.

A typed name may be an IRI, a CURIE (``id:credential/esa``), a slug (``esa``), a label in
any language (ignoring case and diacritics), or words that match one thing only. The web's
check form and the command line resolve names here, so both accept the same spellings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .catalogue import Catalogue, Entry
from .errors import AmbiguousName, InputError
from .labels import fold
from .namespaces import converter, expand

MAX_TEXT = 300
MAX_MATCHES = 8

# Problems a resolution can end in; "" when it found the one thing.
EMPTY, TOO_LONG, SEVERAL, NONE = "empty", "too-long", "several", "none"



@dataclass
class Resolved:
    """The outcome: the IRI found, or the problem and, for several, the matches."""

    text: str
    iri: str = ""
    problem: str = ""
    matches: list[Entry] = field(default_factory=list)


def resolve(catalogue: Catalogue, text: str, kind: str, base_iri: str,
            exists: Callable[[str], bool] | None = None) -> Resolved:
    """Resolve `text` to a thing of `kind` ("credential", "requirement", ...). With
    `exists`, an IRI that is not in the catalogue (an award) is taken when it exists."""
    typed = text.strip()
    out = Resolved(typed)
    if not typed:
        out.problem = EMPTY
        return out
    if len(typed) > MAX_TEXT:
        out.problem = TOO_LONG
        return out
    candidates = [typed]
    curie = expand(typed, converter(base_iri))
    if curie is not None:
        candidates.append(curie)
    if "://" not in typed and " " not in typed:
        candidates.append(base_iri + f"{kind}/" + typed.removeprefix(f"{kind}/"))
    for iri in candidates:
        entry = catalogue.entries.get(iri)
        if entry is not None and entry.kind == kind:
            out.iri = iri
            return out
        if exists is not None and "://" in iri and exists(iri):
            out.iri = iri
            return out
    wanted = fold(typed)
    same = [e for e in catalogue.of_kind(kind) if wanted in e.keys]
    if len(same) == 1:
        out.iri = same[0].iri
        return out
    hits = [h.entry for h in catalogue.search(typed, limit=MAX_MATCHES + 1, kinds=[kind])]
    if len(hits) == 1:
        out.iri = hits[0].iri
        return out
    out.matches = hits[:MAX_MATCHES]
    out.problem = SEVERAL if hits else NONE
    return out


def iri_or_error(resolved: Resolved, kind: str, name: Callable[[Entry], str]) -> str:
    """The IRI, or an InputError that says what was wrong (for the command line); `kind`
    is "credential" or "requirement", `name` writes a match for the message."""
    if not resolved.problem:
        return resolved.iri
    if resolved.problem == EMPTY:
        raise InputError(f"name_empty_{kind}")
    if resolved.problem == TOO_LONG:
        raise InputError("name_too_long", n=MAX_TEXT)
    if resolved.problem == SEVERAL:
        raise AmbiguousName(resolved.text, [name(e) for e in resolved.matches])
    raise InputError(f"name_none_{kind}", text=resolved.text)
