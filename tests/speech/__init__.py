"""Tests of the offline speech engines in devtools/speech."""
