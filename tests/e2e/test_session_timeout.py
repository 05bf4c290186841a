"""The idle-timeout warning script (static/js/session-timeout.js) under the real CSP."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_warning_before_idle_timeout_and_extend(page, live_server, log_in, settings) -> None:  # noqa: ANN001
    from caremgmt.models import Role
    from tests.factories import OfficeFactory, staff_in

    # the warning shows `SESSION_WARNING_SECONDS` before the timeout: here after 2 seconds
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 122
    settings.SESSION_WARNING_SECONDS = 120
    staff_in(OfficeFactory(), Role.CARE_MANAGER, username="timeout_cm", full_name="時間 切子")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in("timeout_cm")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("body").get_attribute("data-session-idle-seconds") == "122"
    extend = page.get_by_role("button", name="延長する")
    extend.wait_for(state="visible", timeout=8_000)
    assert "あと約2分でログインが切れます" in page.locator(".session-warning").inner_text()
    with page.expect_response(lambda r: r.url.endswith("/session/keepalive/")) as answer:
        extend.click()
    assert answer.value.status == 204
    page.locator(".session-warning").wait_for(state="detached")
    assert violations == []
