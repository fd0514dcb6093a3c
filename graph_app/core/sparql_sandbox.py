"""Shut a query worker off from the network (the second line of defence).

pyoxigraph is built with an HTTP client: ``SERVICE`` and ``LOAD`` fetch URLs, and it has
no option to turn that off. So each query worker process, before it opens any store or
starts any thread, installs a seccomp filter (through libseccomp, which every Debian
system has, via the pyseccomp package): ``socket()`` fails with EACCES for every address
family but Unix sockets (the worker talks to the server over a Unix socket pair), and
``io_uring_setup`` fails too, so no socket can be made around the filter. The filter
needs no privileges (it sets no_new_privs) and holds for the process and every thread it
starts. See docs/decisions/0002-query-workers-without-network.md.

Where the filter cannot be installed (no libseccomp, not Linux), the QUERY_SANDBOX setting
decides: ``require`` (the default) refuses to run queries, ``warn`` runs them and logs a
warning at every worker start.
"""

from __future__ import annotations

import errno
import socket


def close_network() -> str:
    """Install the filter in this process; return "" on success, else why it failed."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as err:  # the package, or libseccomp itself, is missing
        return f"libseccomp is not available ({err})"
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "io_uring_setup")
        rules.load()
    except (OSError, RuntimeError, ValueError) as err:
        return f"the seccomp filter could not be installed ({err})"
    return ""


def network_closed() -> bool:
    """True when this process cannot open an Internet socket (the filter holds)."""
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return True
    probe.close()
    return False
