"""Reaching the server: a ``postgresql://`` URL, its password kept out of every message, and the
server's refusals (unreachable, bad credentials, no such database, a dropped connection) as one
line each that says what to do."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from ...errors import StoreError

URL_SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 10   # seconds to wait for an unreachable server before saying so


def is_server_url(location: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL: the server store, not a file path."""
    return isinstance(location, str) and location.strip().lower().startswith(URL_SCHEMES)


def server_url(url: str) -> str:
    """The URL as the client library reads it: spaces around it taken off, and its scheme in small letters
    (``PostgreSQL://`` is read as ``postgresql://``, as a browser would; libpq reads only the latter)."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    return f"{scheme.lower()}{sep}{rest}" if sep and scheme.lower() in ("postgresql", "postgres") else url


def redacted_url(url: str) -> str:
    """The URL as a person may see it: the password, in the netloc or as ``password=``, replaced by ***.
    A URL that cannot be read is not shown at all (it may hold a password in a form not recognised)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://(a URL that cannot be read)"
    netloc = parts.netloc
    if "@" in netloc:
        creds, host = netloc.rsplit("@", 1)
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":***"
        netloc = f"{creds}@{host}"
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def secrets_in(url: str) -> list[str]:
    """The password as the URL spells it and decoded (in the netloc, or as ``password=``), to keep out of text."""
    found = re.findall(r"://[^:/@]*:([^@]*)@", url) + re.findall(r"(?i)(?:^|[?&])password=([^&]*)", url)
    out = []
    for raw in found:
        if raw:
            out.append(raw)
            try:
                out.append(unquote(raw, errors="strict"))
            except (UnicodeDecodeError, ValueError):
                pass
    return sorted({s for s in out if s}, key=len, reverse=True)


def mask_secrets(text: str, url: str) -> str:
    """``text`` with the URL's password replaced by ***.  A short password is replaced only where it stands
    alone, so that a password such as "e" does not turn "connection" into "conn***ction"."""
    for secret in secrets_in(url):
        if len(secret) >= 8:
            text = text.replace(secret, "***")
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", "***", text)
    return text


def describe_failure(exc: BaseException, where: str, url: str = "") -> str:
    """One line for a refusal by the server or the network, naming ``where`` (never the password)."""
    raw = " ".join(str(exc).split()).replace("safeguard-tracker: ", "").split(" CONTEXT:")[0]
    low = raw.lower()                     # (the server's phrases are matched before the password is taken out)
    text = mask_secrets(raw, url)
    if "password authentication failed" in low or "no password supplied" in low or "authentication failed" in low:
        return f"{where}: the server refused the user name or password (check the URL, or ~/.pgpass)"
    if "does not exist" in low and "database" in low:
        return (f"{where}: that database does not exist on the server: create it (createdb NAME), "
                f"then `safeguard-tracker --db URL admin migrate`")
    if "permission denied to create role" in low:
        return (f"{where}: the login that creates the schema makes the store's roles too, so it needs CREATEROLE "
                f"(ALTER ROLE name CREATEROLE, by the server's administrator)")
    if "does not have connect privilege" in low:
        return (f"{where}: the server does not let this login connect to that database (it lacks CONNECT): ask "
                f"the database administrator to give it (GRANT CONNECT ON DATABASE name TO login)")
    if "couldn't get a connection after" in low:         # the pool waited, and no connection could be made
        return f"{where}: cannot reach the PostgreSQL server (no connection came: is it running?)"
    if "no pg_hba.conf entry" in low or "pg_hba.conf rejects" in low:
        return (f"{where}: the server does not accept this login from this machine (its pg_hba.conf): ask the "
                f"database administrator to allow it")
    if "role" in low and "does not exist" in low:
        return f"{where}: the server has no such user: ask the database administrator to create it"
    if any(s in low for s in ("connection refused", "could not connect", "no such file or directory",
                              "timeout expired", "could not translate host name", "connection timed out",
                              "name or service not known")):
        return f"{where}: cannot reach the PostgreSQL server (is it running, and is the host and port right?)"
    if any(s in low for s in ("server closed the connection", "terminating connection", "connection is lost",
                              "consuming input failed", "the connection is closed", "ssl syscall")):
        return f"{where}: the connection to the server was lost"
    if "permission denied" in low or "insufficient_privilege" in low or "insert-only" in low \
            or "row-level security" in low or "a partner may" in low or "only the database owner" in low:
        first = text.split(" CONTEXT:")[0]
        return f"{where}: the server refused: {first}"
    return f"{where}: {text}"


def server_error(exc: BaseException, where: str, *, written: str = "", url: str = "") -> StoreError:
    """A StoreError for a psycopg error: the one line above, with ``written`` (say '; nothing was saved');
    ``url`` is the URL connected to, whose password is taken out of the server's words."""
    return StoreError(describe_failure(exc, where, url) + written)


def connect(url: str, **kwargs: Any) -> Any:
    """A psycopg connection to ``url`` (autocommit off), or a StoreError naming what went wrong."""
    try:
        import psycopg
    except ImportError:
        raise StoreError("the PostgreSQL store needs psycopg: pip install 'safeguard-tracker[postgres]'") from None
    try:
        return psycopg.connect(server_url(url), connect_timeout=CONNECT_TIMEOUT, **kwargs)
    except psycopg.Error as exc:
        raise server_error(exc, redacted_url(url), url=url) from None
