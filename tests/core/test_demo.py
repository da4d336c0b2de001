"""`codecreg demo`, the README's first command, writes real files that read back."""

import subprocess
import sys

import soundfile


def test_demo_writes_the_original_and_the_decoded_clip(tmp_path):
    result = subprocess.run([sys.executable, "-m", "codecreg.cli.main", "demo", "--out", str(tmp_path),
                             "--seconds", "2", "--formats", "wav,flac"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "codes (1, 4, 50) torch.int64" in result.stdout
    for stem in ("original", "decoded"):
        for suffix in ("wav", "flac"):
            info = soundfile.info(str(tmp_path / f"{stem}.{suffix}"))
            assert (info.samplerate, info.channels, info.frames) == (32000, 1, 64000)
