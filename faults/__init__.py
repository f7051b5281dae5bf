"""The project's own fault campaign (issue 12): device faults injected during real plays.

`scripts/faults` plays audio with `media_player.play_media` through an in-process Home
Assistant (`home`) to the simulated Hikvision camera and Axis speaker while one of their
fault modes strikes at a random moment, many times over, and prints a JSON summary: per
fault kind the outcomes (translation key or success), whether every call ended within its
bound, and what was left once things settled (device session, ffmpeg, sockets, tasks, the
entity's state). `--mode protocol` drives the protocol clients alone (`episodes`). A bad
episode is a hang past the bound, a false success, a session left open, a leak or an entity
stuck or unavailable (`judge`). Not part of CI.
"""
