"""How data gets in: one module per input format, all behind one registry.

Built-in loaders register themselves here exactly as an outside plug-in would, with
`registry.register(...)`. The CLI and the web look loaders up by name or by file name.
"""

from __future__ import annotations

from .registry import Loader, all_loaders, for_path, get, register

__all__ = ["Loader", "all_loaders", "for_path", "get", "register"]

from . import elm as _elm  # noqa: E402,F401  (registers the ELM loader, chosen by --profile elm)
from . import rdf as _rdf  # noqa: E402,F401  (registers the RDF loaders)
from . import sssom as _sssom  # noqa: E402,F401  (registers the SSSOM/TSV loader)
from . import tables as _tables  # noqa: E402,F401  (registers the CSV and Excel table loaders)
