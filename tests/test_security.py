"""Security headers, no inline script or style in any page template, `check --deploy` with
production settings, and the dependency audit's verdicts (docs/adr/0010-hardening.md)."""

import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from tests.factories import GroupFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


# --- headers -------------------------------------------------------------------------------------


def _assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/accounts/password-reset/", "/admin/login/", "/nie-ma/"]
)
def test_public_pages_send_the_security_headers(client, url):
    response = client.get(url)

    assert response.status_code in (200, 404)
    _assert_security_headers(response)


@pytest.mark.django_db
def test_staff_pages_send_the_security_headers(client):
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    group = GroupFactory()
    group.activity.coordinators.add(coordinator)
    client.force_login(coordinator)

    for url in [reverse("roster:group-list"), reverse("roster:group-detail", args=[group.pk])]:
        response = client.get(url)
        assert response.status_code == 200
        _assert_security_headers(response)


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_its_style_or_eval(client):
    html = client.get("/").content.decode()

    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    assert json.loads(config) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }


# Page templates, not e-mail bodies or PDFs (no browser applies a CSP to those).
def _page_templates():
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "var/")) or "/messages/" in relative:
            continue
        if "pdf" in path.name:
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_no_page_template_has_inline_script_style_or_handlers():
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=|javascript:",
        re.IGNORECASE,
    )
    offending = {
        name: sorted(set(inline.findall(text)))
        for name, text in _page_templates()
        if inline.search(text)
    }
    assert offending == {}


def test_the_template_check_catches_inline_code():
    inline = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    assert inline.search('<button onclick="window.print()">')


# --- production settings -------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_REQUIRE_SECRET_KEY": "1",
    "DJANGO_ALLOWED_HOSTS": "zapisy.mok.example.pl",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://zapisy.mok.example.pl",
    "DJANGO_HTTPS": "1",
}


def _check_deploy(tmp_path, **overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "ACCOUNTS_"))
    }
    env.update(PRODUCTION_ENV, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), VAR_DIR=str(tmp_path))
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check_deploy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_https_settings(tmp_path):
    result = _check_deploy(tmp_path, DJANGO_HTTPS="0", DJANGO_SECURE_COOKIES="0")

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    code = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        "s.ACCOUNTS_STAFF_REQUIRE_2FA]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ACCOUNTS_"))}
    env.update(PRODUCTION_ENV, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        31536000,
        True,
        True,
        True,
        True,
        True,
        True,
    ]


def test_the_development_default_keeps_plain_http_working():
    # `make run` serves http://127.0.0.1:8000: no https redirect, no HSTS.
    assert not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS == 0


# --- dependency audit ----------------------------------------------------------------------------


def _audit_module():
    spec = importlib.util.spec_from_file_location("audit_script", ROOT / "scripts" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_audit(monkeypatch, capsys, stdout: str, *, strict: bool = False) -> tuple[int, str]:
    module = _audit_module()
    monkeypatch.setattr(
        module.subprocess,
        "run",
        lambda *args, **kwargs: SimpleNamespace(stdout=stdout, stderr="boom", returncode=1),
    )
    monkeypatch.setenv("AUDIT_STRICT", "1" if strict else "0")
    code = module.main()
    return code, capsys.readouterr().out


def test_audit_fails_on_a_known_vulnerability(monkeypatch, capsys):
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "rules", "version": "3.5", "vulns": []},
        ]
    }
    code, out = _run_audit(monkeypatch, capsys, json.dumps(report))

    assert code == 1
    assert "PYSEC-1" in out


def test_audit_passes_when_nothing_is_known(monkeypatch, capsys):
    report = {"dependencies": [{"name": "rules", "version": "3.5", "vulns": []}]}
    code, out = _run_audit(monkeypatch, capsys, json.dumps(report))

    assert code == 0
    assert "no known vulnerabilities in 1 audited" in out


@pytest.mark.parametrize("strict", [False, True])
def test_audit_says_plainly_when_the_service_cannot_be_reached(monkeypatch, capsys, strict):
    skipped = {"dependencies": [{"name": "rules", "skip_reason": "Dependency not found on PyPI"}]}
    for stdout in ["", json.dumps(skipped)]:
        code, out = _run_audit(monkeypatch, capsys, stdout, strict=strict)

        assert code == (1 if strict else 0)
        assert "could not be reached, nothing was checked" in out
