"""Front-end libraries from the npm registry (pinned by package-lock.json, installed by the
set-up into node_modules/), served at /vendor/<package>/<file>. Only the files listed here
are served."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory
from werkzeug.wrappers import Response

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"

FILES: dict[str, tuple[str, str]] = {
    "pico/pico.min.css": ("@picocss/pico/css", "pico.min.css"),
    "cytoscape/cytoscape.min.js": ("cytoscape/dist", "cytoscape.min.js"),
    # the fCoSE layout and the two modules it is built on (UMD builds that chain by globals)
    "cytoscape/layout-base.js": ("layout-base", "layout-base.js"),
    "cytoscape/cose-base.js": ("cose-base", "cose-base.js"),
    "cytoscape/cytoscape-fcose.js": ("cytoscape-fcose", "cytoscape-fcose.js"),
    "yasgui/yasgui.min.js": ("@zazuko/yasgui/build", "yasgui.min.js"),
    "yasgui/yasgui.min.css": ("@zazuko/yasgui/build", "yasgui.min.css"),
}

bp = Blueprint("vendor", __name__)


@bp.get("/vendor/<path:name>")
def asset(name: str) -> Response:
    if name not in FILES:
        abort(404)
    folder, filename = FILES[name]
    response = send_from_directory(NODE_MODULES / folder, filename, max_age=86400)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
