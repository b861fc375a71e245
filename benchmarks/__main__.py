"""`make bench` = `python -m benchmarks [names...] [--quick]`.

1. Refuses to run (exit 2) without PostgreSQL, Redis and pgbench.
2. Creates the bench database anew (BENCH_DATABASE_URL, default mok_bench): migrate, seed_demo,
   then each selected benchmark's setup; collects static files into a scratch folder.
3. Starts one gunicorn server (bench settings) for every HTTP figure.
4. Measures the baselines: the bare view, pgbench SELECT, a no-op Celery task through Redis.
5. Runs the selected benchmarks, prints the table and writes var/bench.json.
Exit status: 0 all ran, 1 a benchmark failed (or a target was missed with --strict),
2 refused to run, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from . import harness
from .harness import BenchmarkError, Config, Context, Refused, Result

# A primary-key read of a catalogue row: the simplest query a view makes, as pgbench sends it.
PGBENCH_BASELINE_SQL = """
\\set id random({low}, {high})
SELECT id, name, capacity, places_taken FROM clubs_group WHERE id = :id;
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of the MOK project, as ratios to baselines measured in the same "
        "run (bare Django view, pgbench, no-op Celery task).",
    )
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all; see --list)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    parser.add_argument("--duration", type=float, help="seconds per measurement (default 8)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up before each (default 2)")
    parser.add_argument("--connections", type=int, help="HTTP connections (default 8)")
    parser.add_argument(
        "--loadgen",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="HTTP load generator (auto: wrk, installed with apt-get as root, else Python)",
    )
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--output", type=Path, default=harness.DEFAULT_OUTPUT)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the scratch folder (logs)")
    return parser.parse_args(argv)


def make_config(args: argparse.Namespace) -> Config:
    config = Config(
        database_url=harness.bench_database_url(),
        redis_url=harness.bench_redis_url(),
        loadgen=args.loadgen,
        allow_install=not args.no_install,
        output=args.output,
        quick=args.quick,
    )
    if args.quick:
        config.duration, config.warmup, config.celery_tasks = 3.0, 1.0, 1000
    if args.duration:
        config.duration = args.duration
    if args.warmup is not None:
        config.warmup = args.warmup
    if args.connections:
        config.connections = args.connections
    return config


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def prepare_database(ctx: Context, selected: list[harness.Benchmark]) -> None:
    from django.core.management import call_command

    step(f"bench database {ctx.config.database_name}: create, migrate, seed_demo")
    harness.database_recreate(ctx.config.database_url)
    harness.django_setup(ctx.env)
    call_command("migrate", interactive=False, verbosity=0)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    for bench in selected:
        if bench.setup is not None:
            step(f"setup: {bench.name}")
            ctx.current = bench.name
            bench.setup(ctx)
    step("collectstatic (manifest storage, as in production)")
    call_command("collectstatic", interactive=False, verbosity=0)
    harness.django_close_connections()


def baseline_bare_view(ctx: Context) -> Result:
    return ctx.http("bare_view", "/_bench/bare", baseline=None, description="GET /_bench/bare")


def baseline_pgbench(ctx: Context) -> Result:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM clubs_group")
        low, high = cursor.fetchone()
    harness.django_close_connections()
    sql = PGBENCH_BASELINE_SQL.format(low=low or 1, high=high or 1)
    return ctx.pgbench("pgbench_select", sql, baseline=None, description="SELECT clubs_group by pk")


def baseline_celery(ctx: Context) -> Result:
    stats = harness.celery_drain_rate(
        ctx.config.redis_url, ctx.env, ctx.tmp, tasks=ctx.config.celery_tasks
    )
    return Result(
        name="celery_noop",
        value=stats.rate,
        unit="tasks/s",
        description="drain of no-op tasks through Redis, prefork -c 2",
        requests=stats.tasks,
        errors=0,
        duration_s=stats.drain_s,
        extra={
            "enqueue_ms_per_delay": round(stats.enqueue_ms, 4),
            "worker_startup_s": round(stats.startup_s, 2),
        },
    )


BASELINES: list[tuple[str, str, Callable[[Context], Result]]] = [
    ("bare_view", "bare Django view under gunicorn", baseline_bare_view),
    ("pgbench_select", "pgbench SELECT by primary key", baseline_pgbench),
    ("celery_noop", "no-op Celery tasks through Redis, worker with 2 processes", baseline_celery),
]


def failure(name: str, benchmark: str, exc: Exception) -> Result:
    traceback.print_exc()
    return Result(
        name=name, value=None, unit="", benchmark=benchmark, error=f"{type(exc).__name__}: {exc}"
    )


def measure_baselines(ctx: Context) -> tuple[list[Result], list[str]]:
    """Each baseline on its own: one that fails is reported, and the figures compared to it
    fail too ("no baseline"), the others still run."""
    ctx.current = "baseline"
    results, failed = [], []
    for name, text, measure in BASELINES:
        step(f"baseline: {text}")
        try:
            result = measure(ctx)
        except Exception as exc:  # noqa: BLE001 - report it, measure the others
            failed.append(name)
            result = failure(name, "baseline", exc)
        else:
            result.ratio = 1.0
            ctx.baselines[name] = result
        result.kind, result.benchmark = "baseline", "baseline"
        results.append(result)
    return results, failed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    registry = harness.discover()
    if args.list:
        for bench in registry.values():
            print(f"{bench.name:20} {bench.description}")
        return 0
    unknown = [name for name in args.names if name not in registry]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(registry)}")
        return 2
    selected = [registry[name] for name in (args.names or registry)]
    config = make_config(args)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)

    tmp = Path(tempfile.mkdtemp(prefix="mok-bench-"))
    keep_tmp = args.keep_tmp
    started = time.monotonic()
    machine = harness.machine_info()
    results: list[Result] = []
    failed: list[str] = []
    try:
        with harness.run_lock(config):
            versions = harness.preflight(config)
            loadgen = harness.ensure_load_generator(config)
            ctx = Context(
                config=config, env=harness.bench_env(config, tmp), tmp=tmp, loadgen=loadgen
            )
            prepare_database(ctx, selected)
            step(
                f"gunicorn: config.wsgi, {harness.GUNICORN_WORKERS} {harness.GUNICORN_WORKER_CLASS}"
                " workers, DEBUG=0, CONN_MAX_AGE=60"
            )
            with harness.Server(ctx.env, tmp) as server:
                ctx.server = server
                baselines, failed = measure_baselines(ctx)
                results += baselines
                for bench in selected:
                    step(f"benchmark: {bench.name}")
                    ctx.current, ctx.produced = bench.name, []
                    try:
                        results += bench.run(ctx)
                    except Exception as exc:  # noqa: BLE001 - report it, run the others
                        failed.append(bench.name)
                        results += ctx.produced  # the figures it measured before failing
                        results.append(failure(bench.name, bench.name, exc))
    except Refused as exc:
        print(f"\nmake bench refused to run: {exc}", file=sys.stderr)
        return 2
    except BenchmarkError as exc:  # the set-up or the server failed: nothing to measure
        keep_tmp = True
        print(f"\nmake bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; stopping the server and the worker", file=sys.stderr)
        return 130
    except Exception:
        keep_tmp = True
        raise
    finally:
        harness.PROCESSES.stop_all()
        keep_tmp = keep_tmp or bool(failed)
        with contextlib.suppress(Exception):
            harness.django_close_connections()
        if keep_tmp:
            print(f"logs and scratch files kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    run = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "services": versions,
        "server": {
            "app": "config.wsgi",
            "workers": harness.GUNICORN_WORKERS,
            "worker_class": harness.GUNICORN_WORKER_CLASS,
            "debug": False,
            "conn_max_age": 60,
        },
        "load_generator": loadgen,
        "connections": config.connections,
        "duration_s": config.duration,
        "warmup_s": config.warmup,
        "quick": config.quick,
        "benchmarks": [bench.name for bench in selected],
        "wall_time_s": round(time.monotonic() - started, 1),
    }
    print()
    print(
        f"make bench: {run['machine']['cpus']} CPUs, load generator {loadgen} "
        f"({config.connections} connections, {config.duration:g} s each), "
        f"{run['wall_time_s']} s in all. Only ratios within one run compare: the load "
        "generator shares the CPUs with the server."
    )
    print(harness.format_table(results))
    targets = [r for r in results if r.target is not None and r.error is None]
    missed = [r.name for r in targets if not r.target_met]
    if targets:
        print()
        for r in targets:
            verdict = "met" if r.target_met else "NOT MET"
            print(
                f"target {r.name}: ratio {r.ratio:.3f} to {r.baseline} >= {r.target:g}: {verdict}"
            )
    harness.write_json(config.output, results, run)
    print(f"\nwritten: {config.output}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if missed and args.strict:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
