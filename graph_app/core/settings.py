"""Settings in one table: name, default, type, help.

Read from the defaults, then the instance file `settings.toml` in the instance folder,
then `QAGRAPH_<NAME>` environment variables. A test checks that each is documented.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .namespaces import DEFAULT_BASE
from .resources import ROOT


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    convert: Callable[[str], Any]
    help: str


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true or false")


def _lang(text: str) -> str:
    if text not in {"sv", "en"}:
        raise ValueError("expected sv or en")
    return text


INSTANCE_DIR = Path(os.environ.get("QAGRAPH_INSTANCE", ROOT / "instance"))

SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", str(INSTANCE_DIR / "store"), str,
            "Folder of the embedded Oxigraph store; created when missing."),
    Setting("BASE_IRI", DEFAULT_BASE, str,
            "Base IRI of the data; the web app serves IRIs under it at /id/…"),
    Setting("LANG", "sv", _lang, "Default language of messages and pages: sv or en."),
    Setting("QUERY_TIMEOUT", 30.0, float, "Time limit of one SPARQL query, in seconds."),
    Setting("ROW_LIMIT", 10000, int, "Most result rows the SPARQL endpoint returns."),
    Setting("QUERY_WORKERS", 3, int,
            "Worker processes that run SPARQL queries (each can be stopped at the time limit)."),
    Setting("VALIDATION_WAIT", 0.5, float,
            "Seconds an entity page waits for its node's validation before saying it is still running."),
    Setting("CURATOR_TOKEN", "", str,
            "Bearer token that authorises writes over HTTP; empty turns writes off."),
    Setting("CURATORS", "", str,
            "Curators of mappings: \"name:password-hash;…\" (werkzeug hashes); empty: nobody."),
    Setting("SECRET_KEY", "", str,
            "Key that signs sessions and CSRF tokens; a random one is made when empty."),
    Setting("LOAD_SAMPLE", True, _bool,
            "`qagraph init` loads the ontology and sample data into an empty store."),
)


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve every setting: defaults < instance file < environment < overrides."""
    values = {s.name: s.default for s in SETTINGS}
    instance_file = INSTANCE_DIR / "settings.toml"
    if instance_file.is_file():
        with instance_file.open("rb") as handle:
            for key, value in tomllib.load(handle).items():
                if key.upper() in values:
                    values[key.upper()] = value
    for setting in SETTINGS:
        raw = os.environ.get(f"QAGRAPH_{setting.name}")
        if raw is not None:
            try:
                values[setting.name] = setting.convert(raw)
            except ValueError as err:
                raise InputError("bad_setting", name=f"QAGRAPH_{setting.name}", value=raw, detail=str(err)) from None
    if overrides:
        values.update({k: v for k, v in overrides.items() if v is not None})
    return values
