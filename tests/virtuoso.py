"""A throw-away Virtuoso Open Source server for tests and benchmarks.

Debian's `virtuoso-opensource-7-bin` package gives the server (`virtuoso-t`) and its SQL
client (`isql-vt`); `scripts/system-deps.sh` installs it. Each server gets its own
`virtuoso.ini` and database in a folder of its own, listens on 127.0.0.1 only, on two free
ports (SQL and HTTP), and runs in the foreground as a child of the test process, so that
stopping it is ending that child. Its settings differ from the package's in what a test
needs (see docs/scale.md for what a production server needs):

- no row cap on SPARQL results and no "anytime" time limit, which would cut answers
  short silently; qagraph sets its own limits;
- the `dba` password is replaced by a random one, and a user of its own with the
  SPARQL_UPDATE role writes through `/sparql-auth` and `/sparql-graph-crud-auth` (HTTP
  digest authentication); `/sparql` stays read-only and anonymous.
"""

from __future__ import annotations

import ctypes
import json
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SERVER = "virtuoso-t"
CLIENT = "isql-vt"

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = {dir}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = {query_mem}
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10
HTTPThreadSize = 280000
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 1000000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Virtuoso:
    folder: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes]
    dba_password: str
    user: str
    password: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    @property
    def update_url(self) -> str:
        return self.base + "/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def settings(self, graph_base: str) -> dict[str, object]:
        """qagraph settings that point at this server, writing under `graph_base`."""
        return {
            "STORE_URL": self.query_url,
            "STORE_UPDATE_URL": self.update_url,
            "STORE_GRAPH_STORE_URL": self.graph_store_url,
            "STORE_USER": self.user,
            "STORE_PASSWORD": self.password,
            "STORE_AUTH": "digest",
            "STORE_GRAPH_BASE": graph_base,
        }

    def sql(self, statements: str, password: str | None = None) -> str:
        """Run SQL statements through isql (as dba)."""
        done = subprocess.run(
            [CLIENT, f"127.0.0.1:{self.sql_port}", "dba", password or self.dba_password,
             f"exec={statements}"],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        """Stop the server (it checkpoints on SIGTERM) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def binaries() -> tuple[str, str]:
    server, client = shutil.which(SERVER), shutil.which(CLIENT)
    if not server or not client:
        raise RuntimeError(f"{SERVER} and {CLIENT} are missing: run scripts/system-deps.sh "
                           "(Debian package virtuoso-opensource-7-bin)")
    return server, client


def start(folder: Path, *, memory_mb: int = 400, wait: float = 120.0, reuse: bool = False) -> Virtuoso:
    """Create a database in `folder` and start a server on it; returns when it answers.
    With `reuse`, a database that an earlier call left in `folder` is started again with
    its users (a benchmark that keeps what it loaded); otherwise `folder` must be new."""
    server, _client = binaries()
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / "credentials.json"
    earlier = json.loads(kept.read_text(encoding="utf-8")) if reuse and kept.exists() else None
    buffers = max(2000, memory_mb * 1024 // 8 * 2 // 3)  # 8 KiB pages, 2/3 of the memory
    sql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(
        dir=folder, sql_port=sql_port, http_port=http_port, buffers=buffers,
        dirty=buffers * 3 // 4, query_mem=f"{max(200, memory_mb // 2)}M"), encoding="utf-8")
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen(
        [server, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    vt = Virtuoso(folder, sql_port, http_port, process, "dba", "qagraph", secrets.token_hex(12))
    if earlier is not None:
        vt.dba_password, vt.password = earlier["dba"], earlier["password"]
    deadline = time.monotonic() + wait
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t stopped: {(folder / 'virtuoso.log').read_text(errors='replace')[-2000:]}")
        if _answers(vt.query_url):
            break
        if time.monotonic() > deadline:
            vt.stop()
            raise RuntimeError("virtuoso-t did not start in time")
        time.sleep(0.3)
    if earlier is not None:
        return vt
    dba = secrets.token_hex(12)
    vt.sql(f"DB.DBA.USER_CREATE('{vt.user}', '{vt.password}'); "
           f"GRANT SPARQL_UPDATE TO \"{vt.user}\"; "
           f"DB.DBA.USER_CHANGE_PASSWORD('dba', 'dba', '{dba}');", password="dba")
    vt.dba_password = dba
    kept.touch(mode=0o600)
    kept.write_text(json.dumps({"dba": dba, "password": vt.password}), encoding="utf-8")
    return vt


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends it SIGTERM when the test process ends,
    however it ends (Linux prctl PR_SET_PDEATHSIG), so no server outlives its tests."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _answers(url: str) -> bool:
    query = urllib.parse.urlencode({"query": "ASK { }"})
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
