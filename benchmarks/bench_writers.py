"""Time ``audio_write`` for 60 s of stereo 32 kHz audio, per backend, against a bare ffmpeg run in the same run.

References, on the very same float32 samples and with the same encoder options:
  bare ffmpeg (file): ffmpeg reads the raw f32le samples from a file on disk;
  bare ffmpeg (pipe): ffmpeg reads them on stdin, as the ffmpeg writer feeds it.
Each method runs ``--repeats`` times, the methods interleaved so that machine
noise hits them alike; the table shows medians and ratios to the references.
The encoders are single-threaded and torch is not involved.

    .venv/bin/python benchmarks/bench_writers.py [--seconds 60] [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from codecreg.audio.ffmpeg_binary import locate_ffmpeg
from codecreg.audio.writing.whole_file import audio_write
from codecreg_ffmpeg.writer import output_flags

RATE = 32000
FORMATS = ("mp3", "flac")


def music_like(seconds: float, seed: int = 0) -> np.ndarray:
    """Stereo chords with vibrato and some noise, peak 0.5: content an encoder has to work on."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    channels = []
    for _ in range(2):
        chord = sum(np.sin(2 * np.pi * f * t + 3 * np.sin(2 * np.pi * 5 * t)) for f in rng.uniform(110, 880, 4))
        channels.append(chord + 0.2 * rng.standard_normal(t.size))
    audio = np.stack(channels)
    return (0.5 * audio / np.abs(audio).max()).astype(np.float32)


def bare_ffmpeg(binary: str, format: str, raw: Path | bytes, output: Path) -> None:
    source = str(raw) if isinstance(raw, Path) else "pipe:0"
    command = [binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE),
               "-ac", "2", "-i", source, *output_flags(format, 320, None, "s16" if format == "flac" else None),
               str(output)]
    subprocess.run(command, input=None if isinstance(raw, Path) else raw, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    binary = locate_ffmpeg()
    wav = music_like(args.seconds)
    folder = Path(tempfile.mkdtemp(prefix="bench-writers-"))
    raw_file = folder / "samples.f32"
    raw_bytes = np.ascontiguousarray(wav.T, dtype="<f4").tobytes()
    raw_file.write_bytes(raw_bytes)

    methods = {
        "bare ffmpeg (file)": lambda format: bare_ffmpeg(binary, format, raw_file, folder / f"bare.{format}"),
        "bare ffmpeg (pipe)": lambda format: bare_ffmpeg(binary, format, raw_bytes, folder / f"pipe.{format}"),
        "audio_write ffmpeg": lambda format: audio_write(folder / "ffmpeg", wav, RATE, format=format, backend="ffmpeg"),
        "audio_write soundfile": lambda format: audio_write(folder / "soundfile", wav, RATE, format=format,
                                                            backend="soundfile"),
        "audio_write backend=None": lambda format: audio_write(folder / "auto", wav, RATE, format=format),
    }
    for method in methods.values():  # warm up: imports, ffmpeg probe, page cache
        method("flac")

    print(f"# {args.seconds:g} s stereo {RATE} Hz, median of {args.repeats}; ffmpeg {binary}")
    print(f"# {platform.platform()}, {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"{'format':<6}  {'method':<26}  {'median s':>8}  {'x bare (file)':>13}  {'x bare (pipe)':>13}")
    for format in FORMATS:
        times: dict[str, list[float]] = {name: [] for name in methods}
        for _ in range(args.repeats):
            for name, method in methods.items():
                start = time.perf_counter()
                method(format)
                times[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, median in medians.items():
            print(f"{format:<6}  {name:<26}  {median:>8.3f}  {median / medians['bare ffmpeg (file)']:>13.2f}  "
                  f"{median / medians['bare ffmpeg (pipe)']:>13.2f}")


if __name__ == "__main__":
    main()
