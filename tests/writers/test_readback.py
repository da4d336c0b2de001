"""Every backend, every format it writes here: the file reads back, through another library, as written."""

from __future__ import annotations

import numpy as np
import pytest

import codecreg
from codecreg.files.output_path import OutputPathError
from codecreg.audio.writing.whole_file import audio_write
from writers.helpers import LOSSLESS, LOSSY_LENGTH_TOLERANCE, make_signal, read_independently

BACKENDS = ("ffmpeg", "soundfile")
FORMATS = ("wav", "flac", "mp3", "ogg")
RATE = 32000
SECONDS = 0.7


def _cases():
    for backend in BACKENDS:
        for format in FORMATS:
            for channels in (1, 2):
                yield pytest.param(backend, format, channels, id=f"{backend}-{format}-{channels}ch")


def test_each_backend_probes_all_four_formats_here():
    """The environment has lame and vorbis in both ffmpeg and libsndfile: a probe that lost one is a regression."""
    for backend in BACKENDS:
        assert set(codecreg.get_writer(backend).formats) == set(FORMATS), backend


@pytest.mark.parametrize("backend,format,channels", list(_cases()))
def test_file_reads_back_with_rate_channels_and_length(tmp_path, backend, format, channels):
    wav = make_signal(channels, SECONDS, RATE)
    path = audio_write(tmp_path / "clip", wav, RATE, format=format, backend=backend)

    assert path == tmp_path / f"clip.{format}"
    decoded, rate = read_independently(path, written_by=backend)
    assert rate == RATE
    assert decoded.shape[0] == channels
    if format in LOSSLESS:
        assert decoded.shape[1] == wav.shape[1]
        expected = wav * (10 ** (-1 / 20) / np.abs(wav).max())  # default: peak at -1 dBFS
        np.testing.assert_allclose(decoded, expected, atol=1.01 / 32768)
    else:
        assert abs(decoded.shape[1] - wav.shape[1]) <= LOSSY_LENGTH_TOLERANCE
        assert np.abs(decoded).max() > 0.5  # real audio came through, not silence


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("format,sample_format,step", [
    ("wav", "s24", 2.0 ** -23), ("wav", "f32", 0.0), ("flac", "s24", 2.0 ** -23), ("wav", "s16", 2.0 ** -15),
])
def test_sample_formats_keep_their_precision(tmp_path, backend, format, sample_format, step):
    wav = make_signal(2, 0.2, RATE)
    path = audio_write(tmp_path / "clip", wav, RATE, format=format, backend=backend, sample_format=sample_format,
                       normalize=False)
    decoded, _ = read_independently(path, written_by=backend)
    error = np.abs(decoded - wav).max()
    assert error <= step + 1e-9  # one step: both libraries floor to 24 bits, libsndfile to 16 bits too
    if step:  # the format really is that precise, not more: a 16-bit file would fail the 24-bit bound
        assert error > step * 0.01


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kbps", [128, 320])
def test_mp3_rate_sets_a_constant_bitrate(tmp_path, backend, kbps):
    wav = make_signal(2, 2.0, RATE)
    path = audio_write(tmp_path / "clip", wav, RATE, format="mp3", mp3_rate=kbps, backend=backend)
    measured_kbps = path.stat().st_size * 8 / 2.0 / 1000
    assert measured_kbps == pytest.approx(kbps, rel=0.08)


def test_ogg_rate_reaches_the_vorbis_encoder(tmp_path):
    wav = make_signal(2, 2.0, RATE, seed=3)
    low = audio_write(tmp_path / "low", wav, RATE, format="ogg", ogg_rate=48, backend="ffmpeg")
    high = audio_write(tmp_path / "high", wav, RATE, format="ogg", ogg_rate=192, backend="ffmpeg")
    assert high.stat().st_size > 2 * low.stat().st_size


def test_torch_input_is_written_like_numpy(tmp_path):
    torch = pytest.importorskip("torch")
    wav = make_signal(2, 0.3, RATE)
    from_numpy = audio_write(tmp_path / "numpy", wav, RATE, backend="soundfile")
    from_torch = audio_write(tmp_path / "torch", torch.from_numpy(wav).requires_grad_(), RATE, backend="soundfile")
    from_half = audio_write(tmp_path / "half", torch.from_numpy(wav).to(torch.float16), RATE, backend="soundfile")
    assert from_numpy.read_bytes() == from_torch.read_bytes()
    decoded, _ = read_independently(from_half, written_by="soundfile")
    assert decoded.shape == wav.shape


def test_add_suffix_false_and_parent_folders(tmp_path):
    path = audio_write(tmp_path / "a" / "b" / "clip.audio", make_signal(1, 0.1, RATE), RATE, add_suffix=False)
    assert path == tmp_path / "a" / "b" / "clip.audio" and path.is_file()
    with pytest.raises(OutputPathError, match="missing' does not exist; create it first, or pass make_parent_dir"):
        audio_write(tmp_path / "missing" / "clip", make_signal(1, 0.1, RATE), RATE, make_parent_dir=False)
