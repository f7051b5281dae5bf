"""A constrained offline recogniser: which of a few known sentences was said, if any.

The idea of Home Assistant's Speech-to-Phrase, built small: it knows only its sentences. At
startup each sentence is spoken by eSpeak NG and passed through the same telephone channel a
camera microphone has (8 kHz G.711, back to 16 kHz); the result is kept as a template of
MFCC frames (telephone band, cepstral mean removed). Incoming audio is trimmed to its speech,
turned into the same features and aligned with every template by dynamic time warping. The
best template wins only if its distance is under a threshold and clearly better than the
runner-up; anything else (silence, noise, other words) is no match. It decides from the audio
alone: the text it returns is the template's sentence. No Home Assistant imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
import io
import wave

import audioop
import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16000
FRAME = 400  # 25 ms
HOP = 160  # 10 ms
FFT_SIZE = 512
MEL_BANDS = 24
CEPSTRA = 13
# The telephone band: what survives a G.711 channel and a small camera microphone.
LOW_HZ = 200.0
HIGH_HZ = 3700.0
PRE_EMPHASIS = 0.97
SPECTRAL_FLOOR = 10 ** (-40 / 10)
# Spectral subtraction of the background noise measured outside the speech.
NOISE_OVERSUBTRACTION = 2.0
SUBTRACTION_FLOOR = 0.02

# Speech is where a frame's energy is this far above the noise floor and this close to the peak.
ABOVE_FLOOR_DB = 12.0
BELOW_PEAK_DB = 40.0
MIN_SPEECH_SECONDS = 0.3
# A template and the audio may differ in duration at most by this factor (speaking rate).
MAX_STRETCH = 1.8

# The score of a template is the mean per-frame distance of the best alignment plus its worst
# 150 ms stretch (MISMATCH_WINDOW frames of 10 ms). Chosen on eSpeak NG sentences through the
# G.711 channel (see tests/speech): genuine ones in the engine's default voice score under 2.5
# at rates 150-210 and pitches 40-65; sentences outside the set that share most words with
# one inside ("turn on the porch fan", "close the garage door") score 3.6 and more.
ACCEPT_DISTANCE = 3.2
# The runner-up must be at least this much further away ("turn on" against "turn off").
MIN_MARGIN = 0.3
MISMATCH_WINDOW = 15

# What the demo's visitor may say (Home Assistant's own agent understands the first three).
DEMO_SENTENCES = (
    "turn on the porch light",
    "turn off the porch light",
    "what time is it",
    "open the garage door",
    "is anyone home",
    "thank you",
)

# Each sentence is learnt in a few voices of the engine: speakers differ more than sentences.
TEMPLATE_VOICES = ("en", "en+f3", "en-us", "en+m3")
PADDING = bytes(2 * SAMPLE_RATE // 2)  # half a second of silence

type Samples = npt.NDArray[np.float64]
type Features = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Recognition:
    """The verdict: the sentence (None: no match) and the distances it was based on."""

    text: str | None
    distance: float
    runner_up: float
    speech_seconds: float


def pcm_to_samples(pcm: bytes) -> Samples:
    """16-bit little-endian mono PCM -> float samples."""
    return np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)


def wav_to_pcm16k(data: bytes) -> bytes:
    """A mono 16-bit WAV at any rate -> 16 kHz PCM."""
    with wave.open(io.BytesIO(data)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
        frames: bytes = wav.readframes(wav.getnframes())
    if width != 2 or channels != 1:
        raise ValueError("expected 16-bit mono WAV")
    if rate == SAMPLE_RATE:
        return frames
    converted: bytes = audioop.ratecv(frames, 2, 1, rate, SAMPLE_RATE, None)[0]
    return converted


def telephone_channel(pcm16k: bytes) -> bytes:
    """16 kHz PCM through a G.711 µ-law 8 kHz channel and back, as a camera would carry it."""
    narrow, _ = audioop.ratecv(pcm16k, 2, 1, SAMPLE_RATE, 8000, None)
    decoded = audioop.ulaw2lin(audioop.lin2ulaw(narrow, 2), 2)
    wide, _ = audioop.ratecv(decoded, 2, 1, 8000, SAMPLE_RATE, None)
    return wide


def _mel(hz: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
    return np.asarray(2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0))


def _mel_filterbank() -> npt.NDArray[np.float64]:
    edges_mel = np.linspace(_mel(LOW_HZ), _mel(HIGH_HZ), MEL_BANDS + 2)
    edges_hz = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(FFT_SIZE, 1.0 / SAMPLE_RATE)
    bank = np.zeros((MEL_BANDS, len(bins)))
    for band in range(MEL_BANDS):
        low, centre, high = edges_hz[band : band + 3]
        rising = (bins - low) / (centre - low)
        falling = (high - bins) / (high - centre)
        bank[band] = np.clip(np.minimum(rising, falling), 0.0, None)
    return bank


def _dct_matrix() -> npt.NDArray[np.float64]:
    n = np.arange(MEL_BANDS)
    k = np.arange(CEPSTRA)[:, None]
    return np.asarray(np.cos(np.pi * k * (2 * n + 1) / (2 * MEL_BANDS)))


_FILTERBANK = _mel_filterbank()
_DCT = _dct_matrix()
_WINDOW = np.hamming(FRAME)


def _frames(samples: Samples) -> npt.NDArray[np.float64]:
    if len(samples) < FRAME:
        return np.zeros((0, FRAME))
    count = 1 + (len(samples) - FRAME) // HOP
    index = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    return np.asarray(samples[index])


def speech_region(samples: Samples) -> Samples:
    """The samples from the first to the last frame that sounds like speech (may be empty)."""
    frames = _frames(samples)
    if not len(frames):
        return samples[:0]
    energy_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1.0)
    floor = np.percentile(energy_db, 10)
    peak = energy_db.max()
    voiced = np.flatnonzero(
        (energy_db > floor + ABOVE_FLOOR_DB) & (energy_db > peak - BELOW_PEAK_DB)
    )
    if not len(voiced):
        return samples[:0]
    start = voiced[0] * HOP
    end = voiced[-1] * HOP + FRAME
    return samples[start:end]


def power_spectra(samples: Samples) -> npt.NDArray[np.float64]:
    """Pre-emphasised, windowed power spectra of 25 ms frames every 10 ms."""
    emphasised = np.append(samples[:1], samples[1:] - PRE_EMPHASIS * samples[:-1])
    frames = _frames(emphasised) * _WINDOW
    return np.asarray(np.abs(np.fft.rfft(frames, FFT_SIZE)) ** 2)


def noise_spectrum(samples: Samples) -> npt.NDArray[np.float64]:
    """The background's power spectrum: the mean of the quietest tenth of the frames."""
    power = power_spectra(samples)
    if not len(power):
        return np.zeros(FFT_SIZE // 2 + 1)
    energy = power.sum(axis=1)
    quiet = power[energy <= np.percentile(energy, 10)]
    return np.asarray(quiet.mean(axis=0))


def features(samples: Samples, noise: npt.NDArray[np.float64] | None = None) -> Features:
    """MFCC frames (c1..c12) of the telephone band, normalised per utterance.

    With a `noise` spectrum, it is subtracted first (what is left of a frame is kept above a
    small fraction of it), so a noisy microphone and a clean template look alike.
    """
    power = power_spectra(samples)
    if not len(power):
        return np.zeros((0, CEPSTRA - 1))
    if noise is not None:
        power = np.maximum(power - NOISE_OVERSUBTRACTION * noise, SUBTRACTION_FLOOR * power)
    mel = power @ _FILTERBANK.T
    # A floor relative to the loudest band: quiet frames and faint residues look alike.
    log_mel = np.log(mel + mel.max() * SPECTRAL_FLOOR + 1e-3)
    cepstra = log_mel @ _DCT.T
    cepstra = cepstra[:, 1:]  # c0 is loudness, not what was said
    # Mean and variance per utterance: the channel and the speaker's timbre matter less.
    return np.asarray((cepstra - cepstra.mean(axis=0)) / (cepstra.std(axis=0) + 1e-6))


def dtw_path_costs(heard: Features, template: Features) -> npt.NDArray[np.float64]:
    """Each heard frame's distance to the template frame the best alignment gives it.

    The alignment is monotonic: each heard frame advances the template by 0, 1 or 2 frames
    (speech up to twice as fast, or slower), within a band around the diagonal; rows are
    computed as whole vectors. Empty when the two cannot be aligned (durations too far apart).
    """
    n, m = len(heard), len(template)
    if not n or not m or max(n, m) > MAX_STRETCH * min(n, m):
        return np.zeros(0)
    cost = np.sqrt(((heard[:, None, :] - template[None, :, :]) ** 2).sum(axis=2))
    band = max(abs(n - m), round(0.25 * max(n, m)))
    columns = np.arange(m)
    moves = np.zeros((n, m), dtype=np.int8)  # template frames advanced to reach (i, j)
    total = np.full(m, np.inf)
    total[0] = cost[0, 0]
    for i in range(1, n):
        options = np.stack(
            (
                total,
                np.concatenate(([np.inf], total[:-1])),
                np.concatenate(([np.inf] * 2, total[:-2])),
            )
        )
        moves[i] = np.argmin(options, axis=0)
        total = options[moves[i], columns] + cost[i]
        total[np.abs(columns - i * m / n) > band] = np.inf
    if not np.isfinite(total[-1]):
        return np.zeros(0)
    path = np.empty(n, dtype=np.intp)
    j = m - 1
    for i in range(n - 1, -1, -1):
        path[i] = j
        j -= int(moves[i, j])
    return np.asarray(cost[np.arange(n), path])


def local_mismatch(path_costs: npt.NDArray[np.float64]) -> float:
    """The worst stretch of an alignment: a different word shows here, not in the mean."""
    if len(path_costs) < MISMATCH_WINDOW:
        return float("inf")
    window = np.ones(MISMATCH_WINDOW) / MISMATCH_WINDOW
    return float(np.convolve(path_costs, window, mode="valid").max())


class PhraseRecognizer:
    """Knows a few sentences; `recognize(pcm)` says which one was spoken, or None."""

    def __init__(
        self,
        sentences: Iterable[str],
        synthesize: Callable[[str, str], bytes],
        *,
        voices: Iterable[str] = TEMPLATE_VOICES,
        accept_distance: float = ACCEPT_DISTANCE,
        min_margin: float = MIN_MARGIN,
    ) -> None:
        """`synthesize(text, voice)` returns a mono 16-bit WAV (eSpeak NG's, in practice)."""
        self.accept_distance = accept_distance
        self.min_margin = min_margin
        self.templates: list[tuple[str, Features]] = []
        for sentence in sentences:
            for voice in voices:
                # Padded with silence so that trimming finds the same edges as in a recording.
                pcm = PADDING + wav_to_pcm16k(synthesize(sentence, voice)) + PADDING
                speech = speech_region(pcm_to_samples(telephone_channel(pcm)))
                self.templates.append((sentence, features(speech)))
        if not self.templates:
            raise ValueError("a phrase recognizer needs at least one sentence")

    def recognize(self, pcm16k: bytes) -> Recognition:
        """16 kHz 16-bit mono PCM -> the sentence it contains, or no match (text None)."""
        samples = pcm_to_samples(pcm16k)
        speech = speech_region(samples)
        seconds = len(speech) / SAMPLE_RATE
        if seconds < MIN_SPEECH_SECONDS:
            return Recognition(None, float("inf"), float("inf"), seconds)
        heard = features(speech, noise_spectrum(samples))
        nearest: dict[str, float] = {}
        for sentence, template in self.templates:
            path_costs = dtw_path_costs(heard, template)
            if len(path_costs):
                # The mean says how alike they are; the worst stretch, whether a word differs.
                score = float(path_costs.mean()) + local_mismatch(path_costs)
                nearest[sentence] = min(score, nearest.get(sentence, float("inf")))
        ranked = sorted((score, sentence) for sentence, score in nearest.items())
        if not ranked:
            return Recognition(None, float("inf"), float("inf"), seconds)
        best, sentence = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else float("inf")
        accepted = best <= self.accept_distance and runner_up - best >= self.min_margin
        return Recognition(sentence if accepted else None, best, runner_up, seconds)
