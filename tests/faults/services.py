"""Real services for fault tests, private to one test so they can be stopped at will: a redis-server
and a PostgreSQL cluster on free ports in a temporary folder, and Celery workers as processes."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.server import BASE_DIR, HOST, free_port


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or the newest Debian postgresql-NN package's."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return versions[-1].parent if versions else None


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.05):
    """Poll `condition` until it returns something true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class PrivateRedis:
    """A redis-server of our own (no persistence) that a test may stop and start on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)
        wait_for(lambda: self._answers(client), timeout=10, what=f"redis-server on port {self.port}")
        client.close()

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except Exception:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class CeleryWorker:
    """`celery -A baijia worker` as a process of its own session, on the test database: kill() ends it
    and its pool at once, as a machine or OOM kill would."""

    def __init__(self, *, broker_url: str, database_name: str, folder: Path, name: str):
        self.log = folder / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "CELERY_BROKER_URL": broker_url,
            "BAIJIA_FAULTS_DATABASE_NAME": database_name,
            "PRIVATE_MEDIA_ROOT": str(folder / "private-media"),
            "MEDIA_ROOT": str(folder / "media"),
        }
        command = [sys.executable, "-m", "celery", "-A", "baijia", "worker", "--pool", "prefork", "--concurrency", "1"]
        command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "-n", f"{name}@%h", "-l", "INFO"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temporary folder (initdb as the postgres user, trust auth,
    no fsync), which a test may stop and start like a real restart."""

    def __init__(self, bin_folder: Path):
        self.bin = bin_folder
        self.folder = Path(tempfile.mkdtemp(prefix="baijia-faults-pg-"))
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: as the postgres user then
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = free_port()

    def _as_postgres(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*as_postgres, *command], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    def init(self) -> None:
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses={HOST} -c fsync=off"
        log = str(self.folder / "postgres.log")
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def copy_database(self, source_url_args: list[str], source_name: str, name: str) -> None:
        """Create `name` here as a copy (schema and rows) of `source_name` on the shared server."""
        target = ["-h", HOST, "-p", str(self.port), "-U", "postgres"]
        subprocess.run(["psql", *target, "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
        dump = subprocess.Popen(["pg_dump", *source_url_args, "--no-owner", source_name], stdout=subprocess.PIPE)
        load = subprocess.run(
            ["psql", *target, "-q", "-v", "ON_ERROR_STOP=1", "-d", name], stdin=dump.stdout, capture_output=True
        )
        dump.stdout.close()
        if dump.wait() or load.returncode:
            raise RuntimeError(f"copying {source_name} failed: {load.stderr.decode(errors='replace')[-2000:]}")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
