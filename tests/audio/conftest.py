"""Fixtures for the audio pipeline tests: a real ffmpeg, media made by it, a fake clock."""

from __future__ import annotations

from pathlib import Path
import shutil

import imageio_ffmpeg
import pytest

from .helpers import TONE_FORMATS, TONE_HZ, TONE_SECONDS, FakeClock, run_ffmpeg


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    """Path of the ffmpeg binary: the system's, else the one in the imageio-ffmpeg wheel."""
    return shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


@pytest.fixture(scope="session")
def media_dir(ffmpeg: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s 440 Hz tone in every container, a video without audio, and garbage."""
    directory = tmp_path_factory.mktemp("media")
    tone = ["-f", "lavfi", "-i", f"sine=frequency={TONE_HZ}:duration={TONE_SECONDS}"]
    for extension, encoder in TONE_FORMATS.items():
        run_ffmpeg(ffmpeg, *tone, *encoder, str(directory / f"tone.{extension}"))
    run_ffmpeg(
        ffmpeg, "-f", "lavfi", "-i", "color=c=black:s=32x32:d=1", str(directory / "video.mp4")
    )
    (directory / "garbage.bin").write_bytes(bytes(range(256)) * 40)
    return directory


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock at time 0."""
    return FakeClock()
