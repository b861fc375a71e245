"""Sign-up with e-mail confirmation, the profile and the privacy notice.

Log-in, log-out, password reset and password change are Django's views (see `urls.py`).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.i18n import set_language

from . import services
from .backends import client_ip
from .forms import (
    RESEND_EMAIL_SESSION_KEY,
    LoginForm,
    ProfileForm,
    ResendVerificationForm,
    SignupForm,
)
from .models import User
from .ratelimit import rate_limit_hit
from .tokens import VERIFICATION_DAYS, email_verification_token


def _safe_next(request: HttpRequest) -> str:
    """The `next` URL of the request if it stays on this site, else ""."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def _user_language(language: str) -> str:
    code = (language or settings.LANGUAGE_CODE).split("-")[0]
    choices = {value for value, _label in User._meta.get_field("language").choices}
    return code if code in choices else settings.LANGUAGE_CODE


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    # What django.views.i18n.set_language does, so the two stay interchangeable.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _user_from_uid(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk).first()


def _valid_link_user(uidb64: str, token: str, *, set_password: bool) -> User | None:
    user = _user_from_uid(uidb64)
    if (
        user is None
        or not services.user_awaits_verification(user)
        # Each kind of link only for the account state it was made for.
        or user.has_usable_password() == set_password
        or not email_verification_token.check_token(user, token)
    ):
        return None
    return user


def _log_in_and_go_on(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    with translation.override(user.language):
        messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    response = redirect(_safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    _set_language_cookie(response, user.language)
    return response


def _invalid_link(request: HttpRequest, uidb64: str) -> HttpResponse:
    user = _user_from_uid(uidb64)
    if request.user.is_authenticated and user is not None and user.pk == request.user.pk:
        messages.info(request, _("Your e-mail address is already confirmed."))
        return redirect(_safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "accounts/verify_invalid.html",
        {"form": ResendVerificationForm(), "next": _safe_next(request)},
    )


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = SignupForm(
        request.POST or None,
        initial={"language": _user_language(translation.get_language())},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_sign_up(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            language=data["language"],
            absolute_uri=request.build_absolute_uri,
            next_url=next_url,
        )
        # The same answer whether or not the address already had an account.
        return redirect("accounts:signup-sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/check_email.html", {"resent": False, "days": VERIFICATION_DAYS}
    )


# GET only, not HEAD: link checkers in mail systems probe with HEAD.
@require_GET
def verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _valid_link_user(uidb64, token, set_password=False)
    if user is None:
        return _invalid_link(request, uidb64)
    services.user_activate(user=user)
    return _log_in_and_go_on(request, user)


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def verify_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _valid_link_user(uidb64, token, set_password=True)
    if user is None:
        return _invalid_link(request, uidb64)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_activate(user=user, password=form.cleaned_data["new_password1"])
        return _log_in_and_go_on(request, user)
    return render(
        request,
        "accounts/verify_password.html",
        {"form": form, "next": _safe_next(request), "email": user.email},
    )


@require_http_methods(["GET", "POST"])
def verify_resend(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.method == "POST":
        form = ResendVerificationForm(request.POST)
        if form.is_valid():
            services.verification_resend(
                email=form.cleaned_data["email"],
                absolute_uri=request.build_absolute_uri,
                next_url=next_url,
            )
            # The same answer whatever the address: this page cannot probe for accounts.
            return redirect("accounts:verify-resend-sent")
    else:
        form = ResendVerificationForm(
            initial={"email": request.session.pop(RESEND_EMAIL_SESSION_KEY, "")}
        )
    return render(request, "accounts/verify_resend.html", {"form": form, "next": next_url})


@require_safe
def verify_resend_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/check_email.html", {"resent": True, "days": VERIFICATION_DAYS})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    # A fresh copy: a rejected form must not leave its values on request.user.
    user = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        with translation.override(user.language):
            messages.success(request, _("Your details are saved."))
        response = redirect("accounts:profile")
        # The chosen language takes effect at once, for this browser too.
        _set_language_cookie(response, user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form, "profile_user": user})


class LoginView(auth_views.LoginView):
    """Django's login, which also switches the site to the person's saved language."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _set_language_cookie(response, _user_language(form.get_user().language))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per e-mail address and per client address.

    Over the address's limit no e-mail goes out, and the page answers exactly as when one does:
    it never tells whether an address has an account. Over the client's limit the page says to
    wait, which says nothing about any account."""

    def form_valid(self, form):
        window = settings.ACCOUNTS_PASSWORD_RESET_WINDOW_SECONDS
        if not rate_limit_hit(
            scope="password-reset-ip",
            key=client_ip(self.request) or "",
            limit=settings.ACCOUNTS_PASSWORD_RESET_LIMIT_PER_IP,
            window=window,
        ):
            return render(self.request, "accounts/rate_limited.html", status=429)
        if not rate_limit_hit(
            scope="password-reset-email",
            key=form.cleaned_data["email"].strip().lower(),
            limit=settings.ACCOUNTS_PASSWORD_RESET_LIMIT_PER_EMAIL,
            window=window,
        ):
            return redirect(self.get_success_url())
        return super().form_valid(form)


@csrf_exempt
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's `set_language`, remembering the choice on the account of a signed-in person.

    CSRF-exempt: choosing a language changes nothing worth forging, and public pages carry no
    CSRF token so they can be cached for anonymous visitors."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
