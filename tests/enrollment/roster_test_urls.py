"""The project's URLconf with the roster mounted as config/urls.py will mount it:
`path("staff/", include("enrollment.roster_urls"))`. Tests use it until that line is in."""

from django.urls import include, path

from config.urls import urlpatterns as project_patterns

urlpatterns = list(project_patterns)
if not any(getattr(pattern, "namespace", None) == "roster" for pattern in urlpatterns):
    urlpatterns.append(path("staff/", include("enrollment.roster_urls")))
