"""Response headers that Django's SecurityMiddleware does not set (docs/adr/0010-hardening.md)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` from `settings.PERMISSIONS_POLICY`: browser features no page uses
    (camera, microphone, location, payment...) are off, also for anything a page might embed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
