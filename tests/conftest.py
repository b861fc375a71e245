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
