"""Development tools: prepare and drive a real Home Assistant with Talkback (demo and e2e tests)."""
