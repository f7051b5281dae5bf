"""Repair issues and their fix flows, driven through the API the frontend uses."""

from __future__ import annotations

from http import HTTPStatus
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.talkback.const import DOMAIN

FIX_URL = "/api/repairs/issues/fix"


def talkback_issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    """The active issues Talkback raised, by issue id."""
    return {
        issue.issue_id: issue
        for issue in ir.async_get(hass).issues.values()
        if issue.domain == DOMAIN and issue.active
    }


async def start_fix_flow(hass_client: ClientSessionGenerator, issue_id: str) -> dict[str, Any]:
    """Open an issue's fix flow as the frontend does; return its first step."""
    client = await hass_client()
    response = await client.post(FIX_URL, json={"handler": DOMAIN, "issue_id": issue_id})
    assert response.status == HTTPStatus.OK
    result: dict[str, Any] = await response.json()
    return result


async def submit_fix_flow(
    hass_client: ClientSessionGenerator, flow_id: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Submit a step of a fix flow; return the next result."""
    client = await hass_client()
    response = await client.post(f"{FIX_URL}/{flow_id}", json=data or {})
    assert response.status == HTTPStatus.OK
    result: dict[str, Any] = await response.json()
    return result


async def issue_texts(hass: HomeAssistant, translation_key: str) -> dict[str, str]:
    """Every English text of an issue (title, description, fix flow), by translation key."""
    translations = await async_get_translations(hass, "en", "issues", {DOMAIN})
    prefix = f"component.{DOMAIN}.issues.{translation_key}."
    return {
        key.removeprefix(prefix): text
        for key, text in translations.items()
        if key.startswith(prefix)
    }


def placeholders_in(text: str) -> set[str]:
    """The `{name}` placeholders a translated text uses."""
    return set(re.findall(r"{(\w+)}", text))
