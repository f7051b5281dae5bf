"""Constants for the Talkback integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "talkback"
LOGGER = logging.getLogger(__package__)

CONF_VENDOR: Final = "vendor"
CONF_ALLOW_BASIC_OVER_HTTP: Final = "allow_basic_over_http"
"""Whether a device offering only Basic may get the password over plain HTTP.

New entries store False unless the user allowed it; entries from before the option have no
key and keep the old behaviour (allowed, with a warning at setup)."""
VENDOR_HIKVISION: Final = "hikvision"
VENDOR_AXIS: Final = "axis"

# Options a user tunes (options flow)
CONF_LEAD: Final = "lead_ms"
CONF_MAX_DURATION: Final = "max_duration_s"
CONF_CHANNELS: Final = "speaker_channels"
DEFAULT_LEAD_MS: Final = 360
MIN_LEAD_MS: Final = 20
MAX_LEAD_MS: Final = 500
DEFAULT_MAX_DURATION_S: Final = 600
MAX_MAX_DURATION_S: Final = 86400

CHANNEL_SCAN_INTERVAL: Final = timedelta(seconds=30)

RELAY_STATUS_INTERVAL: Final = timedelta(seconds=15)
"""Polling of a relay leader's peers and their link status."""
RELAY_SETTINGS_INTERVAL: Final = timedelta(minutes=5)
"""Master volume and network settings change rarely: read them less often."""

REPAIRS_DOCUMENTATION: Final = (
    "https://github.com/talkback-dev/talkback/blob/main/docs/user/troubleshooting.md#repairs"
)
"""Where a repair's "Learn more" leads."""
