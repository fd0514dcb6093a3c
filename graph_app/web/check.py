"""The check: "does credential X (or this award), issued on D, satisfy requirement R on
date T?", asked by names. A free-text name resolves to the one thing it names, or the
form offers the matches; an unknown name or a malformed date gets a message in the form,
never an error page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, Flask, render_template, request
from flask_babel import gettext as _

from ..core import entity as core
from ..core.catalogue import Entry
from ..core.labels import fold
from ..core.namespaces import converter, expand
from .browse import base_iri, cat, kind_names, label, store

bp = Blueprint("check", __name__)

MAX_TEXT = 300
MAX_MATCHES = 8


@dataclass
class Field:
    """One field of the form: what was typed, what it resolved to, what to tell."""

    text: str = ""
    iri: str = ""
    error: str = ""
    matches: list[Entry] = field(default_factory=list)


def _exists(iri: str) -> bool:
    try:
        return core.exists(store(), iri)
    except ValueError:
        return False


def resolve(text: str, kind: str, *, awards: bool = False) -> Field:
    """A name, slug, CURIE or IRI of a thing of `kind` -> its IRI, or the matches, or a
    message. With `awards`, an award's IRI is taken too (awards are not in the catalogue)."""
    out = Field(text=text.strip())
    typed = out.text
    name = kind_names()[kind][0].lower()
    if not typed:
        out.error = _("Give the name of a %(kind)s.", kind=name)
        return out
    if len(typed) > MAX_TEXT:
        out.error = _("That is too long for a name (at most %(n)s characters).", n=MAX_TEXT)
        return out
    catalogue = cat()
    candidates = [typed]
    curie = expand(typed, converter(base_iri()))
    if curie is not None:
        candidates.append(curie)
    if "://" not in typed and " " not in typed:
        candidates.append(base_iri() + f"{kind}/" + typed.removeprefix(f"{kind}/"))
    for iri in candidates:
        entry = catalogue.entries.get(iri)
        if entry is not None and entry.kind == kind:
            out.iri = iri
            return out
        if awards and "://" in iri and _exists(iri):
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
    if hits:
        out.matches = hits[:MAX_MATCHES]
        out.error = _("Several %(kinds)s match “%(text)s”; pick one.", kinds=kind_names()[kind][1].lower(), text=typed)
        return out
    out.error = _("No %(kind)s matches “%(text)s”.", kind=name, text=typed)
    return out


def parse_day(text: str, *, required: bool, what: str) -> tuple[date | None, str]:
    text = text.strip()
    if not text:
        return None, (_("Give %(what)s.", what=what) if required else "")
    try:
        return date.fromisoformat(text[:10]) if len(text) <= 32 else None, ""
    except ValueError:
        pass
    shown = text if len(text) <= 40 else text[:40] + "…"
    return None, _("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2024-05-01.", value=shown)


def form_state(args: Any, *, fixed_credential: str = "", fixed_requirement: str = "") -> dict[str, Any]:
    """Read and resolve the check form; run the check when everything resolves."""
    from . import acceptance

    asked = any(args.get(k) for k in ("credential", "requirement", "issued", "on"))
    credential = Field(iri=fixed_credential, text=label(fixed_credential)) if fixed_credential else \
        resolve(str(args.get("credential", ""))[:2000], "credential", awards=True) if asked else Field()
    requirement = Field(iri=fixed_requirement, text=label(fixed_requirement)) if fixed_requirement else \
        resolve(str(args.get("requirement", ""))[:2000], "requirement") if asked else Field()
    for f in (credential, requirement):
        if f.iri and cat().entries.get(f.iri) is not None:
            f.text = label(f.iri)  # what the typed text resolved to
    on_text = str(args.get("on", ""))[:200]
    issued_text = str(args.get("issued", ""))[:200]
    on, on_error = parse_day(on_text, required=False, what=_("the date of the question"))
    issued, issued_error = parse_day(issued_text, required=False, what=_("the issue date"))
    state: dict[str, Any] = {
        "credential": credential, "requirement": requirement,
        "on_text": on_text or date.today().isoformat(), "issued_text": issued_text,
        "on_error": on_error, "issued_error": issued_error, "asked": asked,
        "answer": None, "worded": None,
    }
    if asked and credential.iri and requirement.iri and not on_error and not issued_error:
        answer, worded = acceptance.check(credential.iri, requirement.iri, on or date.today(), issued)
        state["answer"], state["worded"] = answer, worded
    return state


@bp.get("/check")
def page() -> tuple[str, int]:
    state = form_state(request.args)
    failed = state["asked"] and state["answer"] is None
    return render_template("check.html", verdicts=_verdicts(), check=state, **state), 400 if failed else 200


def _verdicts() -> dict[str, str]:
    from .acceptance import verdict_names

    return verdict_names()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
