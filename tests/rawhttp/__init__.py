"""Tests for the raw HTTP streaming package."""
