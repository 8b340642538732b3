"""What the server store's benchmarks share: a PostgreSQL cluster of the run's own with fsync on (as a real
server has it), a store moved into a new database on it, the TUI's filter as #4 types it, and a warm
median time."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
FILTER_QUERY = SimpleNamespace(year="2017-18", agency="Police", word="teacher")   # as #4 types it


def durable_cluster() -> Any:
    """A throwaway cluster (tests/pg_cluster.py) with fsync and synchronous commit on; stop it when done."""
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    from pg_cluster import Cluster
    return Cluster(durable=True)


def moved_in(cluster: Any, path: Path, database: str) -> str:
    """The store at ``path`` moved whole into a new database ``database`` on ``cluster``; its URL."""
    from safeguard_tracker.store.moving import move_store
    with cluster.admin() as conn:
        conn.execute(f"CREATE DATABASE {database}")
    url: str = cluster.url(database)
    move_store(str(path), url)
    return url


def warm_median(fn: Callable[[], Any], runs: int) -> float:
    """Seconds for ``fn``, the median of ``runs`` after one untimed run."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


NEW_KEY = """(SELECT m[1] || lpad(x::text, greatest(length(m[2]), length(x::text)), '0')
   FROM (SELECT regexp_match({key}, '^(.*?)(\\d+)$') AS m) AS p,
        LATERAL (SELECT m[2]::bigint + %(copy)s * (SELECT (issued ->> m[1])::bigint FROM st_state)) AS y(x))"""
GROW_CONTACTS = f"""
INSERT INTO contacts (key, doc, rev, seq, authority)
SELECT n.key, replace(c.doc::text, '"reference":"' || c.key || '"', '"reference":"' || n.key || '"')::json,
       c.rev, c.seq + %(offset)s, c.authority
FROM contacts AS c, LATERAL {NEW_KEY.format(key="c.key")} AS n(key)
WHERE c.pos <= %(last_pos)s
"""
GROW_TRAIL = f"""
INSERT INTO audit (id, seq, tbl, ref, field, at, username, entry, authority)
SELECT %(next)s + row_number() OVER (ORDER BY a.id), a.seq + %(offset)s, a.tbl, n.key, a.field, a.at, a.username,
       regexp_replace(replace(a.entry::text, '"' || a.ref || '"', '"' || n.key || '"'),
                      '"seq":\\d+}}$', '"seq":' || (a.seq + %(offset)s) || '}}')::json, a.authority
FROM audit AS a, LATERAL {NEW_KEY.format(key="a.ref")} AS n(key)
WHERE a.tbl = 'contacts' AND a.id <= %(first_next)s
"""
GROW_TRANSACTIONS = f"""
INSERT INTO st_transactions (seq, at, username, changed)
SELECT t.seq + %(offset)s, t.at, t.username,
       coalesce((SELECT jsonb_agg(jsonb_build_array('contacts', n.key))
                 FROM jsonb_array_elements(t.changed) AS e, LATERAL {NEW_KEY.format(key="e ->> 1")} AS n(key)
                 WHERE e ->> 0 = 'contacts'), '[]'::jsonb)
FROM st_transactions AS t WHERE t.seq <= %(last_seq)s
"""


def grown(cluster: Any, database: str, factor: int, into: str) -> str:
    """A new database ``into`` on ``cluster``: ``database`` (a store moved in) with its contacts ``factor``
    times over, its URL.  Each copy has references of its own (the number plus the copy times the highest
    number issued) and the trail of its original, in transactions of its own that repeat the original's
    (numbered after them), so ``check`` finds the copy sound and a new contact takes the next number.
    Built by the server from the smaller store, so that a store too large to move in one process (a
    million contacts) can be measured.  The copies keep their people's names: the demo's names repeat at
    any size anyway."""
    with cluster.admin() as conn:
        conn.execute(f"CREATE DATABASE {into} TEMPLATE {database}")
        conn.execute(f"REVOKE TEMPORARY ON DATABASE {into} FROM PUBLIC")   # as admin migrate leaves it
    url: str = cluster.url(into)
    import psycopg
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")   # the copy is the store's own, as a move is
        last_pos = conn.execute("SELECT max(pos) FROM contacts").fetchone()[0]
        last_seq, first_next, issued = conn.execute("SELECT last_seq, audit_next, issued FROM st_state").fetchone()
        for copy in range(1, factor):
            given = {"copy": copy, "offset": copy * last_seq, "last_pos": last_pos, "last_seq": last_seq,
                     "first_next": first_next}
            conn.execute(GROW_CONTACTS, given)
            nxt = conn.execute("SELECT audit_next FROM st_state").fetchone()[0]
            added = conn.execute(GROW_TRAIL, {**given, "next": nxt}).rowcount
            conn.execute(GROW_TRANSACTIONS, given)
            conn.execute("UPDATE st_state SET last_seq = %s, audit_next = audit_next + %s",
                         ((copy + 1) * last_seq, added))
        grew = {row[0] for row in conn.execute("SELECT DISTINCT (regexp_match(key, '^(.*?)(\\d+)$'))[1] FROM contacts")}
        issued = {prefix: number * factor if prefix in grew else number for prefix, number in issued.items()}
        conn.execute("UPDATE st_state SET issued = %s", (psycopg.types.json.Jsonb(issued),))
        conn.execute("ANALYZE")
    return url
