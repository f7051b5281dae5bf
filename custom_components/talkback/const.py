"""Constants for the Talkback integration."""

from typing import Final

DOMAIN: Final = "talkback"
