"""Tests of Axis speakers and relay networks in Home Assistant."""
