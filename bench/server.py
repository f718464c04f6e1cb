"""Serving the site for a benchmark: a scratch database, production settings, gunicorn on 127.0.0.1, and
`manage.py` run as a subprocess. Nothing here imports Django, so the benchmark process stays a plain
client of what it starts."""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PING = "/ping"


class ScratchDatabase:
    """A database made for one run and dropped afterwards: a SQLite file in the scratch folder, or the
    PostgreSQL database that DATABASE_URL names, which must not exist yet (so no real one is ever dropped)."""

    def __init__(self, url: str, folder: Path, *, benchmark: str):
        self.benchmark = benchmark
        self.created = False
        if not url or url.startswith("sqlite"):
            self.engine, self.url = "sqlite", f"sqlite:///{folder / f'{benchmark}.sqlite3'}"
            return
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise SystemExit(f"bench {benchmark} runs on SQLite or PostgreSQL, not {parts.scheme}")
        if parts.hostname not in {None, "", "127.0.0.1", "localhost"}:
            raise SystemExit(f"bench {benchmark} only talks to 127.0.0.1, not {parts.hostname}")
        self.engine, self.url, self.name = "postgresql", url, parts.path.lstrip("/")
        if not self.name or self.name == "postgres":
            raise SystemExit(f"DATABASE_URL must name a scratch database, e.g. …:5432/baijia_bench_{benchmark}")
        self.admin_url = parts._replace(scheme="postgresql", path="/postgres").geturl()

    def _admin(self):
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True)

    def create(self) -> None:
        if self.engine != "postgresql":
            return
        from psycopg import sql

        with self._admin() as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone():
                raise SystemExit(
                    f"Database {self.name!r} already exists. bench {self.benchmark} creates and drops its own "
                    "database: name one that does not exist, or drop this one if it is a leftover scratch database."
                )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True

    def copy_from(self, template: str | None) -> None:
        """Start a SQLite scratch database as a copy of an already-migrated one (`--sqlite-template`):
        a small run then skips migrating, most of its time. Nothing on PostgreSQL."""
        if not template or self.engine != "sqlite":
            return
        import sqlite3

        # The backup API copies a consistent snapshot, whatever another connection is doing.
        source, copy = sqlite3.connect(template), sqlite3.connect(self.url.removeprefix("sqlite:///"))
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()

    def drop(self) -> None:
        if not self.created:
            return
        from psycopg import sql

        with self._admin() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
        self.created = False


def in_process_scratch(benchmark: str, measure):
    """Run `measure(folder, database)` in this process on a scratch folder and a scratch database (made
    from DATABASE_URL as ScratchDatabase says), both removed afterwards whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=f"baijia-{benchmark}-"))
    try:
        database = ScratchDatabase(os.environ.get("DATABASE_URL", ""), folder, benchmark=benchmark)
        database.create()
        try:
            return measure(folder, database)
        finally:
            from django.db import connections

            connections.close_all()
            database.drop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def server_environment(folder: Path, database_url: str, port: int, *, redis_url: str) -> dict:
    """Production settings (DEBUG off), with plain HTTP on 127.0.0.1 and the scratch database."""
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "BAIJIA_BENCH_STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1, no TLS proxy in front
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SITE_URL": f"http://{HOST}:{port}",
        "LOG_LEVEL": "WARNING",
    }
    # Tasks run in-process and mail goes to the console: the benchmark starts nothing it does not stop.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "EMAIL_HOST", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


def _run(command: list[str], env: dict, what: str, timeout: float | None = None) -> str:
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def run_helper(module: str, env: dict, *args: str, timeout: float = 600) -> dict:
    """Run a benchmark module as a helper process (`python -m bench.NAME --setup …`, with Django where it
    needs it) and read the JSON object on its last line."""
    out = _run([sys.executable, "-m", module, *args], env, f"{module} {args[0]}", timeout)
    return json.loads(out.strip().splitlines()[-1])


def helper_parser(module: str) -> argparse.ArgumentParser:
    """The command line of a benchmark's helper process: one of --setup, --check or --client."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}")
    mode = parser.add_mutually_exclusive_group(required=True)
    for name in ("--setup", "--check", "--client"):
        mode.add_argument(name, action="store_true")
    return parser


def manage(env: dict, *args: str) -> str:
    return _run([sys.executable, str(BASE_DIR / "manage.py"), *args], env, f"manage.py {' '.join(args)}")


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# The production configuration (deploy/), which `bench load` serves with.
GUNICORN_CONFIG = BASE_DIR / "deploy" / "gunicorn.conf.py"


def start_gunicorn(
    env: dict, folder: Path, port: int, *, workers: int | None, threads: int = 1, config: Path | None = None
) -> subprocess.Popen:
    """gunicorn serving baijia.wsgi: sync workers, or gthread workers when `threads` > 1; with `config`
    (e.g. GUNICORN_CONFIG) its settings, the address and any `workers` given here overriding it."""
    log = (folder / "gunicorn.log").open("wb")
    command = [sys.executable, "-m", "gunicorn", "baijia.wsgi"]
    if config is not None:
        command += ["--config", str(config)]
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command += ["--bind", f"{HOST}:{port}", "--log-level", "warning"]
    # Its own session (process group), so stopping it stops its workers too.
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=log, start_new_session=True)


def wait_until_up(server: subprocess.Popen, port: int, folder: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if get(port, PING) == (200, "pong"):
                return
        except OSError:
            pass
        time.sleep(0.2)
    log = (folder / "gunicorn.log").read_text(errors="replace")[-4000:]
    raise RuntimeError(f"gunicorn did not answer {PING} on port {port}:\n{log}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # gunicorn stops its workers gracefully
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, running or ended, e.g. gunicorn's master
    and workers (a worker that gunicorn replaced after max_requests counts too); 0 where /proc is not
    available."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command name: state, ppid, … utime, stime, and the ended children's cutime and cstime
        # are the 12th to 15th fields.
        if int(entry.parent.name) == pid:
            total += sum(int(value) for value in fields[11:15])
        elif int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def named_cpu_seconds(name: str) -> float:
    """CPU time (user + system) of every running process whose command is `name`, e.g. "postgres" for the
    database server's backends; 0 where /proc is not available."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, fields = entry.read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        if command.split("(", 1)[-1] == name:
            fields = fields.split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_cpu_times() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat; (0, 0) where it is missing."""
    try:
        values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return float(sum(values) - idle), float(sum(values))


class ScratchSite:
    """A temporary folder, a scratch database migrated for the benchmark, and the environment a
    gunicorn for it runs with. As a context manager it removes all of it, and stops `server`, on exit."""

    def __init__(self, benchmark: str, *, redis_url: str, sqlite_template: str | None = None):
        self.redis_url = redis_url
        self.sqlite_template = sqlite_template
        self.folder = Path(tempfile.mkdtemp(prefix=f"baijia-{benchmark}-"))
        try:
            self.database = ScratchDatabase(os.environ.get("DATABASE_URL", ""), self.folder, benchmark=benchmark)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.port = free_port()
        self.env = server_environment(self.folder, self.database.url, self.port, redis_url=redis_url)
        self.server: subprocess.Popen | None = None

    def __enter__(self):
        try:
            self.database.create()
            self.database.copy_from(self.sqlite_template)
            manage(self.env, "migrate", "--noinput")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start(self, *, workers: int | None, threads: int = 1, config: Path | None = None) -> subprocess.Popen:
        flush_redis(self.redis_url)
        self.server = start_gunicorn(self.env, self.folder, self.port, workers=workers, threads=threads, config=config)
        wait_until_up(self.server, self.port, self.folder)
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            stop(self.server)
            self.server = None

    def __exit__(self, *exc_info):
        self.stop()
        self.database.drop()
        flush_redis(self.redis_url)
        shutil.rmtree(self.folder, ignore_errors=True)
