from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        views.LoginView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Own template names: registration/password_change_*.html are the admin's.
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup-sent"),
    path("verify/resend/", views.verify_resend, name="verify-resend"),
    path("verify/resend/sent/", views.verify_resend_sent, name="verify-resend-sent"),
    path("verify/<uidb64>/<token>/", views.verify, name="verify"),
    path("verify/<uidb64>/<token>/password/", views.verify_password, name="verify-password"),
    path("privacy/", views.privacy, name="privacy"),
    path("profile/", views.profile, name="profile"),
    path("two-factor/", two_factor_views.overview, name="two-factor"),
    path("two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    path("two-factor/verify/", two_factor_views.verify, name="two-factor-verify"),
    path(
        "two-factor/backup-codes/",
        two_factor_views.backup_codes_renew,
        name="two-factor-backup-codes",
    ),
]
