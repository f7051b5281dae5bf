"""Constants for the Talkback integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "talkback"
LOGGER = logging.getLogger(__package__)
