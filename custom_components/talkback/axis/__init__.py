"""The Axis adapter: network speakers over VAPIX, relay networks as media player groups."""
