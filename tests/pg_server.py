"""A throw-away PostgreSQL server for the tests that grade on a PostgreSQL gradebook.

Written here, not taken from pytest-postgresql: that plugin runs ``initdb`` and
``pg_ctl`` as the current user, and PostgreSQL refuses to run as root, which is how
CI containers run (pytest-postgresql issues 341 and 455). As root, the server runs as
the ``postgres`` system user that Debian's package creates.

The server listens on a Unix socket only (no TCP port to collide with), in a
temporary folder that is removed afterwards. ``.ci/run`` installs PostgreSQL when
it is missing and sets ``CRM_REQUIRE_POSTGRES=1``, so there the tests fail instead of
skipping when no server can be started.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["postgres_bindir", "throwaway_postgres", "REQUIRED"]

#: Set by .ci/run: a missing PostgreSQL is then a failure, not a skip.
REQUIRED = os.environ.get("CRM_REQUIRE_POSTGRES") == "1"


def postgres_bindir() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl``: from ``pg_config``, else Debian's layout."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


@contextmanager
def throwaway_postgres(database: str = "crm_gradebook"):
    """Start a server, create ``database``, yield its SQLAlchemy URL; stop and delete it after.

    Raises RuntimeError (with PostgreSQL's own message) when the server cannot start.
    """
    bindir = postgres_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl found)")
    run_as = {}
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root, and there is no 'postgres' user "
                               "to run the server as") from None
        run_as = {"user": account.pw_uid, "group": account.pw_gid}
    # A short path: a Unix socket's path may not exceed 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    data, socket_dir = folder / "data", folder
    if run_as:
        os.chown(folder, run_as["user"], run_as["group"])

    def pg(tool: str, *args: str) -> None:
        done = subprocess.run([str(bindir / tool), *args], capture_output=True, text=True,
                              cwd=folder, **run_as)
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {(done.stderr or done.stdout).strip()}")

    started = False
    try:
        pg("initdb", "-D", str(data), "-A", "trust", "-U", "crm", "-E", "UTF8", "--no-sync")
        pg("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o",
           f"-k {socket_dir} -c listen_addresses='' -F", "start")
        started = True
        pg("createdb", "-h", str(socket_dir), "-U", "crm", database)
        yield f"postgresql+psycopg://crm@/{database}?host={socket_dir}"
    finally:
        if started:
            pg("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
