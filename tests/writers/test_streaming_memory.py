"""Reading a long file in blocks and writing it back with peak normalization takes memory that does not grow
with the file: the peak RSS of a child process, measured by the OS, for 5 and for 20 minutes of audio."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile

RATE = 32000
#: The child: read at 24 kHz (the streaming resampler runs), write 16-bit wav at -1 dBFS peak (two passes).
CHILD = textwrap.dedent("""
    import sys
    import codecreg
    source, stem = sys.argv[1], sys.argv[2]
    with codecreg.audio_write_stream(stem, 24000, 1, strategy="peak", backend="soundfile") as out:
        for block in codecreg.read_blocks(source, 24000, 1, block_seconds=10.0):
            out.write(block)
    print(out.frames)
""")
#: Runs the child and reports its peak RSS: getrusage(RUSAGE_CHILDREN) covers exactly that one child.
MEASURE = textwrap.dedent("""
    import resource, subprocess, sys
    result = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr)
    print(result.stdout.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


def write_long_file(path, minutes: float) -> np.ndarray:
    """``minutes`` of 32 kHz mono 16-bit wav, made a minute at a time; returns the per-minute peaks."""
    rng = np.random.default_rng(int(minutes))
    t = np.arange(60 * RATE) / RATE
    peaks = []
    with soundfile.SoundFile(path, "w", RATE, 1, subtype="PCM_16") as output:
        for minute in range(int(minutes)):
            block = 0.3 * np.sin(2 * np.pi * (200 + 50 * minute) * t) + 0.05 * rng.standard_normal(t.size)
            output.write(block.astype(np.float32))
            peaks.append(np.abs(block).max())
    return np.array(peaks)


def peak_rss_kib(source, stem) -> tuple[int, int]:
    result = subprocess.run([sys.executable, "-c", MEASURE, CHILD, str(source), str(stem)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    frames, rss = result.stdout.split()
    return int(frames), int(rss)


@pytest.mark.memory
def test_peak_rss_does_not_grow_with_the_length(tmp_path):
    lengths = {5: None, 20: None}
    for minutes in lengths:
        source = tmp_path / f"long_{minutes}.wav"
        write_long_file(source, minutes)
        frames, rss = peak_rss_kib(source, tmp_path / f"out_{minutes}")
        assert frames == minutes * 60 * 24000
        written = soundfile.info(str(tmp_path / f"out_{minutes}.wav"))
        assert (written.frames, written.samplerate, written.channels) == (frames, 24000, 1)
        peak = max(np.abs(block).max() for block in soundfile.blocks(str(tmp_path / f"out_{minutes}.wav"),
                                                                     blocksize=1 << 20, dtype="int16"))
        assert abs(peak / 32768 - 10 ** (-1 / 20)) <= 1 / 32768  # -1 dBFS: the whole file's gain, in pass two
        lengths[minutes] = rss
        source.unlink()
    signal_mib = 20 * 60 * 24000 * 4 / 2 ** 20  # what the 20-minute signal alone takes in float32
    growth = lengths[20] / lengths[5]
    print(f"peak RSS: 5 min {lengths[5] / 1024:.0f} MiB, 20 min {lengths[20] / 1024:.0f} MiB "
          f"(x{growth:.3f}; the 20-minute signal alone is {signal_mib:.0f} MiB)")
    assert growth <= 1.10, lengths
