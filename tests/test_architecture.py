"""Imports flow one way: accounts <- clubs <- enrollment <- billing; notifications imports no
domain app (docs/adr/0001-app-boundaries.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["accounts", "clubs", "enrollment", "billing", "notifications"]
# What each app may import among the domain apps.
ALLOWED = {
    "accounts": set(),
    "clubs": {"accounts"},
    "enrollment": {"accounts", "clubs", "notifications"},
    "billing": {"accounts", "clubs", "enrollment", "notifications"},
    "notifications": {"accounts"},
}
# Top-level apps: they read every domain app, and no domain app imports them.
TOP_LEVEL = {"audit": {"accounts", "clubs", "enrollment", "billing", "notifications"}}
DOMAIN += list(TOP_LEVEL)
ALLOWED.update(TOP_LEVEL)


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(DOMAIN)
    return found


@pytest.mark.parametrize("app", DOMAIN)
def test_imports_flow_one_way(app):
    offending = {}
    for path in (ROOT / app).rglob("*.py"):
        wrong = imported_apps(path) - ALLOWED[app] - {app}
        if wrong:
            offending[str(path.relative_to(ROOT))] = sorted(wrong)
    assert offending == {}


def test_the_check_catches_a_wrong_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from billing.models import FeePlan\nimport enrollment.services\n")
    assert imported_apps(module) == {"billing", "enrollment"}


# `reports` sits at the top of the graph, like `demo` (docs/adr/0009-reports-app.md): it may
# import every domain app, and no domain app imports it.
def _imports_reports(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] == "reports" for name in names):
            return True
    return False


@pytest.mark.parametrize("app", DOMAIN)
def test_no_domain_app_imports_reports(app):
    offending = [
        str(path.relative_to(ROOT)) for path in (ROOT / app).rglob("*.py") if _imports_reports(path)
    ]
    assert offending == []


def test_reports_imports_only_known_apps():
    found = set()
    for path in (ROOT / "reports").rglob("*.py"):
        found |= imported_apps(path)
    assert found <= set(DOMAIN)
    assert "billing" in found  # it does reach the top of the domain graph


def test_the_reports_check_catches_an_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from reports.annual import annual_report\n")
    assert _imports_reports(module)
