"""The fallback HTTP load generator, used only where `wrk` is missing and cannot be installed.

Closed loop: `connections` forked processes, each sending one request at a time over one
HTTP/1.1 connection (re-opened when the server closes it) until the deadline. Python costs far
more CPU per request than wrk, and that CPU is taken from the server's two cores, so its figures
are lower than wrk's; ratios within one run still compare like with like.
"""

import http.client
import multiprocessing
import signal
import time
from urllib.parse import urlsplit

# A hard cap besides the deadline, so a loop is bounded even if the clock misbehaves.
MAX_REQUESTS_PER_CONNECTION = 2_000_000


def _worker(
    url: str, seconds: float, method: str, headers: dict[str, str], body: bytes | None
) -> dict:
    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"loopback addresses only, not {parts.hostname}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    latencies: list[int] = []
    errors = {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}
    received = 0
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
    started = time.perf_counter()
    deadline = started + seconds
    for _ in range(MAX_REQUESTS_PER_CONNECTION):
        begin = time.perf_counter()
        if begin >= deadline:
            break
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except TimeoutError:
            errors["timeout"] += 1
            conn.close()
            continue
        except (OSError, http.client.HTTPException):
            errors["read"] += 1
            conn.close()
            continue
        latencies.append(int((time.perf_counter() - begin) * 1_000_000))
        received += len(payload)
        if not 200 <= response.status < 400:
            errors["status"] += 1
        if response.will_close:
            conn.close()
    conn.close()
    return {
        "latencies_us": latencies,
        "errors": errors,
        "bytes": received,
        "elapsed": time.perf_counter() - started,
    }


def _reset_signals() -> None:
    # Forked from the orchestrator: its SIGTERM handler must not run in the pool's processes.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _percentile(ordered: list[int], p: float) -> int:
    if not ordered:
        return 0
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def run(
    url: str,
    *,
    seconds: float,
    connections: int,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> dict:
    """Load `url` for `seconds`; returns the same keys as the harness's wrk summary."""
    args = (url, seconds, method, headers or {}, body)
    with multiprocessing.get_context("fork").Pool(connections, _reset_signals) as pool:
        parts = pool.starmap(_worker, [args] * connections)
    latencies = sorted(lat for part in parts for lat in part["latencies_us"])
    errors = {key: sum(part["errors"][key] for part in parts) for key in parts[0]["errors"]}
    elapsed = max(part["elapsed"] for part in parts)
    return {
        "requests": len(latencies) + errors["read"] + errors["timeout"],
        "duration_us": int(elapsed * 1_000_000),
        "bytes": sum(part["bytes"] for part in parts),
        **errors,
        "p50": _percentile(latencies, 50),
        "p90": _percentile(latencies, 90),
        "p95": _percentile(latencies, 95),
        "p99": _percentile(latencies, 99),
        "mean": sum(latencies) / len(latencies) if latencies else 0.0,
        "max": latencies[-1] if latencies else 0,
    }
