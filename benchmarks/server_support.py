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
