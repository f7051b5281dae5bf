"""Tests of the Home Assistant integration against the device simulators."""
