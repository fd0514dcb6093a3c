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
from ..core import names
from ..core.catalogue import Entry
from .browse import base_iri, cat, kind_names, label, store

bp = Blueprint("check", __name__)

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
    found = names.resolve(cat(), text, kind, base_iri(), _exists if awards else None)
    out = Field(text=found.text, iri=found.iri, matches=found.matches)
    name = kind_names()[kind][0].lower()
    if found.problem == names.EMPTY:
        out.error = _("Give the name of a %(kind)s.", kind=name)
    elif found.problem == names.TOO_LONG:
        out.error = _("That is too long for a name (at most %(n)s characters).", n=names.MAX_TEXT)
    elif found.problem == names.SEVERAL:
        out.error = _("Several %(kinds)s match “%(text)s”; pick one.", kinds=kind_names()[kind][1].lower(),
                      text=found.text)
    elif found.problem == names.NONE:
        out.error = _("No %(kind)s matches “%(text)s”.", kind=name, text=found.text)
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
