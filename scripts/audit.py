"""`make audit`: known vulnerabilities in the locked requirements (pip-audit, PyPI's advisory data).

Exit 1 when a pinned package has a known vulnerability. When the advisory service cannot be
reached (a network error, or it answers for none of the packages) the script says so plainly
and exits 0, unless AUDIT_STRICT=1: an unreachable service must not block every change, and the
next run audits again (docs/adr/0010-hardening.md).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK_FILE = "requirements/dev.txt"  # everything: dev.in includes base.in


def main() -> int:
    strict = os.environ.get("AUDIT_STRICT", "") == "1"
    command = [
        str(ROOT / ".venv" / "bin" / "pip-audit"),
        *("--requirement", LOCK_FILE),
        "--require-hashes",
        "--disable-pip",  # the lock file pins everything: no resolver, no install
        *("--progress-spinner", "off"),
        *("--format", "json"),
    ]
    # A fixed command of our own venv's pip-audit, no shell, no outside input.
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
    if report is None:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        return _unreachable(f"pip-audit failed: {last}", strict)

    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            name, version = dependency["name"], dependency.get("version", "")
            print(f"VULNERABLE {name} {version}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        print(
            f"audit: {len(vulnerable)} pinned package(s) with known vulnerabilities: "
            "update them and `make lock`."
        )
        return 1
    if dependencies and len(skipped) == len(dependencies):
        reason = skipped[0]["skip_reason"]
        return _unreachable(
            f"the advisory service answered for none of the {len(skipped)} packages ({reason})",
            strict,
        )
    for dependency in skipped:
        print(f"not audited: {dependency['skip_reason']}")
    print(
        f"audit: no known vulnerabilities in {len(dependencies) - len(skipped)} audited packages."
    )
    return 0


def _unreachable(reason: str, strict: bool) -> int:
    print(
        "audit: WARNING: the vulnerability service could not be reached, nothing was checked: "
        + reason
    )
    if strict:
        print("audit: AUDIT_STRICT=1, so this counts as a failure.")
        return 1
    print("audit: not failing the build for a network problem (set AUDIT_STRICT=1 to fail).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
