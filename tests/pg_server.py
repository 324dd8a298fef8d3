"""A throwaway PostgreSQL cluster of the test's own (initdb in a temporary folder, its own port),
so a test can restart it without touching the shared server."""

import glob
import os
import shutil
import subprocess
import tempfile

from tests.redis_server import free_port
from tests.services import unavailable


def _postgres_bin() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(candidates[-1]) if candidates else None


class PostgresServer:
    def __init__(self):
        self.bin = _postgres_bin()
        if self.bin is None:
            unavailable("PostgreSQL server binaries are not installed (apt-get install postgresql)")
        self.port = free_port()
        # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
        workdir = tempfile.mkdtemp(prefix="claimtrack-pg-")
        self.workdir = workdir
        self.data = os.path.join(workdir, "pgdata")
        self.sockets = os.path.join(workdir, "pgsock")
        os.makedirs(self.sockets)
        # PostgreSQL refuses to run as root: run it as the postgres user when we are root.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(workdir, user="postgres")
            shutil.chown(self.sockets, user="postgres")

    def _run(self, *args):
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/claimtrack"

    def init(self):
        self._run(f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "claimtrack")

    def start(self):
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-o", options, "-w", "-l", f"{self.data}.log", "start")

    def restart(self):
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            f"{self.bin}/pg_ctl",
            "-D",
            self.data,
            "-o",
            options,
            "-m",
            "fast",
            "-w",
            "-l",
            f"{self.data}.log",
            "restart",
        )

    def stop(self):
        subprocess.run(
            [*self.as_user, f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.workdir, ignore_errors=True)
