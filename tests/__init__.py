"""Tests for the Talkback integration."""
