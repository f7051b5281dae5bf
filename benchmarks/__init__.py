"""Pacing, latency and concurrency benchmarks of the audio pipeline, measured at the device."""
