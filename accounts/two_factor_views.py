"""Two-factor pages: set up an authenticator app, enter a code, see new backup codes once.

Only people who need a second factor (`permissions.needs_two_factor`) have these pages; anyone
else gets 404.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from . import two_factor
from .backends import lockout_response
from .forms import OneTimeCodeForm
from .permissions import needs_two_factor
from .views import _safe_next

# New backup codes wait here between the POST that made them and the page that shows them.
BACKUP_CODES_SESSION_KEY = "accounts:backup-codes"


def _require_staff(request: HttpRequest) -> None:
    if not needs_two_factor(request.user):
        raise Http404


def _go_on(request: HttpRequest) -> HttpResponse:
    return redirect(_safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))


def _locked(request: HttpRequest) -> HttpResponse:
    return lockout_response(request)


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    if two_factor.has_authenticator(request.user):
        if request.user.is_verified():
            return redirect("accounts:two-factor")
        return redirect("accounts:two-factor-verify")
    if two_factor.is_locked_out(request, user=request.user):
        return _locked(request)
    device = two_factor.totp_device_pending(user=request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.totp_confirm(request, device=device, code=form.cleaned_data["code"]):
            request.session[BACKUP_CODES_SESSION_KEY] = two_factor.backup_codes_create(
                user=request.user
            )
            messages.success(request, _("Two-step login is on."))
            return redirect(_backup_codes_url(request))
        form.add_error("code", _("This code is not right. Check the time on your phone."))
    return render(
        request,
        "accounts/two_factor/setup.html",
        {
            "form": form,
            "qr_svg": two_factor.totp_qr_svg(device),
            "manual_key": two_factor.totp_manual_key(device),
            "next": _safe_next(request),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    if request.user.is_verified():
        return _go_on(request)
    if not two_factor.has_authenticator(request.user):
        return redirect("accounts:two-factor-setup")
    if two_factor.is_locked_out(request, user=request.user):
        return _locked(request)
    use_backup = request.GET.get("backup") == "1" or request.POST.get("backup") == "1"
    form = OneTimeCodeForm(request.POST or None, allow_backup=use_backup)
    if request.method == "POST" and form.is_valid():
        if two_factor.code_verify(request, user=request.user, code=form.cleaned_data["code"]):
            return _go_on(request)
        form.add_error("code", _("This code is not right."))
    return render(
        request,
        "accounts/two_factor/verify.html",
        {"form": form, "use_backup": use_backup, "next": _safe_next(request)},
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/two_factor/overview.html",
        {
            "codes": codes,
            "codes_left": two_factor.backup_codes_left(user=request.user),
            "next": _safe_next(request),
        },
    )


@login_required
@require_POST
def backup_codes_renew(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    if not request.user.is_verified():
        return redirect("accounts:two-factor-verify")
    request.session[BACKUP_CODES_SESSION_KEY] = two_factor.backup_codes_create(user=request.user)
    return redirect("accounts:two-factor")


def _backup_codes_url(request: HttpRequest) -> str:
    url = resolve_url("accounts:two-factor")
    next_url = _safe_next(request)
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return url
