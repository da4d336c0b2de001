"""The public names work from a fresh interpreter, and reading and writing numpy audio (whole or in blocks)
never imports torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys, tempfile, types
    import numpy as np
    import codecreg
    import codecreg.audio.writing.whole_file, codecreg.audio.reading.whole_file  # importing the modules must not shadow the functions
    for name in ("audio_write", "audio_read", "convert_audio"):
        assert isinstance(getattr(codecreg, name), types.FunctionType), (name, getattr(codecreg, name))
    folder = tempfile.mkdtemp()
    for backend in ("ffmpeg", "soundfile"):
        for format in ("wav", "mp3", "ogg", "flac"):
            path = codecreg.audio_write(f"{folder}/{backend}", np.full((2, 3200), 0.1, np.float32), 32000,
                                        format=format, backend=backend)
            wav, rate = codecreg.audio_read(path, sample_rate=16000, channels=1)
            assert rate == 16000 and wav.shape[0] == 1
    codecreg.audio_write(f"{folder}/loud", np.full((1, 32000), 0.1, np.float32), 32000, strategy="loudness")
    for name in ("read_blocks", "audio_write_stream"):
        assert isinstance(getattr(codecreg, name), types.FunctionType), (name, getattr(codecreg, name))
    with codecreg.audio_write_stream(f"{folder}/streamed", 16000, 1, strategy="loudness") as out:
        for block in codecreg.read_blocks(f"{folder}/loud.wav", 16000, 1, block_seconds=0.25):
            assert isinstance(block, np.ndarray)
            out.write(block)
    assert isinstance(codecreg.read_blocks(out.path, None, None), codecreg.AudioBlocks)
    assert isinstance(out, codecreg.AudioStreamWriter)
    print("torch imported:", "torch" in sys.modules)
""")


def test_writing_and_reading_numpy_needs_no_torch():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "torch imported: False" in result.stdout
