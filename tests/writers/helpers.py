"""Shared pieces of the writer tests: test signals, readers independent of the writers, a third-party writer.

A file is always read back by a library other than the one that wrote it:
ffmpeg's files through libsndfile (soundfile), libsndfile's files through
ffmpeg's decoders (its WAV output parsed here with ``struct``).
"""

from __future__ import annotations

import struct
import subprocess
import wave
from pathlib import Path

import numpy as np
import soundfile

from codecreg.audio.writing.writer import AudioWriter
from codecreg.audio.ffmpeg_binary import locate_ffmpeg

LOSSLESS = ("wav", "flac")
#: Samples an mp3 or ogg file may gain or lose against its input (encoder delay and padding).
LOSSY_LENGTH_TOLERANCE = 2 * 1152


def make_signal(channels: int, seconds: float, sample_rate: int, peak: float = 0.5, seed: int = 0) -> np.ndarray:
    """Deterministic float32 ``[C, T]``: different tones per channel plus a little noise, at ``peak``."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    rows = []
    for _ in range(channels):
        freqs = rng.uniform(100, 3000, size=3)
        rows.append(sum(np.sin(2 * np.pi * f * t + rng.uniform(0, np.pi)) for f in freqs)
                    + 0.05 * rng.standard_normal(t.size))
    audio = np.stack(rows)
    return (audio * peak / np.abs(audio).max()).astype(np.float32)


def ebur128_loudness(wav: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness by libebur128 (pyebur128): a second meter, not the pyloudnorm we normalize with."""
    import pyebur128

    state = pyebur128.R128State(wav.shape[0], sample_rate, pyebur128.MeasurementMode.MODE_I)
    state.add_frames(np.ascontiguousarray(wav.T, dtype=np.float64).ravel(), wav.shape[1])
    return pyebur128.get_loudness_global(state)


def read_with_soundfile(path: Path) -> tuple[np.ndarray, int]:
    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T), rate


def read_with_ffmpeg(path: Path) -> tuple[np.ndarray, int]:
    """Decode ``path`` with ffmpeg to float32 WAV on a pipe and parse its header ourselves."""
    result = subprocess.run([locate_ffmpeg(), "-nostdin", "-v", "error", "-i", str(path),
                             "-f", "wav", "-c:a", "pcm_f32le", "-"], capture_output=True, check=True)
    data = result.stdout
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("ffmpeg did not produce a WAV stream")
    offset, channels, rate = 12, 0, 0
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        body = offset + 8
        if chunk == b"fmt ":
            channels, rate = struct.unpack("<HI", data[body + 2:body + 8])
        elif chunk == b"data":  # on a pipe the size field cannot be filled in: the rest is samples
            samples = np.frombuffer(data[body:], dtype="<f4")
            return np.ascontiguousarray(samples.reshape(-1, channels).T), rate
        offset = body + size + (size & 1)
    raise ValueError("no data chunk in ffmpeg's WAV stream")


def read_independently(path: Path, written_by: str) -> tuple[np.ndarray, int]:
    """Read ``path`` with a library other than the writer ``written_by``."""
    return read_with_ffmpeg(path) if written_by == "soundfile" else read_with_soundfile(path)


def files_in(folder: Path) -> set[str]:
    """Every entry of ``folder``, hidden temporary files included."""
    return {entry.name for entry in folder.iterdir()}


class PythonWaveWriter(AudioWriter):
    """A third-party writer as a plugin would ship it: 16-bit WAV through Python's ``wave`` module.

    ``fail_after_bytes`` makes it raise after writing that much, as a crashing encoder would.
    """

    def __init__(self, fail_after_bytes: str = "") -> None:
        self.fail_after_bytes = int(fail_after_bytes) if fail_after_bytes else None

    @property
    def formats(self) -> tuple[str, ...]:
        return ("wav",)

    def write(self, path, wav, sample_rate, format, **options) -> None:
        pcm = np.round(np.ascontiguousarray(wav.T) * 32767).astype("<i2").tobytes()
        if self.fail_after_bytes is not None:
            Path(path).write_bytes(pcm[: self.fail_after_bytes])
            raise OSError("disk full (simulated by the test writer)")
        with wave.open(str(path), "wb") as output:
            output.setnchannels(wav.shape[0])
            output.setsampwidth(2)
            output.setframerate(sample_rate)
            output.writeframes(pcm)


def build_python_wave_writer(fail_after_bytes: str = "") -> PythonWaveWriter:
    return PythonWaveWriter(fail_after_bytes)
