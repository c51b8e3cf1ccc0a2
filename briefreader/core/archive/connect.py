"""Connecting to a team archive: a libpq URL or a service name, never a password in it.

libpq itself reads the password from ``PGPASSWORD``, a service file (``PGSERVICEFILE``,
``~/.pg_service.conf``) or ``~/.pgpass``, and honours ``sslmode`` and every other parameter
given in the URL; briefreader only adds a connect timeout and an application name.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import conninfo as _conninfo
from psycopg import errors as pg_errors

from briefreader.core.archive.errors import (
    ArchiveError,
    ArchiveReadOnlyError,
    ArchiveUnavailableError,
)

log = logging.getLogger(__name__)

#: Seconds to wait for a server that does not answer (libpq's connect_timeout).
CONNECT_TIMEOUT = 5


def conninfo(target: str) -> str:
    """The libpq connection string for a URL, a ``key=value`` string or a service name.

    A password written into the target is refused: it would end up in shell history and
    settings. Raises :class:`ArchiveError` for a target libpq cannot read.
    """
    target = target.strip()
    if not target:
        raise ArchiveError("no team archive given (a postgresql:// URL or a service name)")
    if "://" not in target and "=" not in target:
        if not re.fullmatch(r"[\w.-]+", target):
            raise ArchiveError(f"not a PostgreSQL URL or service name: {target!r}")
        target = f"service={target}"
    try:
        params = _conninfo.conninfo_to_dict(target)
    except psycopg.ProgrammingError as exc:
        raise ArchiveError(f"not a PostgreSQL URL or service name: {_first_line(exc)}") from None
    if params.get("password"):
        raise ArchiveError(
            "the archive URL holds a password: give it in PGPASSWORD, a service file or "
            "~/.pgpass instead"
        )
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    params.setdefault("application_name", "briefreader")
    return _conninfo.make_conninfo("", **params)


def describe(target: str) -> str:
    """A short name for the archive, for a window title or a message: user@host:port/db."""
    try:
        params = _conninfo.conninfo_to_dict(conninfo(target))
    except ArchiveError:
        return target
    if params.get("service") and not params.get("host"):
        return f"service {params['service']}"
    host = params.get("host") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    db = params.get("dbname") or params.get("user") or ""
    user = f"{params['user']}@" if params.get("user") else ""
    return f"{user}{host}{port}/{db}"


def connect(target: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """An open connection; :class:`ArchiveUnavailableError` in plain words if there is none."""
    info = conninfo(target)
    try:
        return psycopg.connect(info, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise ArchiveUnavailableError(
            f"the team archive {describe(target)} cannot be reached: {_first_line(exc)}"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextlib.contextmanager
def plain_errors(where: str) -> Iterator[None]:
    """Turn the driver's errors into the archive's, one line each, while talking to it."""
    try:
        yield
    except pg_errors.InsufficientPrivilege as exc:
        raise ArchiveReadOnlyError(
            f"the team archive {where} may only be searched with this role: {_first_line(exc)}"
        ) from None
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise ArchiveUnavailableError(
            f"the team archive {where} cannot be reached: {_first_line(exc)}"
        ) from None
    except psycopg.Error as exc:
        log.warning("archive error", exc_info=True)
        raise ArchiveError(f"the team archive {where} failed: {_first_line(exc)}") from None
