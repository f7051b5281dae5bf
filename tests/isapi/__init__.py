"""Tests for the Hikvision ISAPI client."""
