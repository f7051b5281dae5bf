"""Constants of the simulated Hikvision camera: ISAPI paths, status codes, timings."""

from typing import Final

DEFAULT_IDLE_TIMEOUT: Final = 10.0  # seconds an open session may go without audio
SERVER_HEADER: Final = "App-webs/"

TWO_WAY_AUDIO: Final = "/ISAPI/System/TwoWayAudio/channels"
ALERT_STREAM: Final = "/ISAPI/Event/notification/alertStream"
CALL_STATUS: Final = "/ISAPI/VideoIntercom/callStatus"
CALL_SIGNAL: Final = "/ISAPI/VideoIntercom/callSignal"

# GET audioData: the microphone (by default a 1 kHz tone) in 20 ms frames, on absolute
# deadlines.
TONE_FREQUENCY: Final = 1000.0
TONE_AMPLITUDE: Final = 8000
FRAME_BYTES: Final = 160
FRAME_SECONDS: Final = 0.02

# ResponseStatus statusCode values and the HTTP status each is answered with.
STATUS_OK: Final = 1
STATUS_DEVICE_BUSY: Final = 2
STATUS_DEVICE_ERROR: Final = 3
STATUS_INVALID_OPERATION: Final = 4
STATUS_INVALID_XML_FORMAT: Final = 5
STATUS_INVALID_XML_CONTENT: Final = 6

STATUS_STRINGS: Final = {
    STATUS_OK: "OK",
    STATUS_DEVICE_BUSY: "Device Busy",
    STATUS_DEVICE_ERROR: "Device Error",
    STATUS_INVALID_OPERATION: "Invalid Operation",
    STATUS_INVALID_XML_FORMAT: "Invalid XML Format",
    STATUS_INVALID_XML_CONTENT: "Invalid XML Content",
}
HTTP_FOR_STATUS: Final = {
    STATUS_OK: 200,
    STATUS_DEVICE_BUSY: 503,
    STATUS_DEVICE_ERROR: 500,
    STATUS_INVALID_OPERATION: 403,
    STATUS_INVALID_XML_FORMAT: 400,
    STATUS_INVALID_XML_CONTENT: 400,
}

# The page real cameras send with a 401 (see real-devices/hikvision/http401_body_html*).
UNAUTHORIZED_PAGE: Final = (
    b"<!DOCTYPE html>\n"
    b"<html><head><title>Document Error: Unauthorized</title></head>\n"
    b"<body><h2>Access Error: 401 -- Unauthorized</h2>\n"
    b"<p>Authentication Error</p>\n"
    b"</body>\n</html>\n"
)
