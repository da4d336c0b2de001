"""examples/stream_decode.py runs, and its streamed audio equals one-pass decoding."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import soundfile

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stream_decode.py"


def test_the_streaming_example_matches_one_pass_decoding(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("stream_decode", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    error = example.main(["--seconds", "3", "--chunk-seconds", "0.2", "--out", str(tmp_path / "streamed")])
    assert error <= 1e-5
    printed = capsys.readouterr().out
    playable = [line for line in printed.splitlines() if line.startswith("after")]
    assert len(playable) >= 10  # audio came out while frames were still arriving, not at the end
    first_frames = int(playable[0].split()[1])
    assert first_frames < 75 // 5  # the first block played long before the last of 75 frames
    info = soundfile.info(str(tmp_path / "streamed.wav"))
    assert (info.samplerate, info.channels, info.frames) == (32000, 1, 3 * 32000)
