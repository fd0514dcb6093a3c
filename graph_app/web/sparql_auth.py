"""Who may write through the SPARQL routes (Update, Graph Store writes): the curator
token, checked before any body is read, with the log-in limits of failed attempts."""

from __future__ import annotations

from flask import Response, current_app
from flask_babel import gettext as _

from .security import TooManyAttempts, check_bearer, too_many
from .sparql_http import plain


def need_token() -> Response | None:
    """None when the request carries the curator token; else the refusal (403 when
    writes are off, 401, or 429 after too many failures). Checked before any body is read."""
    token = current_app.config.get("CURATOR_TOKEN") or ""
    if not token:
        return plain(403, _("Writes are turned off on this server."))
    try:
        if check_bearer(token):
            return None
    except TooManyAttempts as err:
        return too_many(err)
    return plain(401, _("A curator token is needed to write."),
                  {"WWW-Authenticate": 'Bearer realm="qagraph"'})
