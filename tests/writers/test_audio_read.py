"""audio_read and convert_audio, on files made by a bare ffmpeg run (not by our writers)."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import soundfile

from codecreg.audio.reading.whole_file import audio_read, convert_audio
from codecreg.audio.ffmpeg_binary import locate_ffmpeg
from writers.helpers import LOSSY_LENGTH_TOLERANCE, make_signal

RATE = 32000
CODECS = {"wav": ["-c:a", "pcm_f32le"], "flac": ["-c:a", "flac", "-sample_fmt", "s32"],
          "mp3": ["-c:a", "libmp3lame", "-b:a", "192k"], "ogg": ["-c:a", "libvorbis"]}


@pytest.fixture(scope="module")
def source():
    return make_signal(2, 1.0, RATE)


@pytest.fixture(scope="module")
def files(tmp_path_factory, source):
    """The source signal as wav, flac, mp3 and ogg, encoded by ffmpeg from raw samples."""
    folder = tmp_path_factory.mktemp("ffmpeg-made")
    raw = folder / "source.f32"
    np.ascontiguousarray(source.T, dtype="<f4").tofile(raw)
    made = {}
    for format, codec in CODECS.items():
        made[format] = folder / f"source.{format}"
        subprocess.run([locate_ffmpeg(), "-nostdin", "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "2",
                        "-i", str(raw), *codec, str(made[format])], check=True)
    return made


@pytest.mark.parametrize("format", list(CODECS))
def test_reads_what_ffmpeg_wrote(files, source, format):
    wav, rate = audio_read(files[format])
    assert rate == RATE and wav.dtype == np.float32 and wav.shape[0] == 2
    if format in ("wav", "flac"):
        np.testing.assert_allclose(wav, source, atol=2.0 ** -23)
    else:
        assert abs(wav.shape[1] - source.shape[1]) <= LOSSY_LENGTH_TOLERANCE


def test_seek_duration_and_pad(files, source):
    part, _ = audio_read(files["wav"], seek_time=0.25, duration=0.5)
    np.testing.assert_array_equal(part, source[:, 8000:24000])
    tail, _ = audio_read(files["wav"], seek_time=0.75, duration=0.5, pad=True)
    assert tail.shape == (2, 16000)
    np.testing.assert_array_equal(tail[:, :8000], source[:, 24000:])
    assert not tail[:, 8000:].any()


def test_resampling_keeps_band_limited_content_exact(tmp_path):
    """Tones resampled 32 -> 16 kHz must equal the same tones sampled at 16 kHz: the analytic answer."""
    def tones(rate, seconds=1.0):
        t = np.arange(int(seconds * rate)) / rate
        return np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 3000 * t + 1)])

    path = tmp_path / "tones.wav"
    soundfile.write(path, tones(RATE).T, RATE, subtype="FLOAT")
    wav, rate = audio_read(path, sample_rate=16000)
    assert rate == 16000 and wav.shape == (2, 16000)
    interior = slice(500, -500)  # edges depend on how each resampler pads
    np.testing.assert_allclose(wav[:, interior], tones(16000)[:, interior], atol=1e-3)


def test_channel_conversion_is_mean_to_mono_and_repeat_to_stereo(files, source):
    mono, _ = audio_read(files["wav"], channels=1)
    np.testing.assert_allclose(mono, source.mean(axis=0, keepdims=True), atol=1e-7)
    stereo = convert_audio(mono, RATE, RATE, 2)
    np.testing.assert_array_equal(stereo[0], stereo[1])
    np.testing.assert_array_equal(convert_audio(source, RATE, RATE, 1), source.mean(axis=0, keepdims=True))
    np.testing.assert_array_equal(convert_audio(make_signal(4, 0.01, RATE), RATE, RATE, 2),
                                  make_signal(4, 0.01, RATE)[:2])


def test_convert_audio_takes_torch_and_batches():
    torch = pytest.importorskip("torch")
    batch = np.stack([make_signal(2, 0.25, 24000, seed=s) for s in range(3)]).astype(np.float64)
    converted = convert_audio(torch.from_numpy(batch), 24000, 16000, 1)
    assert isinstance(converted, torch.Tensor) and converted.dtype == torch.float64
    assert tuple(converted.shape) == (3, 1, 4000)
    expected = convert_audio(batch, 24000, 16000, 1)
    np.testing.assert_allclose(converted.numpy(), expected)
    for item in range(3):
        np.testing.assert_allclose(expected[item], convert_audio(batch[item], 24000, 16000, 1), atol=1e-12)


def test_convert_audio_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="only mono audio is repeated"):
        convert_audio(make_signal(2, 0.01, RATE), RATE, RATE, 3)
    with pytest.raises(TypeError, match="floating point"):
        convert_audio(np.zeros((1, 10), np.int16), RATE, RATE, 1)
    with pytest.raises(ValueError, match=r"wav\[None\]"):
        convert_audio(np.zeros(10, np.float32), RATE, RATE, 1)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no audio file"):
        audio_read(tmp_path / "nothing.wav")
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(ValueError, match="cannot read .*notes.wav.* with libsndfile"):
        audio_read(text)
