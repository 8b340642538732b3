"""Whether a text survives anywhere a store keeps data: every file beside a file store (journal, backups,
ledger), or every row of every table of a server store (the audit trail and the access log included)."""

from __future__ import annotations

from pathlib import Path


def stored_anywhere(tracker, text: str) -> list[str]:
    """Where ``text`` is still stored: file paths, or 'table key' for a database's rows; empty when nowhere."""
    files = tracker.store.files
    if files is not None:
        folder = Path(files.data).parent
        return [str(p) for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]
    import psycopg
    found = []
    with psycopg.connect(tracker.store.url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            for (row,) in conn.execute(f"SELECT t::text FROM {table} AS t"):
                if text in row:
                    found.append(f"{table} {row[:40]}")
    return found
