"""Settings in one table: name, default, type, help.

Read from the defaults, then the instance file `settings.toml` in the instance folder,
then `QAGRAPH_<NAME>` environment variables. A test checks that each is documented.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .namespaces import DEFAULT_BASE, GRAPH_BASE
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


def _auth(text: str) -> str:
    if text not in {"digest", "basic"}:
        raise ValueError("expected digest or basic")
    return text


def _lang(text: str) -> str:
    if text not in {"sv", "en"}:
        raise ValueError("expected sv or en")
    return text


def _sandbox(text: str) -> str:
    if text not in {"require", "warn"}:
        raise ValueError("expected require or warn")
    return text


_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9,
               "kib": 2**10, "mib": 2**20, "gib": 2**30}


def size(text: str) -> int:
    """A number of bytes: `1048576`, `512KiB`, `16MiB`, `2GiB` (or KB, MB, GB in powers of ten)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*", str(text).lower())
    if not match:
        raise ValueError("expected a size such as 1048576, 512KiB, 16MiB or 2GiB")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2) or ""])


def _positive(convert: Callable[[str], int]) -> Callable[[str], int]:
    def checked(text: str) -> int:
        value = convert(text)
        if value <= 0:
            raise ValueError("expected a number above 0")
        return value

    return checked


INSTANCE_DIR = Path(os.environ.get("QAGRAPH_INSTANCE", ROOT / "instance"))

SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", str(INSTANCE_DIR / "store"), str,
            "Folder of the embedded Oxigraph store; created when missing."),
    Setting("STORE_URL", "", str,
            "SPARQL query endpoint of a server to use as the store (SPARQL 1.1 Protocol); "
            "empty: the embedded store in STORE. See docs/scale.md."),
    Setting("STORE_UPDATE_URL", "", str,
            "SPARQL Update endpoint of that server; empty: the query endpoint."),
    Setting("STORE_GRAPH_STORE_URL", "", str,
            "Graph Store HTTP Protocol endpoint of that server, for loads; empty: loads go "
            "in by SPARQL Update."),
    Setting("STORE_USER", "", str, "User name for the server's update and Graph Store endpoints."),
    Setting("STORE_PASSWORD", "", str, "Password of STORE_USER."),
    Setting("STORE_AUTH", "digest", _auth, "How STORE_USER authenticates: digest or basic."),
    Setting("STORE_GRAPH_BASE", GRAPH_BASE, str,
            "Prefix of the named graphs qagraph writes on the server; qagraph never touches "
            "graphs outside it, so several instances can share one server."),
    Setting("STORE_LEASE", 600.0, float,
            "Seconds a load's pending graph on the server is kept after its last write; "
            "then any qagraph process may drop it (a load that was killed)."),
    Setting("STORE_REFRESH", 1.0, float,
            "Seconds qagraph trusts its copy of which graphs on the server are current (then "
            "reads it again in the background, and at the latest after one and a half times "
            "this); loads by other processes show within that time."),
    Setting("BASE_IRI", DEFAULT_BASE, str,
            "Base IRI of the data; the web app serves IRIs under it at /id/…"),
    Setting("LANG", "sv", _lang, "Default language of messages and pages: sv or en."),
    Setting("QUERY_TIMEOUT", 30.0, float, "Time limit of one SPARQL query, in seconds."),
    Setting("ROW_LIMIT", 10000, int, "Most result rows the SPARQL endpoint returns."),
    Setting("QUERY_WORKERS", 3, int,
            "Worker processes that run SPARQL queries (each can be stopped at the time limit)."),
    Setting("QUERY_RESERVE_WORKERS", 1, int,
            "Further workers kept for when all the others are busy; they stop a query at "
            "QUERY_RESERVE_TIMEOUT, so that runaway queries cannot shut out short ones."),
    Setting("QUERY_RESERVE_TIMEOUT", 2.0, float,
            "Time limit, in seconds, of a query on a reserve worker."),
    Setting("BACKGROUND_VALIDATION", True, _bool,
            "The server validates each committed state of the store whole, in another process, "
            "for the entity pages' validation panels."),
    Setting("BACKGROUND_VALIDATION_NICE", 10, int,
            "How much lower than the server's the CPU priority of that validation is (0 to 19)."),
    Setting("PAGE_READERS", min(4, os.cpu_count() or 1) if (os.cpu_count() or 1) >= 2 else 0, int,
            "Processes that render entity pages the server has not rendered yet, beside it "
            "(by default one per core, at most 4, none on one core); 0: the server renders them all."),
    Setting("PAGE_READER_WAIT", 0.1, float,
            "Seconds a first view waits for a free page reader before the server renders it itself."),
    Setting("VALIDATION_WAIT", 0.5, float,
            "Seconds an entity page waits for its node's validation before saying it is still running."),
    Setting("CURATOR_TOKEN", "", str,
            "Bearer token that authorises writes over HTTP; empty turns writes off."),
    Setting("CURATORS", "", str,
            "Curators of mappings: \"name:password-hash;…\" (werkzeug hashes); empty: nobody."),
    Setting("SECRET_KEY", "", str,
            "Key that signs sessions and CSRF tokens; a random one is made when empty."),
    Setting("QUERY_SANDBOX", "require", _sandbox,
            "require: query workers run only when shut off from the network (seccomp); "
            "warn: run them anyway and log a warning."),
    Setting("QUERY_NICE", 5, int,
            "How much lower than the server's the CPU priority of the query workers is (0 to 19)."),
    Setting("QUERY_CLIENT_LIMIT", 2, int,
            "SPARQL queries one client address may have running at once; more get 503."),
    Setting("MAX_QUERY_BYTES", 1 << 20, int,
            "Largest SPARQL query or form accepted at /sparql, in bytes; larger gets 413."),
    Setting("MAX_UPDATE_BYTES", 4 << 20, int,
            "Largest SPARQL Update body (application/sparql-update), in bytes."),
    Setting("MAX_GRAPH_STORE_BYTES", 64 << 20, int,
            "Largest Graph Store PUT or POST body, in bytes."),
    Setting("MAX_FORM_BYTES", 64 << 10, int,
            "Largest body of any other request (log-in and curation forms, the JSON API), in bytes."),
    Setting("AUTH_LIMIT_ADDRESS", "60 per minute", str,
            "Failed log-ins and failed Basic/Bearer authentications allowed per client address."),
    Setting("AUTH_LIMIT_ACCOUNT", "20 per minute", str,
            "Failed log-ins and Basic authentications allowed per curator name."),
    Setting("RATE_LIMIT_STORAGE", "memory://", str,
            "Where rate-limit counters live (a storage URI of the limits library, e.g. redis://host)."),
    Setting("COOKIE_SECURE", False, _bool,
            "Mark the session cookie Secure (set it when the site is served over https)."),
    Setting("PROXIES", 0, int,
            "Reverse proxies in front of the server whose X-Forwarded-For/-Proto to trust."),
    Setting("LOAD_SAMPLE", True, _bool,
            "`qagraph init` loads the ontology and sample data into an empty store."),
    Setting("LOAD_MAX_FILE_SIZE", 2 * 2**30, _positive(size),
            "Largest input file a load reads (and largest unpacked workbook): 2GiB, 512MiB, … or bytes."),
    Setting("LOAD_MAX_LITERAL_SIZE", 2**20, _positive(size),
            "Largest literal, IRI, name, comment or table cell in an input file."),
    Setting("LOAD_MAX_DEPTH", 100, _positive(int),
            "Deepest nesting of brackets, blank nodes, lists, JSON objects or XML elements in an input."),
    Setting("LOAD_MAX_ROWS", 100_000, _positive(int),
            "Most rows of one sheet of a workbook or of one CSV or SSSOM file."),
    Setting("LOAD_MAX_EXPANSION", 100, _positive(int),
            "Largest ratio of unpacked to packed size of a workbook, and of text after XML entities to before."),
)


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve every setting: defaults < instance file < environment < overrides."""
    values = {s.name: s.default for s in SETTINGS}
    by_name = {s.name: s for s in SETTINGS}
    instance_file = INSTANCE_DIR / "settings.toml"
    if instance_file.is_file():
        with instance_file.open("rb") as handle:
            for key, value in tomllib.load(handle).items():
                if key.upper() in values:
                    setting = by_name[key.upper()]
                    if isinstance(value, str) and not isinstance(setting.default, str):
                        value = _converted(setting, key, value)
                    values[key.upper()] = value
    for setting in SETTINGS:
        raw = os.environ.get(f"QAGRAPH_{setting.name}")
        if raw is not None:
            values[setting.name] = _converted(setting, f"QAGRAPH_{setting.name}", raw)
    if overrides:
        values.update({k: v for k, v in overrides.items() if v is not None})
    return values


def _converted(setting: Setting, name: str, raw: str) -> Any:
    try:
        return setting.convert(raw)
    except ValueError as err:
        raise InputError("bad_setting", name=name, value=raw, detail=str(err)) from None
