"""Login lockout with django-axes (docs/adr/0010-hardening.md).

Failures are counted per e-mail address and client address together; the e-mail address is
lower-cased, since logins ignore its case (`UserManager.get_by_natural_key`).
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out account+address; passes through a login without a request (tests'
    `client.login`, shell scripts), where there is no client address to count."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_username(request, credentials: dict | None) -> str:
    """The e-mail address the attempt was for, as axes counts it."""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    else:
        data = getattr(request, "POST", {})
        value = data.get("username", "") if data else ""
    return str(value).strip().lower()


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind N trusted proxies (ACCOUNTS_PROXY_COUNT)
    the address the first of them saw, N-th from the right in X-Forwarded-For. The left part
    of that header is whatever the client wrote, so it is never trusted."""
    proxies = getattr(settings, "ACCOUNTS_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The page for a locked-out login or code: 429, in the person's language, saying how long
    to wait (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
