"""The register in a real browser on a 360 px wide screen: a tap saves through htmx and swaps
only its row; a failed save is shown as "not saved"."""

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from clubs.models import MeetingStatus
from enrollment.models import AttendanceMark, AttendanceStatus
from tests.services import CHROMIUM

from .test_attendance import setup  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, setup, monkeypatch):  # noqa: F811
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are checks.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    client = Client()
    client.force_login(setup["instructor"])
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 360, "height": 740})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        yield context.new_page()
        browser.close()
        # ORM calls made while Playwright's loop runs use their own connection: close it.
        connections.close_all()


def test_a_tap_saves_and_a_failure_shows_not_saved(live_server, setup, page):  # noqa: F811
    meeting, child = setup["meeting"], setup["kids"][0]
    page.goto(live_server.url + reverse("attendance:register", args=[meeting.pk]))
    row = page.locator(f"#p-{child.pk}")

    row.locator('button[value="late"]').click()
    row.get_by_text("Saved:").wait_for()

    assert AttendanceMark.objects.get(participant=child).status == AttendanceStatus.LATE
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = row.locator('button[value="present"]').bounding_box()
    assert box["height"] >= 44

    type(meeting).objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    row = page.locator(f"#p-{child.pk}")
    row.locator('button[value="absent"]').click()
    row.locator("[data-register-error]").wait_for(state="visible")

    assert AttendanceMark.objects.filter(participant=child).count() == 1
