import pytest

from tests.services import CHECKS, require_services


def pytest_collection_modifyitems(config, items):
    reasons = {}
    for item in items:
        for marker, check in CHECKS.items():
            if item.get_closest_marker(marker) is None:
                continue
            if marker not in reasons:
                reasons[marker] = check()
            reason = reasons[marker]
            if reason is None:
                continue
            if require_services():
                item.add_marker(pytest.mark.usefixtures("_service_required"))
                item.user_properties.append(("missing_service", reason))
            else:
                item.add_marker(pytest.mark.skip(reason=reason))
    missing = {marker: reason for marker, reason in reasons.items() if reason}
    config._missing_services = missing


def pytest_report_header(config):
    return "services: tests marked postgres/redis/browser skip when the service is missing"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    missing = getattr(config, "_missing_services", {})
    if missing:
        terminalreporter.section("services not reachable")
        for marker, reason in missing.items():
            terminalreporter.write_line(f"{marker}: {reason}")


@pytest.fixture
def _service_required(request):
    reason = dict(request.node.user_properties).get("missing_service")
    pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the catalogue caches answers)."""
    from django.core.cache import cache

    from clubs import cache as catalogue_cache

    cache.clear()
    catalogue_cache._local.clear()
    yield


@pytest.fixture(autouse=True)
def _polish_by_default():
    """Each test starts in Polish: a request handled in English must not leak into the next test
    (LocaleMiddleware leaves the thread's language active after a response)."""
    from django.utils import translation

    translation.activate("pl")
    yield
    translation.deactivate()
