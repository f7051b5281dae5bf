"""Fixtures shared by every Talkback test.

PHACC puts its own testing configuration first on sys.path; importing the integration here,
before the `hass` fixture runs, makes `custom_components.talkback` resolve to this repository.
"""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

import custom_components.talkback  # noqa: F401  (see the module docstring)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/talkback in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format (registry ids and times left out)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
