"""The remote store: the same `Store` interface over a SPARQL server's standard protocols.

Everything goes over the W3C protocols, with httpx (one pooled, thread-safe client):

- queries by the SPARQL 1.1 Protocol, answered as SPARQL XML results or N-Triples and
  read by pyoxigraph's own parsers, so code above the store gets the same terms and
  result objects as from the embedded store;
- the metadata updates of a load (stage, commit, drop) by SPARQL 1.1 Update, each one
  request, which the server runs as one transaction;
- the triples of a load by the Graph Store HTTP Protocol (POST of N-Triples in chunks), or
  by SPARQL Update `INSERT DATA` when no Graph Store endpoint is configured.

Loads keep the embedded store's design (docs/decisions/0001): a versioned graph per load,
pending until one small metadata update makes it current. Several processes may share
one server, so a pending graph carries a *lease* that its writer renews; opening a store
drops pending graphs whose lease ran out and graphs under the store's prefix that nothing
points to (docs/decisions/0008-remote-loads.md).

Where servers differ from the standards in what they return, the answer is repaired
here, at the edge (see `_repair_xml`): Virtuoso 7 writes blank nodes as `nodeID://…`,
and keeps xsd:duration values as numbers of months or seconds.
"""

from __future__ import annotations

import functools
import http.cookiejar
import io
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import httpcore
import httpx
import pyoxigraph as ox

from . import queries
from .errors import InputError, RemoteIncomplete, RemoteStoreError, RemoteTimeout
from .namespaces import GRAPH_BASE, PROV, QA, XSD
from .sparql import SolutionsDocument
from .store import (
    QueryResult,
    SourceInfo,
    StagedSource,
    Term,
    check_source_name,
    provenance_quads,
    source_iri,
    update_text,
)

log = logging.getLogger(__name__)

XML_RESULTS = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
CHUNK = 50_000  # triples per Graph Store POST (about 5 MB of N-Triples)

_PENDING = QA + "pendingGraph"
_LEASE = QA + "leaseUntil"
_CURRENT = QA + "currentGraph"
_SOURCE_NAME = QA + "sourceName"
_DATETIME = ox.NamedNode(XSD + "dateTime")


_PARSER = ox.Store()


# -- query text: the form, and bindings by substitution -------------------------------------

def substitute(text: str, bindings: Mapping[str, Term]) -> str:
    """`text` with each bound variable replaced by its term (`queries.substitute`, as the
    embedded store does it too); a blank node cannot be written into a query."""
    if not bindings:
        return text
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, bound in bindings.items():
        if isinstance(bound, ox.BlankNode):
            raise InputError("store_blank_binding")
        terms[name] = bound
    return queries.substitute(text, terms)


# -- the dataset is the protocol's: FROM and FROM NAMED leave the text -----------------------

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NO_DATASET: dict[str, str] = {}
_NO_DATASET_LOCK = threading.Lock()


def _canonical(text: str) -> str:
    """The text every parser reads alike: codepoint escapes expanded once, as SPARQL 1.1
    Query §19.2 says (a text in which an escape spells another is refused), and line ends
    as LF (parsers differ in whether a CR ends a comment)."""
    if "\\u" in text or "\\U" in text:

        def expand(match: re.Match[str]) -> str:
            code = int(match.group(1) or match.group(2), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise SyntaxError(f"invalid codepoint escape {match.group(0)}")
            return chr(code)

        text = _ESCAPE.sub(expand, text)
        if _ESCAPE.search(text):
            raise SyntaxError("a codepoint escape spells another escape")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def without_dataset(text: str) -> str:
    """`text` without FROM and FROM NAMED clauses. The protocol's dataset wins over the
    query's (SPARQL 1.1 Protocol §2.1.4) and qagraph always sends one, but some servers
    (Virtuoso 7) add the query's graphs to it, which would show graphs qagraph does not
    publish. The lexer proposes what to cut; rdflib's SPARQL parser must then find no
    dataset clause left, or the query is refused."""
    if "from" not in text.lower():  # no escapes are left: a FROM is spelt out
        return text
    with _NO_DATASET_LOCK:
        cached = _NO_DATASET.get(text)
        if cached is not None:
            return cached
        out: list[str] = []
        cutting = 0  # tokens still to drop: FROM [NAMED] <iri>
        for kind, value, _offset in queries.tokens(text):
            upper = value.upper() if kind == "word" else ""
            if cutting and kind in {"space", "comment"}:
                continue
            if upper == "FROM":
                cutting = 1
                continue
            if cutting and upper == "NAMED":
                continue
            if cutting and kind in {"iri", "pname"}:
                cutting = 0
                continue
            out.append(value)
        stripped = "".join(out)
        from rdflib.plugins.sparql.parser import parseQuery

        try:
            tree = parseQuery(stripped)
        except Exception as err:  # noqa: BLE001 - any parse failure: refuse
            raise SyntaxError(f"the query could not be read without its FROM clauses: {err}") from None
        if "datasetClause" in tree[1]:
            raise SyntaxError("the query's FROM clauses could not be separated from it")
        if len(_NO_DATASET) > 1000:
            _NO_DATASET.clear()
        _NO_DATASET[text] = stripped
        return stripped


def uses_graph(text: str) -> bool:
    """True when the query has a GRAPH pattern (the keyword, not a name or text that
    contains the word): the only way a query reads the named graphs of its dataset."""
    return any(kind == "word" and value.upper() == "GRAPH" for kind, value, _at in queries.tokens(text))


def solutions_at_most(xml: bytes) -> int:
    """At least the number of solutions in this part of a SPARQL XML results document,
    with no trust in how the server writes XML: each solution is a `result` element,
    whose start tag is `<result` or `<prefix:result` followed by a space, `/` or `>`;
    so the occurrences of `<result` and `:result`, less those of `<results` and
    `:results`, are no fewer. (Anything else that matches, in a comment or an IRI, only
    counts too many.)"""
    return (xml.count(b"<result") - xml.count(b"<results")
            + xml.count(b":result") - xml.count(b":results"))


_STANDARD_CACHED = 65536  # characters: longer texts are not kept by _standard


@functools.lru_cache(maxsize=256)
def _standard(text: str, base_iri: str | None) -> None:
    """Refuse a text that is not standard SPARQL 1.1: Oxigraph's parser reads it (over an
    empty store; nothing is evaluated), so a syntax error reads as on the embedded store,
    and a server's own extensions (Virtuoso's `define` pragmas) are syntax errors here.
    Once for each text (a text that fails is not cached: it raises)."""
    _PARSER.query(text, base_iri=base_iri)


# -- repairs of what servers answer ----------------------------------------------------------

_XML_BNODE = re.compile(rb"<bnode>nodeID://([^<]*)</bnode>")
_DURATIONS = ("duration", "dayTimeDuration", "yearMonthDuration")
_XML_DURATION = re.compile(
    rb'(<literal datatype="http://www\.w3\.org/2001/XMLSchema#(?:duration|dayTimeDuration|yearMonthDuration)">)'
    rb"([^<]*)(</literal>)"
)


def canonical_duration(text: str) -> str | None:
    """The XSD canonical form of a duration that a server wrote as a number (Virtuoso 7:
    whole months, or seconds with a decimal point), or None when `text` is a duration."""
    text = text.strip()
    if not text or text.lstrip("-").startswith("P"):
        return None
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    sign = "-" if number < 0 else ""
    number = abs(number)
    if "." not in text and "e" not in text.lower():  # whole months
        years, months = divmod(int(number), 12)
        parts = (f"{years}Y" if years else "") + (f"{months}M" if months else "")
        return f"{sign}P{parts or '0M'}"
    days, rest = divmod(number, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time_part = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    if seconds:
        time_part += f"{seconds.normalize():f}S"
    day_part = f"{int(days)}D" if days else ""
    if not day_part and not time_part:
        return "PT0S"
    return f"{sign}P{day_part}" + (f"T{time_part}" if time_part else "")


def _repair_xml(body: bytes) -> bytes:
    if b"nodeID://" in body:
        body = _XML_BNODE.sub(rb"<bnode>\1</bnode>", body)
    if b"Duration" in body or b"#duration" in body:

        def fix(match: re.Match[bytes]) -> bytes:
            fixed = canonical_duration(match.group(2).decode())
            return match.group(1) + fixed.encode() + match.group(3) if fixed else match.group(0)

        body = _XML_DURATION.sub(fix, body)
    return body


def _repair_term(term: Any) -> Any:
    if isinstance(term, ox.Literal) and term.datatype.value.rsplit("#", 1)[-1] in _DURATIONS \
            and term.datatype.value.startswith(XSD):
        fixed = canonical_duration(term.value)
        if fixed is not None:
            return ox.Literal(fixed, datatype=term.datatype)
    if isinstance(term, ox.BlankNode) and term.value.startswith("nodeID://"):
        return ox.BlankNode(term.value[len("nodeID://"):])
    return term


class StreamedAnswer(io.RawIOBase):
    """The body of a server's answer, read as its reader asks for it and repaired a whole
    number of lines at a time (the repairs work within one element, and SPARQL XML
    results as servers write them have one binding a line; a line is kept until it is
    whole, so a repair never sees half of one). It is read by a parser (as a raw stream)
    or piece by piece (`pieces`). The response is closed at the end of the body, or when
    the answer is dropped before its end.

    With `keep`, each repaired piece is kept: `kept()` is the body as far as it was
    received, and `replayed()` reads it again from its start and then on."""

    def __init__(self, response: httpx.Response, keep: bool = False) -> None:
        super().__init__()
        self._response = response
        self._chunks = response.iter_bytes()
        self._partial = b""  # received, not yet a whole line
        self._ready = b""  # repaired, not yet read
        self._at = 0
        self._kept: list[bytes] | None = [] if keep else None

    def kept(self) -> bytes:
        return b"".join(self._kept or ())

    def replayed(self) -> io.RawIOBase:
        """The answer from its start: what was kept, then the rest (no longer kept)."""
        kept, self._kept = self.kept(), None
        self._at = len(self._ready)  # kept already
        return _Replay(kept, self)

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        """Receive and repair the next whole lines; False at the end of the body."""
        while True:
            chunk = next(self._chunks, None)
            if chunk is None:
                if not self._partial:
                    self._response.close()  # a reader may read again at the end: 0 again
                    return False
                self._ready, self._partial = _repair_xml(self._partial), b""
            else:
                self._partial += chunk
                cut = self._partial.rfind(b"\n") + 1
                if not cut:
                    continue
                self._ready, self._partial = _repair_xml(self._partial[:cut]), self._partial[cut:]
            self._at = 0
            if self._kept is not None:
                self._kept.append(self._ready)
            return True

    def pieces(self) -> Iterator[bytes]:
        """The rest of the body, repaired, a whole number of lines at a time."""
        while self._fill():
            self._at = len(self._ready)
            yield self._ready

    def readinto(self, buffer: Any) -> int:
        while self._at >= len(self._ready):
            if not self._fill():
                return 0
        size = min(len(buffer), len(self._ready) - self._at)
        buffer[:size] = self._ready[self._at:self._at + size]
        self._at += size
        return size

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()


class _Replay(io.RawIOBase):
    """Bytes already read, then the rest of a stream."""

    def __init__(self, first: bytes, rest: io.RawIOBase) -> None:
        super().__init__()
        self._first = memoryview(first)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._first:
            size = min(len(buffer), len(self._first))
            buffer[:size] = self._first[:size]
            self._first = self._first[size:]
            return size
        return self._rest.readinto(buffer) or 0

    def close(self) -> None:
        if not self.closed:
            self._rest.close()
        super().close()


@functools.lru_cache(maxsize=64)
def _dataset_form(default: tuple[str, ...], named: tuple[str, ...]) -> bytes:
    """The protocol's dataset as form fields, encoded once for each list of graphs (the
    lists change only with a commit; a query sends one or two lists as long as the
    sources)."""
    return ("&" + urlencode([*(("default-graph-uri", g) for g in default),
                             *(("named-graph-uri", g) for g in named)])).encode()


def _repair_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return [ox.Triple(_repair_term(t.subject), t.predicate, _repair_term(t.object)) for t in triples]


# -- HTTP connections that acknowledge at once ---------------------------------------------


class _QuickAckStream(httpcore.NetworkStream):
    """A connection that asks the kernel, before each read, to acknowledge what arrives at
    once (TCP_QUICKACK, Linux). Otherwise a kept-alive connection delays its
    acknowledgements (up to 40 ms), and a server whose socket waits for them before it
    sends the last small piece of an answer (Nagle's algorithm: Virtuoso 7) stalls
    that long in the middle of many answers."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        sock = self._stream.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            except OSError:
                pass
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _QuickAckStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _QuickAckBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        return _QuickAckStream(super().connect_tcp(host, port, timeout, local_address, socket_options))


_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's transport (proxies from the environment keep their own), over connections
    that acknowledge at once where the system can (see _QuickAckStream)."""
    transport = httpx.HTTPTransport(limits=limits)
    if _QUICKACK is not None:
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_QuickAckBackend(),
        )
    return transport


class _NoCookies(http.cookiejar.CookieJar):
    """A jar that keeps no cookies: the SPARQL protocols use none, and reading every
    answer's headers for them is a measurable part of a short query's time."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def add_cookie_header(self, request: Any) -> None:
        return None


# -- the store ---------------------------------------------------------------------------------


def _stamp(when: datetime) -> ox.Literal:
    text = when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return ox.Literal(text, datatype=_DATETIME)


def _parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class RemoteStore:
    """A store on a SPARQL server: queries, updates and loads over the W3C protocols."""

    fast_aggregates = True  # the server answers whole-store aggregates quickly
    plans_by_statistics = True  # the server plans a query by its data, not by its shape

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str = "",
        graph_store_url: str = "",
        user: str = "",
        password: str = "",
        auth: str = "digest",
        graph_base: str = GRAPH_BASE,
        timeout: float = 600.0,
        lease: float = 600.0,
        refresh: float = 1.0,
        read_only: bool = False,
        recover: bool = True,
    ) -> None:
        self.path: Path | None = None
        self.url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.graph_base = graph_base
        self.meta = ox.NamedNode(graph_base + "meta")
        self.meta_graph = self.meta.value
        self.read_only = read_only
        self.timeout = timeout
        self.lease = lease
        self.refresh = refresh
        credentials: httpx.Auth | None = None
        if user:
            credentials = httpx.BasicAuth(user, password) if auth == "basic" else httpx.DigestAuth(user, password)
        self._client = httpx.Client(
            auth=credentials,
            cookies=_NoCookies(),
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=transport(httpx.Limits(max_connections=32, max_keepalive_connections=16)),
            headers={"User-Agent": "qagraph"},
        )
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._state: tuple[float, dict[str, ox.NamedNode], dict[ox.NamedNode, datetime | None]] | None = None
        self._fingerprint: tuple[str, ...] = ()
        self._generation = 0
        self._refreshing = False
        self._commit_hooks: list[Callable[[], None]] = []
        if recover and not read_only:
            self.recover()

    @property
    def retire_grace(self) -> float:
        """Seconds a replaced or dropped graph is kept for readers that still name it."""
        return max(2 * self.refresh, 1.0)

    # -- HTTP ----------------------------------------------------------------------------

    def _post(self, url: str, *, data: Any = None, content: bytes | None = None,
              headers: Mapping[str, str] | None = None, params: Any = None,
              timeout: float | None = None, stream: bool = False, query: bool = False) -> httpx.Response:
        """POST, and the response once its headers are in (`stream`: its body is read by
        the caller, see StreamedAnswer) or all of it."""
        try:
            request = self._client.build_request(
                "POST", url, data=data, content=content, headers=headers, params=params,
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout)
            response = self._client.send(request, stream=stream)
            if stream and response.status_code >= 400:
                response.read()
                response.close()
        except httpx.TimeoutException:
            raise RemoteTimeout(timeout or self.timeout) from None
        except httpx.HTTPError as err:
            raise RemoteStoreError("store_unreachable", url=url, detail=str(err) or type(err).__name__) from None
        if response.status_code >= 400:
            detail = response.text.strip()[:2000]
            if response.status_code == 400 and query:
                raise SyntaxError(detail)
            raise RemoteStoreError("store_failed", url=url, status=response.status_code, detail=detail)
        return response

    def _request(self, text: str, default: Sequence[ox.NamedNode] | None,
                 named: Sequence[ox.NamedNode] | None, timeout: float | None = None) -> QueryResult:
        """Send a query with its dataset; the answer, parsed."""
        form = queries.query_form(text)
        graph = form in {"CONSTRUCT", "DESCRIBE"}
        # Solutions are read as the caller iterates them: a caller that stops early never
        # holds, or downloads, the rest of a large answer.
        stream = form == "SELECT"
        response = self._answer(text, default, named, timeout, graph=graph, stream=stream)
        try:
            if graph:
                return _repair_triples(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
            if not stream:
                return ox.parse_query_results(_repair_xml(response.content), ox.QueryResultsFormat.XML)
            return ox.parse_query_results(io.BufferedReader(StreamedAnswer(response), 65536),
                                          ox.QueryResultsFormat.XML)
        except BaseException:
            response.close()
            raise

    def _document(self, text: str, default: Sequence[ox.NamedNode], named: Sequence[ox.NamedNode],
                  timeout: float | None) -> bytes:
        """Send a SELECT query with its dataset; the SPARQL XML results document, repaired."""
        return _repair_xml(self._answer(text, default, named, timeout, graph=False, stream=False).content)

    def _answer(self, text: str, default: Sequence[ox.NamedNode] | None, named: Sequence[ox.NamedNode] | None,
                timeout: float | None, *, graph: bool, stream: bool) -> httpx.Response:
        """The server's answer to a query (N-Triples for a `graph`, else SPARQL XML
        results), checked to be whole and of that type."""
        accept = N_TRIPLES if graph else XML_RESULTS
        body = urlencode({"query": text}).encode()
        if default is not None:
            body += _dataset_form(tuple(g.value for g in default), tuple(g.value for g in named or ()))
        response = self._post(self.url, content=body, headers={"Accept": accept, "Content-Type": FORM},
                              timeout=timeout, stream=stream, query=True)
        try:
            if response.headers.get("x-sql-state") == "S1TAT":
                # Virtuoso's "anytime" answer: the server stopped the query at its own
                # time limit (MaxQueryExecutionTime, or a timeout parameter in the
                # endpoint's URL) and sends what it had found, as a whole answer would look.
                raise RemoteIncomplete(self.url)
            media = response.headers.get("content-type", "").split(";")[0].strip()
            expected = {N_TRIPLES, "text/plain", "text/ntriples"} if graph else {XML_RESULTS, "application/xml",
                                                                                 "text/xml"}
            if media not in expected:
                raise RemoteStoreError("store_failed", url=self.url, status=response.status_code,
                                       detail=f"expected {accept}, got {media}")
        except BaseException:
            response.close()
            raise
        return response

    def update(self, text: str) -> None:
        """Run one SPARQL Update request (one transaction on the server)."""
        if self.read_only:
            raise InputError("store_read_only")
        self._post(self.update_url, data={"update": text}, headers={"Accept": "*/*"})

    # -- which graphs are current ----------------------------------------------------------

    def _read_state(self) -> tuple[dict[str, ox.NamedNode], dict[ox.NamedNode, datetime | None]]:
        text = (
            f"SELECT ?name ?g ?pending ?lease WHERE {{ GRAPH {self.meta} {{"
            f" {{ ?src <{_SOURCE_NAME}> ?name ; <{_CURRENT}> ?g }}"
            f" UNION {{ {self.meta} <{_PENDING}> ?pending OPTIONAL {{ ?pending <{_LEASE}> ?lease }} }}"
            " } }"
        )
        result = self._request(text, [self.meta], [self.meta])
        current: dict[str, ox.NamedNode] = {}
        pending: dict[ox.NamedNode, datetime | None] = {}
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            if row["g"] is not None and isinstance(row["g"], ox.NamedNode):
                current[row["name"].value] = row["g"]
            elif isinstance(row["pending"], ox.NamedNode):
                lease = row["lease"]
                until = _parse_stamp(lease.value) if isinstance(lease, ox.Literal) else None
                if row["pending"] not in pending or until is not None:
                    pending[row["pending"]] = until
        return current, pending

    def _snapshot(self, fresh: bool = False) -> tuple[dict[str, ox.NamedNode], dict[ox.NamedNode, datetime | None]]:
        """The current graphs and the pending ones. A state read less than `refresh`
        seconds ago is used as it is; one up to `stale` seconds old is used while a
        background thread reads it again (so a request rarely waits for it); an older one,
        or none, is read first."""
        with self._lock:
            state = self._state
            age = time.monotonic() - state[0] if state is not None else None
            if not fresh and state is not None and age is not None and age <= self.stale:
                if age > self.refresh and not self._refreshing:
                    self._refreshing = True
                    threading.Thread(target=self._refresh_state, daemon=True,
                                     name="qagraph-store-state").start()
                return state[1], state[2]
            started = time.monotonic()
            current, pending = self._read_state()
            self._install(started, current, pending)
            return current, pending

    @property
    def stale(self) -> float:
        """The age past which the state of the graphs is read before it is used: short
        of `retire_grace`, so a graph that the state names is still on the server."""
        return min(1.5 * self.refresh, self.retire_grace * 0.75)

    def _install(self, started: float, current: dict[str, ox.NamedNode],
                 pending: dict[ox.NamedNode, datetime | None]) -> None:
        """Keep a state read from `started` on (under the lock), unless a newer one is kept."""
        if self._state is not None and self._state[0] > started:
            return
        self._state = (started, current, pending)
        fingerprint = tuple(sorted(g.value for g in current.values()))
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self._generation += 1

    def _refresh_state(self) -> None:
        try:
            started = time.monotonic()
            current, pending = self._read_state()
            with self._lock:
                self._install(started, current, pending)
        except Exception:  # noqa: BLE001 - the next request past `stale` reads it and reports
            log.warning("reading the store's current graphs failed", exc_info=True)
        finally:
            self._refreshing = False

    @property
    def generation(self) -> int:
        """A number that changes whenever the set of current graphs changes (by this
        process or, within `stale` seconds, by any other)."""
        self._snapshot()
        return self._generation

    def current_graphs(self) -> dict[str, ox.NamedNode]:
        """Map source name -> its current named graph."""
        return dict(self._snapshot()[0])

    def has_pending(self) -> bool:
        return bool(self._snapshot()[1])

    def _visible(self, exclude_sources: Sequence[str] = ()) -> list[ox.NamedNode]:
        current = self.current_graphs()
        return [g for name, g in current.items() if name not in exclude_sources] + [self.meta]

    # -- reading -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        exclude_sources: Sequence[str] = (),
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        staged: Sequence[StagedSource] = (),
        graphs: Sequence[ox.NamedNode] | None = None,
    ) -> QueryResult:
        """Run a query over the committed graphs, like OxigraphStore.query. The dataset is
        always sent explicitly (default-graph-uri and named-graph-uri): a server's own
        default graph may hold other data. `timeout` limits the wait for the answer (the
        SPARQL endpoint's limit); RemoteTimeout when it passes. `staged` adds pending
        graphs (a load's); `graphs` is a dataset from `dataset_graphs`."""
        text = self._standard_text(sparql, bindings, base_iri)
        if default_graphs is not None or named_graphs is not None:
            default, named = self._client_dataset(text, default_graphs, named_graphs, exclude_sources)
            return self._request(text, default, named, timeout)
        committed = list(graphs) if graphs else (
            self._visible(exclude_sources) + [s.graph for s in staged])
        # Named graphs only for a query that names a graph (the only way a query reads
        # them): the list is as long as the sources, and a server reads every IRI of it
        # for each request.
        return self._request(text, committed, committed if uses_graph(text) else [], timeout)

    def select_document(
        self,
        sparql: str,
        *,
        row_limit: int,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> SolutionsDocument | ox.QuerySolutions:
        """A SELECT query over a client's dataset (as `query` with `default_graphs` and
        `named_graphs`), for the SPARQL endpoint: with at most `row_limit` solutions, the
        server's SPARQL XML results document (repaired), to send on as it is; with more,
        the solutions from the first one on (the rest of the answer is downloaded only
        as far as they are read), to be cut as any other answer.

        Solutions are counted as the answer comes in (`solutions_at_most`, on pieces of
        whole lines: a start tag's name is never cut). A document with a document type
        declaration (which could define entities that expand to elements) is never
        sent on."""
        if queries.query_form(sparql) != "SELECT":
            raise ValueError("select_document answers SELECT queries only")
        text = self._standard_text(sparql, bindings, base_iri)
        default, named = self._client_dataset(text, default_graphs, named_graphs)
        response = self._answer(text, default, named, timeout, graph=False, stream=True)
        answer = StreamedAnswer(response, keep=True)
        try:
            at_most = 0
            for piece in answer.pieces():
                at_most += solutions_at_most(piece)
                if at_most > row_limit:
                    break
            else:
                document = answer.kept()
                if b"<!DOCTYPE" not in document:
                    return SolutionsDocument(document, at_most)
            solutions = ox.parse_query_results(io.BufferedReader(answer.replayed(), 65536),
                                               ox.QueryResultsFormat.XML)
            if not isinstance(solutions, ox.QuerySolutions):
                raise RemoteStoreError("store_failed", url=self.url, status=response.status_code,
                                       detail="a SELECT query was not answered with solutions")
            return solutions
        except BaseException:
            answer.close()
            raise

    def _standard_text(self, sparql: str, bindings: Mapping[str, Term] | None, base_iri: str | None) -> str:
        """The text sent for a query: canonical, without FROM clauses, bindings
        substituted, read by Oxigraph's parser first (only standard SPARQL 1.1 goes to
        the server, see `_standard`), with its base."""
        text = substitute(without_dataset(_canonical(sparql)), bindings or {})
        if len(text) <= _STANDARD_CACHED:
            _standard(text, base_iri)
        else:  # a long text is read each time rather than kept
            _PARSER.query(text, base_iri=base_iri)
        if base_iri:
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        return text

    def _client_dataset(self, text: str, default_graphs: Sequence[str] | None,
                        named_graphs: Sequence[str] | None, exclude_sources: Sequence[str] = (),
                        ) -> tuple[list[ox.NamedNode], list[ox.NamedNode]]:
        """The graphs of a client's dataset that this store holds (an empty graph for a
        list that names none of them; the visible graphs for a list not given), and named
        graphs only for a query with a GRAPH pattern."""
        known = set(self._visible())
        empty = ox.NamedNode(self.graph_base + "empty")

        def chosen(given: Sequence[str] | None) -> list[ox.NamedNode]:
            if given is None:
                return self._visible(exclude_sources)
            return [g for g in map(ox.NamedNode, given) if g in known] or [empty]

        return chosen(default_graphs), (chosen(named_graphs) if uses_graph(text) else [])

    def dataset_graphs(self, exclude_sources: Sequence[str] = (),
                       staged: Sequence[StagedSource] = ()) -> list[ox.NamedNode]:
        """The graphs queries see with these sources left out and these staged graphs
        added (a server always gets its dataset explicitly)."""
        return self._visible(exclude_sources) + [s.graph for s in staged]

    def graph_size(self, graph: ox.NamedNode) -> int:
        result = self._request(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
                               [graph], [graph])
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            return int(row["n"].value)
        return 0

    def triple_count(self) -> int:
        """Number of triples in the committed source graphs (metadata excluded), as
        counted when each was loaded."""
        return sum(info.triples for info in self.sources())

    def sources(self) -> list[SourceInfo]:
        """The loaded sources with the provenance of their current load."""
        text = substitute(queries.load("sources").text, {"meta": self.meta})
        result = self._request(text, [self.meta], [self.meta])
        assert isinstance(result, ox.QuerySolutions)
        return [
            SourceInfo(
                name=row["name"].value,
                graph=row["g"].value,
                triples=int(row["n"].value),
                checksum=row["sum"].value,
                loaded_at=row["at"].value,
                file=row["file"].value,
                agent=row["agent"].value if row["agent"] is not None else "",
            )
            for row in result
        ]

    def is_empty(self) -> bool:
        return not self.current_graphs()

    def graph_names(self) -> set[str]:
        """Every named graph on the server under this store's prefix (current, pending and
        metadata); the clean-up on open keeps only those a source or a lease holds."""
        prefix = ox.Literal(self.graph_base)
        result = self._request(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {prefix})) }}",
            None, None)
        assert isinstance(result, ox.QuerySolutions)
        return {row["g"].value for row in result}

    # -- writing -----------------------------------------------------------------------------

    def _lease_until(self) -> ox.Literal:
        return _stamp(datetime.now(UTC) + timedelta(seconds=self.lease))

    def stage(self, name: str, file: str, checksum: str) -> StagedSource:
        """Reserve a fresh pending graph for source `name`, leased to this process."""
        check_source_name(name)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        graph = ox.NamedNode(f"{self.graph_base}{name}/{stamp}-{uuid.uuid4().hex[:8]}")
        self.update(f"INSERT DATA {{ GRAPH {self.meta} {{ {self.meta} <{_PENDING}> {graph} . "
                    f"{graph} <{_LEASE}> {self._lease_until()} }} }}")
        with self._lock:
            self._state = None
        return StagedSource(name=name, graph=graph, file=file, checksum=checksum)

    def _renew(self, graph: ox.NamedNode) -> None:
        self.update(
            f"DELETE {{ GRAPH {self.meta} {{ {graph} <{_LEASE}> ?t }} }} "
            f"INSERT {{ GRAPH {self.meta} {{ {graph} <{_LEASE}> {self._lease_until()} }} }} "
            f"WHERE {{ GRAPH {self.meta} {{ {self.meta} <{_PENDING}> {graph} OPTIONAL {{ {graph} <{_LEASE}> ?t }} }} }}"
        )

    def _send(self, graph: ox.NamedNode, triples: Sequence[ox.Triple]) -> None:
        if not triples:
            return
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        if self.graph_store_url:
            self._post(self.graph_store_url, params={"graph": graph.value}, content=body,
                       headers={"Content-Type": N_TRIPLES}, timeout=max(self.timeout, 300.0))
        else:
            self.update(f"INSERT DATA {{ GRAPH {graph} {{ {body.decode('utf-8')} }} }}")

    def write_staged(self, staged: StagedSource, triples: Iterable[ox.Triple]) -> None:
        """Write triples into the staged (invisible) graph, in chunks. Triples with blank
        nodes go in one last request, so that each blank node stays one node (a blank
        node label is local to the document it is sent in)."""
        if self.read_only:
            raise InputError("store_read_only")
        chunk: list[ox.Triple] = []
        blank: list[ox.Triple] = []
        renewed = time.monotonic()
        for triple in triples:
            if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
                blank.append(triple)
                continue
            chunk.append(triple)
            if len(chunk) >= CHUNK:
                self._send(staged.graph, chunk)
                chunk = []
                if time.monotonic() - renewed > self.lease / 4:
                    self._renew(staged.graph)
                    renewed = time.monotonic()
        self._send(staged.graph, chunk)
        self._send(staged.graph, blank)

    def bulk_write_staged(self, staged: StagedSource, path: Path, fmt: ox.RdfFormat) -> None:
        """Stream a file into the staged graph by Graph Store POSTs of N-Triples chunks
        (the graph stays pending until commit, and is dropped on failure or expiry)."""
        parsed = ox.parse(path=str(path), format=fmt)
        self.write_staged(staged, (ox.Triple(q.subject, q.predicate, q.object) for q in parsed))

    def staged_triples(self, staged: StagedSource) -> Iterator[ox.Triple]:
        result = self._request(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {staged.graph} {{ ?s ?p ?o }} }}",
                               [staged.graph], [staged.graph])
        assert isinstance(result, list)
        yield from result

    def count_staged(self, staged: StagedSource) -> int:
        staged.triples = self.graph_size(staged.graph)
        return staged.triples

    def commit(self, staged: Sequence[StagedSource], agent: str = "qagraph") -> None:
        """Make the staged graphs current in one update; the graphs they replace become
        pending, kept a few seconds for readers that still name them, then dropped."""
        if self.read_only:
            raise InputError("store_read_only")
        with self._write_lock:
            current = self._snapshot(fresh=True)[0]
            now = datetime.now(UTC)
            stamp = _stamp(now)
            grace = _stamp(now + timedelta(seconds=self.retire_grace))
            delete: list[ox.Quad] = []
            insert: list[ox.Quad] = []
            leases = []
            meta = self.meta
            for s in staged:
                if not s.triples:
                    self.count_staged(s)
                src = source_iri(s.name)
                old = current.get(s.name)
                if old is not None:
                    delete.append(ox.Quad(src, ox.NamedNode(_CURRENT), old, meta))
                    insert.append(ox.Quad(meta, ox.NamedNode(_PENDING), old, meta))
                    insert.append(ox.Quad(old, ox.NamedNode(_LEASE), grace, meta))
                    insert.append(ox.Quad(old, ox.NamedNode(PROV + "invalidatedAtTime"), stamp, meta))
                delete.append(ox.Quad(meta, ox.NamedNode(_PENDING), s.graph, meta))
                leases.append(f"DELETE WHERE {{ GRAPH {meta} {{ {s.graph} <{_LEASE}> ?t }} }}")
                insert.extend(provenance_quads(s, src, stamp, agent, meta))
            self.update(" ;\n".join([*leases, update_text(delete, insert)]))
            self._snapshot(fresh=True)
        self._committed()
        self._drop_expired(fresh=False)

    def discard(self, staged: Sequence[StagedSource]) -> None:
        """Throw staged graphs away; the store is as it was before `stage`."""
        self._drop_graphs([s.graph for s in staged])

    def drop(self, name: str) -> int:
        """Remove a source; returns the number of triples it had."""
        with self._write_lock:
            current = self._snapshot(fresh=True)[0]
            if name not in current:
                raise InputError("unknown_source", name=name)
            graph = current[name]
            size = self.graph_size(graph)
            meta = self.meta
            now = datetime.now(UTC)
            delete = [ox.Quad(source_iri(name), ox.NamedNode(_CURRENT), graph, meta)]
            insert = [
                ox.Quad(meta, ox.NamedNode(_PENDING), graph, meta),
                ox.Quad(graph, ox.NamedNode(_LEASE), _stamp(now + timedelta(seconds=self.retire_grace)), meta),
                ox.Quad(graph, ox.NamedNode(PROV + "invalidatedAtTime"), _stamp(now), meta),
            ]
            self.update(update_text(delete, insert))
            self._snapshot(fresh=True)
        self._committed()
        self._drop_expired(fresh=False)
        return size

    def add_commit_hook(self, hook: Callable[[], None]) -> None:
        """Call `hook` after every commit and drop of this process."""
        self._commit_hooks.append(hook)

    def _committed(self) -> None:
        for hook in self._commit_hooks:
            try:
                hook()
            except Exception:  # the commit has happened: a cache must not undo it
                log.exception("commit hook failed")

    def _drop_graphs(self, graphs: Sequence[ox.NamedNode]) -> None:
        if not graphs:
            return
        meta = self.meta
        parts = []
        for graph in graphs:
            parts.append(f"DROP SILENT GRAPH {graph}")
            parts.append(f"DELETE WHERE {{ GRAPH {meta} {{ {graph} <{_LEASE}> ?t }} }}")
            parts.append(f"DELETE DATA {{ GRAPH {meta} {{ {meta} <{_PENDING}> {graph} }} }}")
        self.update(" ;\n".join(parts))
        with self._lock:
            self._state = None

    def _drop_expired(self, fresh: bool = True) -> list[str]:
        now = datetime.now(UTC)
        _current, pending = self._snapshot(fresh=fresh)
        expired = [g for g, until in pending.items() if until is None or until <= now]
        self._drop_graphs(expired)
        return [g.value for g in expired]

    def recover(self) -> list[str]:
        """Drop pending graphs whose lease ran out and graphs under this store's prefix
        that no source and no lease holds (after a load was killed)."""
        dropped = self._drop_expired()
        current, pending = self._snapshot(fresh=True)
        keep = {g.value for g in current.values()} | {g.value for g in pending} | {self.meta.value}
        orphans = [ox.NamedNode(g) for g in sorted(self.graph_names() - keep)]
        self._drop_graphs(orphans)
        return dropped + [g.value for g in orphans]

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, source: str | None = None) -> None:
        """Serialise the committed data (or one source) to `output`."""
        current = self.current_graphs()
        if source is not None:
            if source not in current:
                raise InputError("unknown_source", name=source)
            graphs = [current[source]]
        else:
            graphs = [current[name] for name in sorted(current)]
        quads: list[ox.Quad] = []
        for graph in graphs:
            for t in self.staged_triples(StagedSource("", graph, "", "")):
                quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        if fmt.supports_datasets:
            ox.serialize(quads, output, fmt)
        else:
            ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), output, fmt)

    def flush(self) -> None:
        """Nothing to do: the server makes each request durable."""

    def close(self) -> None:
        self._client.close()
