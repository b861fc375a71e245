from django.http import HttpRequest, HttpResponse


def bare(request: HttpRequest) -> HttpResponse:
    """The baseline: the least a Django view can do."""
    return HttpResponse(b"ok", content_type="text/plain")
