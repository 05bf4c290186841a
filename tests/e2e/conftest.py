"""Browser tests: Playwright driving Debian's Chromium, headless, against live_server."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from tests.conftest import require_or_skip

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    require_or_skip(bool(shutil.which(CHROMIUM)), f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe. Set only while browser tests run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# How long teardown waits for the browser's requests still in flight (see `page`).
SETTLE_SECONDS = 15


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    # Requests still in flight when the test ends (an htmx swap, a keepalive) keep a live-server
    # thread inside a query; the database flush after the test then deadlocks with it
    # (TRUNCATE takes every table). Teardown waits until the browser has its answers.
    pending: set = set()

    def started(request) -> None:  # noqa: ANN001
        pending.add(request)

    def ended(request) -> None:  # noqa: ANN001
        pending.discard(request)

    context.on("request", started)
    context.on("requestfinished", ended)
    context.on("requestfailed", ended)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    deadline = time.monotonic() + SETTLE_SECONDS
    while pending and time.monotonic() < deadline and not page.is_closed():
        page.wait_for_timeout(50)
    context.close()


@pytest.fixture
def log_in(page, live_server):  # noqa: ANN001, ANN201
    from django.conf import settings

    def _log_in(login_id: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("ログインID またはメールアドレス").fill(login_id)
        page.get_by_label("パスワード").fill(settings.DEMO_PASSWORD)
        page.get_by_role("button", name="ログイン").click()

    return _log_in
