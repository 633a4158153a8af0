"""A private PostgreSQL cluster (initdb + pg_ctl): the test session's server, and one a test may stop and start at will.

The machine's own server (and its pg_hba.conf) is never touched: this one lives in a temporary directory on a free
port, with trust authentication on loopback only. PostgreSQL refuses to run as root, so when
the tests run as root the cluster belongs to the `postgres` user (via runuser).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.support.killable_server import free_port


PREFIX = "cyswllt-private-pg-"
OWNER_FILE = "owner.pid"


def remove_abandoned() -> None:
    """Stop and remove private clusters left by test runs that were killed before they could."""
    bin_dir = server_binaries()
    for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours, or being made right now
        if _alive(owner):
            continue
        if bin_dir is not None and (root / "data" / "postmaster.pid").exists():
            command = [str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "stop"]
            if os.geteuid() == 0:
                command = ["runuser", "-u", "postgres", "--", *command]
            subprocess.run(command, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian's layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class PrivateCluster:
    """initdb'd on creation; start(), stop() (immediate: like a crash) and remove()."""

    def __init__(self) -> None:
        bin_dir = server_binaries()
        if bin_dir is None:
            pytest.fail("PostgreSQL's server programs (/usr/lib/postgresql/*/bin) are needed: scripts/ensure-postgres "
                        "installs them, or set CYSWLLT_TEST_POSTGRES_URL to a server of your own", pytrace=False)
        self.bin = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        # So that a later run can tell a cluster whose test run was killed from one in use.
        (self.root / OWNER_FILE).write_text(str(os.getpid()))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.owner = "postgres" if os.geteuid() == 0 else None
        if self.owner:
            entry = pwd.getpwnam(self.owner)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-instructions", "-N")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bin / tool), *args]
        if self.owner:
            # A clean environment: nothing of the caller's (PGDATA, PGPORT...) leaks in.
            command = ["runuser", "-u", self.owner, "--", "env", "-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
                       *command]
        return command

    def _run(self, tool: str, *args: str) -> str:
        result = subprocess.run(self._command(tool, *args), capture_output=True, text=True, cwd=self.root,
                                env=None if self.owner else {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}{result.stderr}\n{self.tail()}")
        return result.stdout

    def start(self) -> None:
        # Throwaway data: nothing needs to survive a power cut, so no flushing to disk. But a
        # commit is written out (to the kernel) before it is acknowledged, as in production:
        # with synchronous_commit=off, stop() (immediate) forgot the last commits the server had
        # acknowledged, and the sender, told its outcomes were stored, sent those rows again.
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   "-c full_page_writes=off "
                   "-c max_connections=100 -c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stop at once, cutting every connection (as a crash or a lost database host would)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        result = subprocess.run(self._command("pg_ctl", "-D", str(self.data), "status"), capture_output=True)
        return result.returncode == 0

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

