"""A throw-away PostgreSQL server a test owns (to stop and start it), or the one .ci/run
started (``BRIEFREADER_TEST_PG``). Root cannot run postgres: as root the server runs as the
unprivileged user .ci/postgres.sh creates (``briefreader-pg``), through runuser."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "briefreader-pg"


def bindir() -> Path | None:
    """Where initdb and pg_ctl are (Debian's /usr/lib/postgresql/N/bin, else on PATH)."""
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(found, "initdb").exists() and Path(found, "pg_ctl").exists():
            return Path(found)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def why_not() -> str | None:
    """Why no server can be started here (None: one can)."""
    if bindir() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser: cannot start postgres as another user"
        try:
            pwd.getpwnam(USER)
        except KeyError:
            if shutil.which("useradd") is None:
                return f"running as root and no user {USER} to run postgres as"
    return None


def _free_port() -> int:
    # Binding is allowed by the tests' network guard; connecting is not (and is not done).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """initdb into a temporary folder, start on a free port of 127.0.0.1; stop, start, remove."""

    def __init__(self) -> None:
        bin_ = bindir()
        assert bin_ is not None
        self.bin = bin_
        self.prefix: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="briefreader-pgtest-"))
        self.folder.chmod(0o755)
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(USER)
            except KeyError:
                subprocess.run(
                    ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                     USER], check=True, capture_output=True,
                )  # fmt: skip
            shutil.chown(self.folder, USER)
            self.prefix = ["runuser", "-u", USER, "--"]
        self.port = _free_port()
        self._run(
            "initdb", "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run(
            [*self.prefix, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,  # the server's user may not be able to read the checkout
        )
        if proc.returncode:
            log = self.folder / "server.log"
            extra = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {proc.stderr.strip()}\n{extra}")

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"),
            "-w", "-t", "60", "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
