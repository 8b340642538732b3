"""The server store: the store protocol on PostgreSQL (``pip install 'safeguard-tracker[postgres]'``).

psycopg is imported only when a ``postgresql://`` store is opened, so the file store's users never
need it.  See docs/postgres.md.
"""

from .connection import is_server_url, redacted_url

__all__ = ["is_server_url", "redacted_url"]
