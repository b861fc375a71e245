"""Real-browser journeys at a phone's size, with axe-core on every page they visit.

Each journey gets a `Journey`: `visit()` and `step()` take a screenshot into
`var/e2e/<journey>/` (kept as CI artifacts) and run axe-core (vendored in `vendor/axe.min.js`,
WCAG 2.0/2.1 A and AA rules); the journey fails if any page had a serious or critical violation,
or was wider than the phone (WCAG 1.4.10 reflow: no sideways scrolling of the page).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.services import CHROMIUM

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SHOTS = Path(settings.BASE_DIR) / "var" / "e2e"
PHONE = {"width": 390, "height": 844}
BLOCKING = {"serious", "critical"}


class Journey:
    def __init__(self, name: str, page, base_url: str):
        self.name = name
        self.page = page
        self.base_url = base_url
        self.count = 0
        self.violations: list[dict] = []
        self.folder = SHOTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def visit(self, path: str, label: str | None = None):
        self.page.goto(self.base_url + path)
        self.step(label or path)
        return self.page

    def step(self, label: str) -> None:
        """Screenshot and axe-check the page as it is now."""
        self.page.wait_for_load_state("load")
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:50] or "page"
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{slug}.png"), full_page=True)
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(content=AXE)
        result = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            result.append(
                {
                    "id": "page-wider-than-phone",
                    "impact": "serious",
                    "help": f"The page is {width}px wide on a {PHONE['width']}px phone",
                    "nodes": [],
                }
            )
        for violation in result:
            violation["page"] = f"{self.count:02d} {label} ({self.page.url})"
            self.violations.append(violation)

    def blocking(self) -> list[dict]:
        return [v for v in self.violations if v["impact"] in BLOCKING]

    def report(self) -> None:
        (self.folder / "axe.json").write_text(
            json.dumps(self.violations, indent=2, ensure_ascii=False), encoding="utf-8"
        )


@pytest.fixture
def browser_context(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are checks.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
        # bypass_csp lets the test inject axe-core; the pages themselves run under the real CSP.
        context = browser.new_context(
            viewport=PHONE, locale="pl-PL", accept_downloads=True, bypass_csp=True
        )
        yield context
        browser.close()
        connections.close_all()


@pytest.fixture
def journey(request, live_server, browser_context):
    page = browser_context.new_page()
    trip = Journey(request.node.name.removeprefix("test_"), page, live_server.url)
    yield trip
    trip.report()
    blocking = trip.blocking()
    assert blocking == [], json.dumps(blocking, indent=1, ensure_ascii=False)


def log_in(journey: Journey, user) -> None:
    """Put an authenticated session cookie into the browser (the login page is its own test)."""
    client = Client()
    client.force_login(user)
    journey.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": journey.base_url,
            }
        ]
    )
