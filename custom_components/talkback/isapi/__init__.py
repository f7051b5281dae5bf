"""Async Hikvision ISAPI two-way audio client. No Home Assistant imports."""
