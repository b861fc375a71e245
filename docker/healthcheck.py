"""Container health check for the web service: GET /healthz on the local gunicorn.

Sends a Host header Django accepts (the first entry of DJANGO_ALLOWED_HOSTS), so the check
works whatever public host name production uses. Exit 0 when /healthz answers 200.
"""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 5


def allowed_host() -> str:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h), "localhost")
    if host == "*":
        return "localhost"
    return host.lstrip(".")  # ".example.pl" also matches "example.pl"


def main() -> int:
    request = urllib.request.Request(
        "http://127.0.0.1:8000/healthz", headers={"Host": allowed_host()}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
