"""Constants of the simulated Axis devices: VAPIX paths, relay defaults, timings."""

from typing import Final

PATH_PARAM: Final = "/axis-cgi/param.cgi"
PATH_BASIC_DEVICE_INFO: Final = "/axis-cgi/basicdeviceinfo.cgi"
PATH_AUDIO_RELAY: Final = "/vapix/audiorelay"
PATH_TRANSMIT: Final = "/axis-cgi/audio/transmit.cgi"

RELAY_PREFIX: Final = "axar:"
PEER_ID_MAX_LENGTH: Final = 64
GAIN_NAME: Final = "AudioSource.A0.OutputGain"
GAIN_STEPS: Final = ("Mute", *(str(db) for db in range(-57, 7)))
"""What a C-series speaker reports: "Mute", then -57 ... 6 dB in 1 dB steps."""

DEFAULT_USERNAME: Final = "root"
DEFAULT_PASSWORD: Final = "pass"
"""The credentials a leader assumes for a follower configured without any."""

TRANSMIT_CONTENT_TYPES: Final = frozenset({"audio/basic"})
AUDIO_BYTES_PER_SECOND: Final = 8000

# Seconds.
LINK_DELAY: Final = 0.05  # from (re)configuring a leader to its first follower check
LINK_INTERVAL: Final = 0.25  # between two checks of every follower by the leader
PLAYBACK_WAIT_MAX: Final = 30.0  # transmit.cgi answers when playback ends, at most this late

# JSON-CGI error codes (strings on the wire, like the devices send them).
JSON_INTERNAL_ERROR: Final = "1100"
JSON_UNSUPPORTED_VERSION: Final = "2100"
JSON_INVALID_JSON: Final = "2101"
JSON_METHOD_NOT_SUPPORTED: Final = "2102"
BASIC_DEVICE_INFO_VERSION: Final = "1.1"

UNAUTHORIZED_PAGE: Final = (
    b"<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD>\n"
    b"<BODY><H1>401 Unauthorized</H1>\nYour client does not have permission to get URL "
    b"from this server.\n</BODY></HTML>\n"
)
NOT_FOUND_PAGE: Final = (
    b"<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n"
    b"<BODY><H1>404 Not Found</H1>\nThe requested URL was not found on this server.\n"
    b"</BODY></HTML>\n"
)
