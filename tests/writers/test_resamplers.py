"""The resampler choice: soxr (default) or julius, whose numbers are audiocraft's ``convert_audio`` exactly."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

torch = pytest.importorskip("torch")
julius = pytest.importorskip("julius")

from codecreg.audio.reading.block_conversion import JuliusStream  # noqa: E402
from codecreg.audio.reading.blocks import read_blocks  # noqa: E402
from codecreg.audio.reading.whole_file import audio_read, convert_audio  # noqa: E402
from writers.helpers import make_signal  # noqa: E402

RATE_PAIRS = [(44100, 32000), (48000, 24000), (16000, 24000), (22050, 16000), (32000, 44100), (24000, 24000)]


# audiocraft 1.3.0, audiocraft/data/audio_utils.py, verbatim but for the names
def audiocraft_convert_audio_channels(wav, channels=2):
    *shape, src_channels, length = wav.shape
    if src_channels == channels:
        pass
    elif channels == 1:
        wav = wav.mean(dim=-2, keepdim=True)
    elif src_channels == 1:
        wav = wav.expand(*shape, channels, length)
    elif src_channels >= channels:
        wav = wav[..., :channels, :]
    else:
        raise ValueError('The audio file has less channels than requested but is not mono.')
    return wav


def audiocraft_convert_audio(wav, from_rate, to_rate, to_channels):
    wav = julius.resample_frac(wav, int(from_rate), int(to_rate))
    wav = audiocraft_convert_audio_channels(wav, to_channels)
    return wav


@pytest.mark.parametrize("rates", RATE_PAIRS)
@pytest.mark.parametrize("channels", [(2, 1), (1, 2), (2, 2), (4, 2), (3, 1)])
def test_julius_is_audiocraft_bit_for_bit(rates, channels):
    source, target = channels
    wav = torch.from_numpy(make_signal(source, 0.37, rates[0], seed=sum(rates)))
    expected = audiocraft_convert_audio(wav, *rates, target)
    got = convert_audio(wav, *rates, target, resampler="julius")
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32
    assert torch.equal(got, expected)
    from_numpy = convert_audio(wav.numpy(), *rates, target, resampler="julius")
    assert isinstance(from_numpy, np.ndarray) and from_numpy.dtype == np.float32
    np.testing.assert_array_equal(from_numpy, expected.numpy())


def test_julius_takes_batches_float64_and_float_rates():
    batch = torch.from_numpy(np.stack([make_signal(2, 0.2, 44100, seed=s) for s in range(3)]).astype(np.float64))
    expected = audiocraft_convert_audio(batch, 44100.0, 32000.0, 1)
    got = convert_audio(batch, 44100.0, 32000.0, 1, resampler="julius")
    assert got.dtype == torch.float64 and tuple(got.shape) == (3, 1, 6400)
    assert torch.equal(got, expected)


def test_the_two_resamplers_differ_and_soxr_stays_the_default():
    wav = make_signal(1, 0.5, 44100)
    soxr_out = convert_audio(wav, 44100, 32000, 1)
    np.testing.assert_array_equal(soxr_out, convert_audio(wav, 44100, 32000, 1, resampler="soxr"))
    julius_out = convert_audio(wav, 44100, 32000, 1, resampler="julius")
    assert soxr_out.shape == julius_out.shape
    assert not np.array_equal(soxr_out, julius_out)
    np.testing.assert_allclose(soxr_out[:, 200:-200], julius_out[:, 200:-200], atol=2e-2)  # both band-limited


def test_an_unknown_resampler_is_refused_up_front(tmp_path):
    with pytest.raises(ValueError, match=r"unknown resampler 'sinc'.*'soxr' or 'julius'"):
        convert_audio(make_signal(1, 0.1, 16000), 16000, 8000, 1, resampler="sinc")
    with pytest.raises(ValueError, match="unknown resampler"):
        audio_read(tmp_path / "none.wav", resampler="sinc")  # before the file is looked at
    with pytest.raises(ValueError, match="unknown resampler"):
        read_blocks(tmp_path / "none.wav", 16000, 1, resampler="Julius")


def test_empty_audio_resamples_to_empty():
    out = convert_audio(np.zeros((2, 0), np.float32), 44100, 32000, 1, resampler="julius")
    assert out.shape == (1, 0)


@pytest.fixture(scope="module")
def stereo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("julius") / "stereo_44k.wav"
    soundfile.write(path, make_signal(2, 2.3, 44100, seed=7).T, 44100, subtype="FLOAT")
    return path


@pytest.mark.parametrize("block_seconds", [0.01, 0.37, 1.0, 10.0])
@pytest.mark.parametrize("target", [(32000, 1), (24000, 2), (48000, 1), (44100, 1)])
def test_julius_blocks_joined_equal_audiocraft_on_the_whole_file(stereo_file, block_seconds, target):
    rate, channels = target
    blocks = read_blocks(stereo_file, rate, channels, block_seconds=block_seconds, resampler="julius")
    joined = np.concatenate(list(blocks), axis=1)
    whole, source_rate = audio_read(stereo_file)
    expected = audiocraft_convert_audio(torch.from_numpy(whole), source_rate, rate, channels).numpy()
    assert joined.shape == expected.shape
    np.testing.assert_array_equal(joined, expected)
    read, read_rate = audio_read(stereo_file, sample_rate=rate, channels=channels, resampler="julius")
    assert read_rate == rate
    np.testing.assert_array_equal(read, expected)


def test_julius_segment_blocks_equal_audiocraft_on_the_segment(stereo_file):
    blocks = read_blocks(stereo_file, 32000, 1, block_seconds=0.25, start=0.5, end=1.75, resampler="julius")
    segment = audio_read(stereo_file)[0][:, round(0.5 * 44100):round(1.75 * 44100)]
    expected = audiocraft_convert_audio(torch.from_numpy(segment), 44100, 32000, 1).numpy()
    np.testing.assert_array_equal(np.concatenate(list(blocks), axis=1), expected)


@pytest.mark.parametrize("rates", [(44100, 32000), (16000, 24000), (8000, 44100)])
def test_julius_stream_does_not_depend_on_how_the_input_is_cut(rates):
    signal = make_signal(2, 0.6, rates[0], seed=3)
    expected = julius.resample_frac(torch.from_numpy(signal), *rates).numpy()
    cuts = np.random.default_rng(0).integers(0, 900, size=60)
    stream, parts, start = JuliusStream(*rates), [], 0
    for size in cuts:  # pieces of 0 to 899 samples, empty ones included
        parts.append(stream.resample_chunk(signal[:, start:start + size]))
        start += size
    parts.append(stream.resample_chunk(signal[:, start:], last=True))
    assert all(part.shape[0] == 2 for part in parts)
    assert sum(part.shape[1] for part in parts[:-1]) > expected.shape[1] // 2  # it streams: most comes early
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), expected)
