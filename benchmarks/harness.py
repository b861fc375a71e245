"""The harness of `make bench`: services, processes, load generators, results and the registry.

Plugin interface
================
A benchmark is a module `benchmarks/bench_<name>.py`; every such module is imported by
`discover()` and registers itself with the `benchmark` decorator::

    from .harness import Context, Result, benchmark

    def setup(ctx: Context) -> None:
        # Optional. Runs once, before any measurement, in the orchestrating process against
        # the freshly created bench database (migrated, `seed_demo` loaded): Django is set up,
        # so import models inside the function and create what the benchmark needs.
        ...

    @benchmark("enrollment", setup=setup, description="POST /enroll on 200 groups")
    def run(ctx: Context) -> list[Result]:
        # Measure and return one or more results, usually through the Context helpers:
        return [
            ctx.http("enroll_hot_group", "/groups/1/enroll/", lua=LUA_POST, target=0.2),
            ctx.pgbench("enroll_sql", SQL, baseline="pgbench_select"),
            ctx.result("charges_per_s", 123.0, "charges/s", baseline="celery_noop"),
        ]

The Context gives a benchmark:
- `ctx.http(name, path, ...)`: a warm-up, then a wrk run (or the Python fallback) against the
  one gunicorn server of the run; `check=` verifies one response first (assert in it); `lua=`
  is a wrk script defining `request`/`init`/... (our own `done` is appended) for POSTs, cookies
  and the like; the result's ratio is to `baseline` (default: the bare view).
- `ctx.pgbench(name, sql, ...)` and the plain function `pgbench_tps(sql, clients, seconds)`:
  a pgbench script (pgbench syntax: `\\set id random(1, 200)` lines, then SQL) on the bench DB.
- `ctx.celery_worker(queues=...)`: a real worker (2 prefork processes) on the bench broker
  (Redis DB 14), as a context manager. It runs `benchmarks.celery_app`, i.e. the project's own
  app and settings (all apps' tasks) plus `benchmarks.tasks`; it consumes the `bench` queue
  unless told otherwise (the project's tasks go to `celery`). `celery_drain_rate()` shows how
  to time a queue's drain.
- `ctx.result(name, value, unit, baseline=..., target=...)`: any other figure, with its ratio.
- `ctx.baselines`: `bare_view` (req/s), `pgbench_select` (tps), `celery_noop` (tasks/s).
- `ctx.env`: the environment of the server and worker (DATABASE_URL of the bench DB, ...);
  `ctx.tmp`: a scratch folder of this run; `ctx.config`: durations, connections, quick mode.

Ratios are `value / baseline value`, so state figures as throughput (higher is better). A
`target` is the least acceptable ratio; the table and var/bench.json say whether it is met.
A benchmark that raises is reported as failed and makes `make bench` exit non-zero; the other
benchmarks still run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import importlib
import json
import os
import pkgutil
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mok_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
DEFAULT_OUTPUT = BASE_DIR / "var" / "bench.json"

# The web server of every HTTP measurement. Two *sync* workers: the machine has two cores and
# the views are CPU-bound Python, so one single-threaded process per core is the most
# throughput the GIL allows, without thread switching (gthread measured lower on this machine
# for the bare view). Sync workers close the connection after each response, so the load
# generator reconnects per request; on loopback that costs little, and every figure pays it.
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
GUNICORN_WORKER_CLASS = "sync"

LOOPBACK = "127.0.0.1"


class Refused(Exception):
    """The harness cannot run here (a service is missing); the message says what to do."""


class BenchmarkError(Exception):
    """A measurement went wrong (bad response, errors under load, a process died)."""


# --- results ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Result:
    """One figure. `value` is throughput (higher is better); `ratio` is value / baseline_value."""

    name: str
    value: float | None
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    ratio: float | None = None
    target: float | None = None
    target_met: bool | None = None
    kind: str = "benchmark"  # or "baseline"
    benchmark: str = ""
    description: str = ""
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    requests: int | None = None
    errors: int | None = None
    duration_s: float | None = None
    error: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Config:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    duration: float = 8.0
    warmup: float = 2.0
    connections: int = 8
    wrk_threads: int = 2
    pg_clients: int = 8
    celery_tasks: int = 5000
    quick: bool = False
    loadgen: str = "auto"  # auto | wrk | python
    allow_install: bool = True
    output: Path = DEFAULT_OUTPUT

    @property
    def database_name(self) -> str:
        return database_name(self.database_url)


def bench_database_url() -> str:
    """The bench database: BENCH_DATABASE_URL (its name defaults to mok_bench) or the default."""
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        return DEFAULT_DATABASE_URL
    parts = urlsplit(url)
    if parts.path in {"", "/"}:
        url = urlunsplit(parts._replace(path="/mok_bench"))
    return url


def bench_redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", "").strip() or DEFAULT_REDIS_URL


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def _maintenance_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# --- processes --------------------------------------------------------------------------------


class Processes:
    """Every long-lived subprocess of a run (gunicorn, celery), each in its own session so it
    can be stopped with its children; `stop_all` runs on exit, error and Ctrl-C."""

    def __init__(self) -> None:
        self._running: list[subprocess.Popen] = []

    def start(self, argv: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                argv,
                env=env,
                cwd=BASE_DIR,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc.log_path = log  # type: ignore[attr-defined]
        self._running.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 15.0) -> None:
        """SIGTERM to the process (a graceful stop of gunicorn or celery), then SIGKILL to its
        process group (its own session, so only what it started) if anything is left."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if proc in self._running:
            self._running.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self._running)):
            self.stop(proc)


PROCESSES = Processes()


def log_tail(proc: subprocess.Popen, lines: int = 30) -> str:
    path = getattr(proc, "log_path", None)
    if not path or not Path(path).exists():
        return ""
    text = Path(path).read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def run_lock(config: Config) -> Iterator[None]:
    """One `make bench` per bench database on this machine: a second one would drop the DB
    under the first."""
    path = Path(tempfile.gettempdir()) / f"mok-bench-{config.database_name}.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Refused(
                f"another `make bench` is running on database {config.database_name} "
                f"(lock {path}); wait for it or set BENCH_DATABASE_URL to another *bench* DB"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- services ---------------------------------------------------------------------------------


def preflight(config: Config) -> dict[str, str]:
    """Refuses (raises Refused) unless PostgreSQL, Redis and pgbench are there; returns versions."""
    import psycopg
    import redis

    problems: list[str] = []
    versions: dict[str, str] = {}
    if "bench" not in config.database_name:
        problems.append(
            f"the bench database is dropped and created anew each run, so its name must contain "
            f"'bench' (got {config.database_name!r} from BENCH_DATABASE_URL)"
        )
    pg = urlsplit(config.database_url)
    try:
        with psycopg.connect(_maintenance_url(config.database_url), connect_timeout=3) as conn:
            versions["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        problems.append(
            f"PostgreSQL is not reachable at {pg.hostname}:{pg.port or 5432} "
            f"({_redact(config.database_url)}; set BENCH_DATABASE_URL to change it): "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
        )
    rd = urlsplit(config.redis_url)
    try:
        client = redis.Redis.from_url(config.redis_url, socket_connect_timeout=3)
        versions["redis"] = str(client.info("server").get("redis_version", "?"))
        client.close()
    except redis.RedisError as exc:
        problems.append(
            f"Redis is not reachable at {rd.hostname}:{rd.port or 6379} "
            f"({_redact(config.redis_url)}; set BENCH_REDIS_URL to change it): {exc}"
        )
    if not pgbench_path():
        problems.append("pgbench is not installed (Debian: apt-get install postgresql-client)")
    if problems:
        raise Refused(
            "make bench needs PostgreSQL, Redis and pgbench on this machine "
            "(`.ci/run` starts the services):\n  - " + "\n  - ".join(problems)
        )
    return versions


def database_recreate(url: str) -> None:
    """DROP (terminating leftover sessions) and CREATE the bench database."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    if "bench" not in name:
        raise Refused(f"refusing to drop {name!r}: not a bench database")
    with psycopg.connect(_maintenance_url(url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def bench_env(config: Config, tmp: Path) -> dict[str, str]:
    """The environment of the server, the worker and the orchestrator's own Django."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=config.database_url,
        CELERY_BROKER_URL=config.redis_url,
        REDIS_URL=config.redis_url,
        DJANGO_DEBUG="0",
        DJANGO_BENCHMARK_VIEWS="1",
        DJANGO_CONN_MAX_AGE="60",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        VAR_DIR=str(tmp / "var"),
        CELERY_TASK_ALWAYS_EAGER="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def django_setup(env: dict[str, str]) -> None:
    """Set up Django in this process with the bench environment (before any settings access)."""
    os.environ.update(env)
    import django

    django.setup()


def django_close_connections() -> None:
    from django.db import connections

    connections.close_all()


# --- HTTP: server and load generators ---------------------------------------------------------


@dataclasses.dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy


def fetch(url: str, *, headers: dict[str, str] | None = None, timeout: float = 10) -> Response:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            return Response(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, dict(exc.headers), exc.read())


class Server:
    """gunicorn serving config.wsgi on a free loopback port, with the bench environment."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def start(self, timeout: float = 60) -> None:
        self.port = free_port()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind={LOOPBACK}:{self.port}",
            f"--workers={GUNICORN_WORKERS}",
            f"--worker-class={GUNICORN_WORKER_CLASS}",
            "--backlog=2048",
            "--timeout=30",
            "--graceful-timeout=5",
            "--log-level=warning",
            f"--chdir={BASE_DIR}",
        ]
        self.proc = PROCESSES.start(argv, env=self.env, log=self.log_dir / "gunicorn.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchmarkError(f"gunicorn exited at start:\n{log_tail(self.proc)}")
            try:
                response = fetch(self.url("/_bench/bare"), timeout=5)
            except OSError:  # not listening yet
                time.sleep(0.2)
                continue
            if response.status == 200:
                return
            raise BenchmarkError(
                f"GET /_bench/bare answered {response.status}, not 200:\n{log_tail(self.proc)}"
            )
        raise BenchmarkError(
            f"gunicorn did not answer within {timeout:.0f} s:\n{log_tail(self.proc)}"
        )

    def stop(self) -> None:
        if self.proc is not None:
            PROCESSES.stop(self.proc)
            self.proc = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_WRK_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,' ..
    '"mean":%.1f,"max":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


@dataclasses.dataclass
class HttpStats:
    tool: str
    requests: int
    duration_s: float
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    bytes: int

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @classmethod
    def from_summary(cls, tool: str, s: dict) -> HttpStats:
        return cls(
            tool=tool,
            requests=int(s["requests"]),
            duration_s=s["duration_us"] / 1e6,
            errors={k: int(s[k]) for k in ("connect", "read", "write", "status", "timeout")},
            p50_ms=s["p50"] / 1000,
            p90_ms=s["p90"] / 1000,
            p95_ms=s["p95"] / 1000,
            p99_ms=s["p99"] / 1000,
            mean_ms=s["mean"] / 1000,
            max_ms=s["max"] / 1000,
            bytes=int(s["bytes"]),
        )


def wrk_path() -> str | None:
    return shutil.which("wrk")


def ensure_load_generator(config: Config) -> str:
    """Pick the HTTP load generator: wrk (Debian's package is installed when missing and running
    as root), else the Python fallback."""
    if config.loadgen == "python":
        return "python"
    if wrk_path():
        return "wrk"
    can_install = config.allow_install and os.geteuid() == 0 and shutil.which("apt-get")
    if can_install:
        print("wrk is missing: apt-get install -y wrk ...", flush=True)
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        for attempt in (install, ["apt-get", "update", "-qq"], install):
            subprocess.run(
                attempt,
                env=apt_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=600,
                check=False,
            )
            if wrk_path():
                return "wrk"
    if config.loadgen == "wrk":
        raise Refused("wrk is not installed (Debian: apt-get install wrk)")
    print("wrk is not available: using the Python load generator (lower absolute figures).")
    return "python"


def http_load(
    url: str,
    *,
    seconds: float,
    connections: int,
    tool: str,
    threads: int = 2,
    lua: str | None = None,
    tmp: Path | None = None,
) -> HttpStats:
    """One closed-loop load run against a loopback URL."""
    if urlsplit(url).hostname not in {LOOPBACK, "localhost", "::1"}:
        raise ValueError(f"loopback addresses only, not {url}")
    if tool == "python":
        if lua:
            raise BenchmarkError("this benchmark needs wrk (a Lua script); install wrk")
        from . import pyload

        return HttpStats.from_summary(
            "python", pyload.run(url, seconds=seconds, connections=connections)
        )
    script_dir = tmp or Path(tempfile.gettempdir())
    with tempfile.NamedTemporaryFile(
        "w", suffix=".lua", dir=script_dir, delete=False, encoding="utf-8"
    ) as handle:
        handle.write((lua or "") + "\n" + _WRK_DONE)
        script = handle.name
    try:
        argv = [
            wrk_path() or "wrk",
            f"--threads={min(threads, connections)}",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=10s",
            f"--script={script}",
            url,
        ]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script)
    match = re.search(r"^BENCHJSON (\{.*\})$", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or not match:
        raise BenchmarkError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return HttpStats.from_summary("wrk", json.loads(match.group(1)))


# --- PostgreSQL: pgbench ----------------------------------------------------------------------


@dataclasses.dataclass
class PgbenchStats:
    tps: float
    latency_ms: float | None
    transactions: int | None
    failed: int
    clients: int
    seconds: int


def pgbench_path() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    return str(candidates[-1]) if candidates else None


def pgbench(
    sql: str,
    clients: int = 8,
    seconds: float = 8,
    *,
    threads: int | None = None,
    dsn: str | None = None,
    protocol: str = "simple",
) -> PgbenchStats:
    """Run a pgbench script (pgbench syntax) on the bench DB for `seconds` with `clients`.

    `protocol="simple"` is what Django's psycopg client-side cursors send."""
    binary = pgbench_path()
    if not binary:
        raise Refused("pgbench is not installed (Debian: apt-get install postgresql-client)")
    whole_seconds = max(1, round(seconds))
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False, encoding="utf-8") as f:
        f.write(sql.strip() + "\n")
        script = f.name
    try:
        argv = [
            binary,
            "--no-vacuum",
            f"--client={clients}",
            f"--jobs={threads or min(clients, os.cpu_count() or 2)}",
            f"--time={whole_seconds}",
            f"--protocol={protocol}",
            f"--file={script}",
            dsn or bench_database_url(),
        ]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=whole_seconds + 60)
    finally:
        os.unlink(script)
    out = proc.stdout + proc.stderr
    tps = re.search(r"^tps = ([0-9.]+)", out, re.MULTILINE)
    if proc.returncode != 0 or not tps:
        raise BenchmarkError(f"pgbench failed ({proc.returncode}):\n{out}")
    latency = re.search(r"^latency average = ([0-9.]+) ms", out, re.MULTILINE)
    done = re.search(r"^number of transactions actually processed: (\d+)", out, re.MULTILINE)
    failed = re.search(r"^number of failed transactions: (\d+)", out, re.MULTILINE)
    return PgbenchStats(
        tps=float(tps.group(1)),
        latency_ms=float(latency.group(1)) if latency else None,
        transactions=int(done.group(1)) if done else None,
        failed=int(failed.group(1)) if failed else 0,
        clients=clients,
        seconds=whole_seconds,
    )


def pgbench_tps(sql: str, clients: int = 8, seconds: float = 8, **kwargs: Any) -> float:
    """Transactions per second of a pgbench script on the bench database."""
    return pgbench(sql, clients, seconds, **kwargs).tps


# --- Celery -----------------------------------------------------------------------------------


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str], log_dir: Path, *, concurrency: int = 2, queues: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen]:
    """A real worker process (prefork) of `benchmarks.celery_app` on the bench broker."""
    from .tasks import QUEUE

    argv = [
        sys.executable,
        "-m",
        "celery",
        "--app=benchmarks.celery_app",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        f"--queues={','.join(queues or (QUEUE,))}",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname=bench-{os.getpid()}@%h",
    ]
    proc = PROCESSES.start(argv, env=env, log=log_dir / "celery-worker.log")
    try:
        yield proc
    finally:
        PROCESSES.stop(proc)


DRAIN_POLL_S = 0.005  # LLEN/HLEN every 5 ms: ~0.3% of a 3 s drain, little CPU


@dataclasses.dataclass
class CeleryStats:
    tasks: int
    drain_s: float
    rate: float
    enqueue_ms: float
    startup_s: float


def celery_drain_rate(
    redis_url: str, env: dict[str, str], log_dir: Path, tasks: int = 5000
) -> CeleryStats:
    """Enqueue `tasks` no-op tasks with no worker running (timing `.delay()`), then start a
    worker and time the drain from its first fetch until the queue and its unacked set are
    empty. Needs Django set up in this process (`django_setup`) with the bench broker."""
    import redis

    from . import celery_app  # noqa: F401  (the project's app, with benchmarks.tasks)
    from .tasks import QUEUE, noop

    client = redis.Redis.from_url(redis_url)
    client.delete(QUEUE, "unacked", "unacked_index")
    noop.delay()  # open the producer connection before timing
    client.delete(QUEUE)
    started = time.perf_counter()
    for _ in range(tasks):
        noop.delay()
    enqueue_ms = (time.perf_counter() - started) * 1000 / tasks
    queued = client.llen(QUEUE)
    if queued != tasks:
        raise BenchmarkError(f"{tasks} tasks sent but {queued} queued in Redis")
    with celery_worker(env, log_dir) as proc:
        launched = time.perf_counter()
        deadline = launched + 60 + tasks / 100
        first = remaining = None
        while True:
            now = time.perf_counter()
            if now > deadline:
                raise BenchmarkError(f"the queue did not drain in time:\n{log_tail(proc)}")
            if proc.poll() is not None:
                raise BenchmarkError(f"the celery worker exited:\n{log_tail(proc)}")
            length = client.llen(QUEUE)
            if first is None and length < tasks:
                first, remaining = now, length
            if first is not None and length == 0 and client.hlen("unacked") == 0:
                finished = now
                break
            time.sleep(DRAIN_POLL_S)
    client.close()
    drain_s = finished - first
    return CeleryStats(
        tasks=tasks,
        drain_s=drain_s,
        rate=(remaining or 0) / drain_s if drain_s else 0.0,
        enqueue_ms=enqueue_ms,
        startup_s=first - launched,
    )


# --- registry and context ---------------------------------------------------------------------


@dataclasses.dataclass
class Benchmark:
    name: str
    run: Callable[[Context], list[Result]]
    setup: Callable[[Context], None] | None = None
    description: str = ""
    module: str = ""


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, setup: Callable[[Context], None] | None = None, description: str = ""
) -> Callable[[Callable[[Context], list[Result]]], Callable[[Context], list[Result]]]:
    """Register `run(ctx) -> list[Result]` as the benchmark `name` (see the module docstring)."""

    def register(run: Callable[[Context], list[Result]]) -> Callable[[Context], list[Result]]:
        if name in REGISTRY and REGISTRY[name].module != run.__module__:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = Benchmark(name, run, setup, description, run.__module__)
        return run

    return register


def discover() -> dict[str, Benchmark]:
    """Import every `benchmarks/bench_*.py`; each registers itself."""
    package = importlib.import_module(__package__ or "benchmarks")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            importlib.import_module(f"{package.__name__}.{module.name}")
    return REGISTRY


@dataclasses.dataclass
class Context:
    config: Config
    env: dict[str, str]
    tmp: Path
    loadgen: str
    server: Server | None = None
    baselines: dict[str, Result] = dataclasses.field(default_factory=dict)
    current: str = ""  # the benchmark being run, stamped on its results
    produced: list[Result] = dataclasses.field(default_factory=list)  # kept if run() fails

    def compare(self, result: Result, baseline: str | None, target: float | None) -> Result:
        """Fill in the baseline, the ratio and whether the target (least ratio) is met."""
        result.benchmark = result.benchmark or self.current
        result.target = target
        self.produced.append(result)
        if baseline and result.value is not None:
            base = self.baselines.get(baseline)
            if base is None or not base.value:
                raise BenchmarkError(f"no baseline {baseline!r} (have: {sorted(self.baselines)})")
            result.baseline, result.baseline_value = baseline, base.value
            result.ratio = result.value / base.value
            if target is not None:
                result.target_met = result.ratio >= target
        return result

    def result(
        self,
        name: str,
        value: float,
        unit: str,
        *,
        baseline: str | None = None,
        target: float | None = None,
        **fields: Any,
    ) -> Result:
        return self.compare(Result(name=name, value=value, unit=unit, **fields), baseline, target)

    def http(
        self,
        name: str,
        path: str,
        *,
        baseline: str | None = "bare_view",
        target: float | None = None,
        check: Callable[[Response], None] | None = None,
        lua: str | None = None,
        connections: int | None = None,
        seconds: float | None = None,
        max_error_rate: float = 0.001,
        description: str = "",
    ) -> Result:
        """Check one response, warm up, then measure throughput of `path` on the server."""
        if self.server is None:
            raise BenchmarkError("no server is running")
        url = self.server.url(path)
        if check is not None:
            response = fetch(url)
            try:
                check(response)
            except AssertionError as exc:
                raise BenchmarkError(
                    f"{path}: unexpected response {response.status}: {exc}\n{response.text[:500]}"
                ) from None
        connections = connections or self.config.connections
        load = {
            "connections": connections,
            "threads": self.config.wrk_threads,
            "tool": self.loadgen,
            "lua": lua,
            "tmp": self.tmp,
        }
        if self.config.warmup > 0:
            http_load(url, seconds=self.config.warmup, **load)
        stats = http_load(url, seconds=seconds or self.config.duration, **load)
        if stats.requests == 0 or stats.error_count > max_error_rate * stats.requests:
            raise BenchmarkError(
                f"{path}: {stats.error_count} errors in {stats.requests} requests {stats.errors}"
            )
        result = Result(
            name=name,
            value=stats.rps,
            unit="req/s",
            description=description or f"GET {path}",
            p50_ms=stats.p50_ms,
            p95_ms=stats.p95_ms,
            p99_ms=stats.p99_ms,
            requests=stats.requests,
            errors=stats.error_count,
            duration_s=stats.duration_s,
            extra={
                "p90_ms": stats.p90_ms,
                "mean_ms": round(stats.mean_ms, 3),
                "max_ms": stats.max_ms,
                "bytes_per_response": round(stats.bytes / stats.requests),
                "connections": connections,
                "load_generator": stats.tool,
                "error_kinds": stats.errors,
            },
        )
        return self.compare(result, baseline, target)

    def pgbench(
        self,
        name: str,
        sql: str,
        *,
        baseline: str | None = "pgbench_select",
        target: float | None = None,
        clients: int | None = None,
        seconds: float | None = None,
        description: str = "",
    ) -> Result:
        stats = pgbench(
            sql,
            clients or self.config.pg_clients,
            seconds or self.config.duration,
            dsn=self.config.database_url,
        )
        result = Result(
            name=name,
            value=stats.tps,
            unit="tps",
            description=description or "pgbench script",
            p50_ms=None,
            requests=stats.transactions,
            errors=stats.failed,
            duration_s=stats.seconds,
            extra={"latency_avg_ms": stats.latency_ms, "clients": stats.clients},
        )
        return self.compare(result, baseline, target)

    @contextlib.contextmanager
    def celery_worker(self, concurrency: int = 2, queues: tuple[str, ...] = ()):
        with celery_worker(self.env, self.tmp, concurrency=concurrency, queues=queues) as proc:
            yield proc


# --- report -----------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_mb"] = int(line.split()[1]) // 1024
                break
    with contextlib.suppress(OSError):
        info["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100 or digits == 0:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.{digits}f}"


def format_table(results: list[Result]) -> str:
    head = [
        "name",
        "value",
        "unit",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "vs baseline",
        "ratio",
        "target",
    ]
    rows = [head]
    for r in results:
        if r.error:
            rows.append([r.name, "FAILED", "", "", "", "", "", "", "", "(see below)"])
            continue
        target = ""
        if r.target is not None:
            target = f">= {r.target:g} " + ("met" if r.target_met else "NOT MET")
        rows.append(
            [
                r.name,
                _num(r.value, 2),
                r.unit,
                _num(r.p50_ms, 2),
                _num(r.p95_ms, 2),
                _num(r.p99_ms, 2),
                "-" if r.errors is None else str(r.errors),
                r.baseline or ("(baseline)" if r.kind == "baseline" else "-"),
                "-" if r.ratio is None else f"{r.ratio:.3f}",
                target,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    right = {1, 3, 4, 5, 6, 8}
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    for r in results:
        if r.error:
            lines.append(f"FAILED {r.name}: {error_summary(r.error)}")
    return "\n".join(lines)


def error_summary(error: str, width: int = 160) -> str:
    """The first line of an error and, for a multi-line one (a log tail), its last line."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    text = lines[0] if len(lines) < 2 else f"{lines[0]} ... {lines[-1]}"
    return text if len(text) <= width else text[: width - 3] + "..."


def write_json(path: Path, results: list[Result], run: dict[str, Any]) -> None:
    """var/bench.json: a list of {name, value, unit, baseline, ratio, ...}, each with the run."""
    records = []
    for r in results:
        record = dataclasses.asdict(r)
        for key in ("value", "baseline_value", "ratio", "p50_ms", "p95_ms", "p99_ms", "duration_s"):
            if isinstance(record[key], float):
                record[key] = round(record[key], 4)
        record["timestamp"] = run["timestamp"]
        record["run"] = run
        records.append(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)
