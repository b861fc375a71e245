"""Staff cannot use the site before a second factor (docs/adr/0010-hardening.md)."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .permissions import needs_two_factor
from .two_factor import has_authenticator

# Pages a member of staff can open before the code: the two-factor pages themselves, logging
# out, the language and the privacy notice.
EXEMPT_VIEWS = frozenset(
    {
        "accounts:two-factor-setup",
        "accounts:two-factor-verify",
        "accounts:logout",
        "accounts:privacy",
        "set_language",
        "healthz",
    }
)


class StaffTwoFactorMiddleware:
    """After the password, a member of staff without a confirmed authenticator is sent to set
    one up, and one with it to enter a code, before any other page (`ACCOUNTS_STAFF_REQUIRE_2FA`).
    Needs django-otp's OTPMiddleware before it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not getattr(settings, "ACCOUNTS_STAFF_REQUIRE_2FA", True):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        if not needs_two_factor(user):
            return None
        name = (
            "accounts:two-factor-verify" if has_authenticator(user) else "accounts:two-factor-setup"
        )
        url = reverse(name)
        if request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the code page into a fragment: send the whole window there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
