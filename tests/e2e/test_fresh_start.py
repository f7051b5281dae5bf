"""A fresh start of the development configuration asks nothing of its owner.

Home Assistant raises a repair for an `http:` YAML block (deprecated in 2026.10) and a
"Login attempt failed" notification for any unauthenticated call to an API that needs a
token; neither may appear after `scripts/develop` or the e2e instance starts.
"""

from __future__ import annotations

import pytest

from .harness import EndToEnd

pytestmark = pytest.mark.e2e

FAILED_LOGIN_NOTIFICATION = "http-login"  # homeassistant.components.http.ban


def test_fresh_start_raises_no_repair(e2e: EndToEnd) -> None:
    """Settings -> Repairs is empty: no issue of any integration."""
    found = e2e.run(e2e.instance.rest.websocket_command({"type": "repairs/list_issues"}))
    issues = [f"{issue['domain']}.{issue['issue_id']}" for issue in found["issues"]]
    assert issues == []


def test_fresh_start_has_no_failed_login_notification(e2e: EndToEnd) -> None:
    """The readiness poll and the logins leave no "Login attempt failed" notification."""
    notifications = e2e.run(
        e2e.instance.rest.websocket_command({"type": "persistent_notification/get"})
    )
    assert FAILED_LOGIN_NOTIFICATION not in {n["notification_id"] for n in notifications}
