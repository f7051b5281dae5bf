"""Tunables and timeouts of the audio pipeline."""

from __future__ import annotations

from typing import Final

from .codec import FRAME_BYTES

# How far ahead of real time frames are written, so the device buffer never runs dry: with
# groups of 100 ms the device holds 260 to 360 ms, so an event-loop stall of 250 ms starves no
# speaker, even one that plays from the first byte; below what devices buffer (go2rtc runs
# ~500 ms ahead, ESPHome ~384 ms). The stall figures in benchmarks/README.md.
DEFAULT_LEAD: Final = 0.36

# ffmpeg may only open these protocols: http needs tcp underneath, https needs tls and tcp.
FFMPEG_PROTOCOLS: Final = "file,http,https,tcp,tls,pipe"
FFMPEG_URL_SCHEMES: Final = frozenset({"http", "https"})
# From start until ffmpeg delivers its first audio (or fails); longer than the network timeout
# so that a stalled URL fails with ffmpeg's own reason. Audio piped in chunks restarts it with
# every chunk: a speech engine that is still speaking is not a stalled input.
FFMPEG_OPEN_TIMEOUT: Final = 15.0
# Audio piped in chunks that brings nothing new for this long has stalled and fails: a speech
# engine waits for a language model between sentences, seldom for more than a few seconds.
FFMPEG_INPUT_STALL_TIMEOUT: Final = 30.0
# However it keeps coming, piped input must give ffmpeg its first audio within this long: a
# source trickling bytes ffmpeg cannot decode would otherwise hold the play open for ever.
FFMPEG_STREAMED_OPEN_LIMIT: Final = 60.0
# What ffmpeg reads of audio piped in chunks before it starts decoding (its minimum): the
# container's header and first packet describe the audio well enough.
FFMPEG_STREAMED_PROBE_BYTES: Final = 32
# ffmpeg gives up on a network read or connect that makes no progress for this long.
FFMPEG_NETWORK_TIMEOUT: Final = 10.0
# After its output ended, ffmpeg has this long to exit before it is killed.
FFMPEG_EXIT_TIMEOUT: Final = 5.0
# A killed ffmpeg is reaped within this time (the kernel frees it at once; this is a safeguard).
FFMPEG_REAP_TIMEOUT: Final = 5.0
# After the first audio, how long to wait for ffmpeg's report of the input (duration) that it
# wrote before that audio.
FFMPEG_PROBE_GRACE: Final = 1.0
# Bytes read from ffmpeg at once; also the read buffer limit, which with the pipe itself keeps
# memory bounded for endless sources: ffmpeg blocks once the reader stops taking audio.
FFMPEG_READ_BYTES: Final = 25 * FRAME_BYTES
FFMPEG_BUFFER_LIMIT: Final = 4 * FFMPEG_READ_BYTES
# ffmpeg error lines kept for the error message.
FFMPEG_ERROR_LINES: Final = 5

# Frames the pacer reads ahead of the schedule from its source, refilled at half: more than the
# largest lead (500 ms) and a group.
PACER_READ_AHEAD_FRAMES: Final = 32
# The pacer wakes at least this often (and at least twice per lead) to top the device up.
PACER_REFILL_INTERVAL: Final = 0.1

# A fan-out hands a chunk to this many speakers, then lets the event loop run: writing to 100
# speakers at once would hold Home Assistant's loop for 10 ms and more.
FANOUT_SLICE: Final = 10
# A fan-out sink whose speaker falls this many frames (5 s) behind is dropped.
SINK_QUEUE_FRAMES: Final = 250
