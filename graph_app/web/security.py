"""What keeps the site safe to put on the internet, in one place:

- every request body is bounded before it is read (a limit per route, 413 at once);
- security headers on every response (a Content-Security-Policy without inline script,
  nosniff, no framing, a Referrer-Policy);
- session cookies SameSite=Lax, HttpOnly, Secure as a setting; log-ins registered
  server-side, so that logging out ends the session for good;
- failed authentications (log-in form, HTTP Basic, Bearer) rate-limited per client
  address and per account with the ``limits`` library (Flask-Limiter's engine): 429 with
  Retry-After;
- constant-time comparison of tokens; redirects only to local paths.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext as _
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

# What the pages may load: only this site's own files (no inline script or style, no
# eval), images also as data: URLs; no plug-ins, no framing, forms post only here.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Pages whose libraries insert <style> elements at run time (Yasgui in the query editor,
# Cytoscape.js in the graph view) also allow inline style; their scripts stay as strict.
INLINE_STYLE_ENDPOINTS = frozenset({"sparql.endpoint", "graphview.view"})
CSP_INLINE_STYLE = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
THROTTLE_KEY = "qagraph.auth_throttle"
SESSIONS_KEY = "qagraph.sessions"


# -- bodies ----------------------------------------------------------------------------


def body_limit() -> int:
    """The largest body this request may have, by route (see docs/settings.md)."""
    config = current_app.config
    endpoint = request.endpoint or ""
    if endpoint == "sparql.graph_store":
        return int(config["MAX_GRAPH_STORE_BYTES"])
    if endpoint == "sparql.endpoint":
        if request.mimetype == "application/sparql-update":
            return int(config["MAX_UPDATE_BYTES"])
        return int(config["MAX_QUERY_BYTES"])
    return int(config["MAX_FORM_BYTES"])


def read_body() -> bytes:
    """The request body, at most the route's limit; a body sent without a length (chunked)
    that runs over it ends the request with 413 (the rest is never read)."""
    limit = body_limit()
    if request.content_length is not None:
        return request.stream.read(limit)  # the length was checked before the request ran
    if "wsgi.input_terminated" not in request.environ:
        return b""
    # werkzeug's own stream stops silently at the limit; read one byte past it to know
    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(too_large())
    return bytes(data)


def too_large() -> Response:
    """413 at once; the body is never read, so the connection is closed after it."""
    response = Response(_("The request body is too large (at most %(limit)s bytes here).",
                          limit=body_limit()) + "\n", status=413, mimetype="text/plain")
    response.headers["Connection"] = "close"
    return response


# -- authentication ----------------------------------------------------------------------


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class AuthThrottle:
    """Counts failed authentications per client address and per account (a moving
    window); once a limit is reached, further attempts are refused before any check."""

    def __init__(self, storage_uri: str, per_address: str, per_account: str) -> None:
        self.strategy = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.per_address = parse_many(per_address)
        self.per_account = parse_many(per_account)

    def _keys(self, account: str | None) -> list[tuple[Any, tuple[str, ...]]]:
        keys: list[tuple[Any, tuple[str, ...]]] = [(item, ("auth-address", client_address()))
                                                   for item in self.per_address]
        if account:
            keys += [(item, ("auth-account", account[:200])) for item in self.per_account]
        return keys

    def check(self, account: str | None) -> None:
        """Raise TooManyAttempts when a limit is already used up."""
        for item, key in self._keys(account):
            if not self.strategy.test(item, *key):
                reset = self.strategy.get_window_stats(item, *key).reset_time
                raise TooManyAttempts(max(1, math.ceil(reset - time.time())))

    def failed(self, account: str | None) -> None:
        for item, key in self._keys(account):
            self.strategy.hit(item, *key)


def throttle() -> AuthThrottle:
    found = current_app.extensions[THROTTLE_KEY]
    assert isinstance(found, AuthThrottle)
    return found


def too_many(err: TooManyAttempts) -> Response:
    response = Response(_("Too many failed attempts; try again in %(seconds)s s.",
                          seconds=err.retry_after) + "\n", status=429, mimetype="text/plain")
    response.headers["Retry-After"] = str(err.retry_after)
    return response


def client_address() -> str:
    """The client's address (behind PROXIES trusted reverse proxies, the forwarded one)."""
    return request.remote_addr or "unknown"


def bearer_ok(token: str) -> bool:
    """Whether the request carries `token` as its Bearer token (constant-time)."""
    given = request.headers.get("Authorization", "")
    expected = f"Bearer {token}"
    return bool(token) and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def check_bearer(token: str) -> bool:
    """Bearer authentication under the rate limit: False when wrong (and counted);
    raises TooManyAttempts when this address has failed too often."""
    throttle().check(None)
    if bearer_ok(token):
        return True
    throttle().failed(None)
    return False


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


class SessionRegistry:
    """Log-ins known to the server: a session cookie names one by a random nonce, and
    only a nonce still registered counts. Logging out removes it, so an old cookie is
    worth nothing. Kept in the server process: a restart logs everyone out."""

    def __init__(self, lifetime: float = 12 * 3600) -> None:
        self.lifetime = lifetime
        self._live: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def start(self, curator: str) -> str:
        nonce = secrets.token_urlsafe(24)
        now = time.time()
        with self._lock:
            self._live = {k: v for k, v in self._live.items() if now - v[1] < self.lifetime}
            self._live[nonce] = (curator, now)
        return nonce

    def curator(self, nonce: object) -> str | None:
        if not isinstance(nonce, str):
            return None
        with self._lock:
            found = self._live.get(nonce)
        if found is None or time.time() - found[1] >= self.lifetime:
            return None
        return found[0]

    def end(self, nonce: object) -> None:
        if isinstance(nonce, str):
            with self._lock:
                self._live.pop(nonce, None)


def sessions() -> SessionRegistry:
    found = current_app.extensions[SESSIONS_KEY]
    assert isinstance(found, SessionRegistry)
    return found


# -- the app ------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config.get("COOKIE_SECURE"))
    app.config["MAX_FORM_MEMORY_SIZE"] = int(app.config["MAX_QUERY_BYTES"])
    proxies = int(app.config.get("PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.extensions[THROTTLE_KEY] = AuthThrottle(
        app.config["RATE_LIMIT_STORAGE"], app.config["AUTH_LIMIT_ADDRESS"], app.config["AUTH_LIMIT_ACCOUNT"])
    app.extensions[SESSIONS_KEY] = SessionRegistry()

    @app.before_request
    def bound_the_body() -> Response | None:
        limit = body_limit()
        request.max_content_length = limit
        length = request.content_length
        if length is not None and length > limit:
            return too_large()
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if length is None and chunked and "wsgi.input_terminated" not in request.environ:
            # The server cannot bound a chunked body for us (gunicorn): ask for a length.
            response = Response(_("Send the body with a Content-Length.") + "\n", status=411,
                                mimetype="text/plain")
            response.headers["Connection"] = "close"
            return response
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint in INLINE_STYLE_ENDPOINTS:
            response.headers["Content-Security-Policy"] = CSP_INLINE_STYLE
        if response.status_code == 413:
            response.headers["Connection"] = "close"
        return response
