"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a Unix socket there, no TCP.

PostgreSQL refuses to run as root, and CI and the developers' machines run as root: the cluster is
then made and started as the unprivileged ``postgres`` user that the Debian package creates (with
``runuser``).  Each pytest worker starts its own cluster once; each test that needs a store gets a
new database, copied from a template that already holds the schema (a few tens of milliseconds).

The server's programs are found on PATH, else in /usr/lib/postgresql/*/bin.  When they are missing
the tests that need them fail, saying how to install them (``.ci/run`` installs them on a fresh
machine).
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional
from urllib.parse import quote

TEMPLATE = "st_template"
INSTALL_HINT = ("the PostgreSQL server is not installed (pg_ctl and initdb not found on PATH or in "
                "/usr/lib/postgresql/*/bin): apt-get install postgresql, as .ci/run does")


def server_program(name: str) -> Optional[str]:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


class Cluster:
    """One throwaway cluster: ``url(dbname)`` names a database on it."""

    def __init__(self, *, durable: bool = False) -> None:
        """``durable``: fsync and synchronous commit on, as on a real server (for benchmarks); the tests'
        clusters turn them off, since a throwaway cluster has nothing to keep through a power cut."""
        initdb, pg_ctl = server_program("initdb"), server_program("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError(INSTALL_HINT)
        self.pg_ctl = pg_ctl
        # (as root, in /tmp itself: the postgres user must be able to reach the folder)
        self.folder = Path(tempfile.mkdtemp(prefix="st-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        self.data = self.folder / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                subprocess.run(["chown", "postgres:", str(self.folder)], check=True, capture_output=True)
            except subprocess.CalledProcessError:
                raise RuntimeError("running as root, the tests start PostgreSQL as the 'postgres' user, and there "
                                   "is none: useradd --system postgres (as .ci/run does)") from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run([initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                   "--locale=C.UTF-8", "--no-sync"])
        fast = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        options = f"-k {self.folder} -c listen_addresses='' {fast}-c max_connections=100"
        self._run([pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "-t", "120",
                   "start"])
        atexit.register(self.stop)
        self._numbers = itertools.count(1)
        self._template_made = False

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(self.as_user + argv, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed ({done.returncode}): {done.stdout}{done.stderr}")

    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{quote(user)}@/{dbname}?host={quote(str(self.folder))}"

    def login(self, name: str) -> None:
        """A login role on this cluster (cluster-wide, as logins are), made if missing; no password (trust)."""
        with self.admin() as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                conn.execute(f'CREATE ROLE "{name}" LOGIN')

    @staticmethod
    def url_as(url: str, user: str) -> str:
        """The same database's URL, connecting as ``user``."""
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{quote(user)}@{rest.split('@', 1)[1]}"

    def admin(self):  # type: ignore[no-untyped-def]
        import psycopg
        return psycopg.connect(self.url(), autocommit=True)

    def new_database(self, *, schema: bool = True) -> str:
        """A new, empty database (holding the current schema when ``schema``); returns its URL."""
        name = f"t_{os.getpid()}_{next(self._numbers)}"
        with self.admin() as conn:
            if schema:
                if not self._template_made:
                    self._make_template(conn)
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
                # (a database's own rights are not copied with its template: taken away as schema 4 does,
                # and as docs/postgres.md tells a DBA to do after a restore)
                conn.execute(f"REVOKE TEMPORARY ON DATABASE {name} FROM PUBLIC")
            else:
                conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def _make_template(self, conn) -> None:  # type: ignore[no-untyped-def]
        import psycopg
        from safeguard_tracker.store.postgres.schema import apply_migrations
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(self.url(TEMPLATE)) as t:
            apply_migrations(t, TEMPLATE)
            t.commit()
        self._template_made = True

    def connections(self, url: str, allowed: bool) -> None:
        """Let the database ``url`` names take connections, or not (cutting those it has): the server gone,
        as far as that database's users can tell, without stopping the cluster the other tests share."""
        database = url.split("?", 1)[0].rsplit("/", 1)[1]
        with self.admin() as conn:
            conn.execute(f"ALTER DATABASE {database} ALLOW_CONNECTIONS {str(allowed).lower()}")
            if not allowed:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(self.as_user + [self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                           capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


_cluster: Optional[Cluster] = None


def cluster() -> Cluster:
    """This worker's cluster, started on first use."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster()
    return _cluster
