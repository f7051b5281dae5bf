"""Async Axis VAPIX client: audio relay service and audio output. No Home Assistant imports."""
