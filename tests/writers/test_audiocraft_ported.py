"""audiocraft's own audio_read / audio_write tests (audiocraft 1.3.0, tests/data/test_audio.py), ported.

audiocraft draws its seek times and durations with ``torch.rand``; here they are
drawn from a seeded generator, plus fixed values for which ``round(sr * t)`` and
``int(sr * t)`` differ (the arithmetic audiocraft uses is truncation). Its
``_av_read`` tests run through ``audio_read``, which is what a user calls. Files
are written as float32 wav by soundfile, as audiocraft's ``save_wav``
(``torchaudio.save``) writes them.
"""

from __future__ import annotations

import random
from itertools import product

import numpy as np
import pytest
import soundfile

from codecreg import AudioReadError, CodecregError
from codecreg.audio.reading.whole_file import audio_read
from codecreg.audio.writing.whole_file import audio_write

SAMPLE_RATES = [8000, 16_000]
CHANNELS = [1, 2]
#: seconds where truncation and rounding of ``sr * t`` give different frames at 8 and 16 kHz
UNROUNDED = [0.4001, 0.12349, 0.777599]


def white_noise(channels: int, frames: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((channels, frames)).astype(np.float32)


def save_wav(path, wav: np.ndarray, sample_rate: int) -> None:
    soundfile.write(str(path), wav.T, sample_rate, subtype="FLOAT")


def test_the_fixed_times_do_round_differently():
    """Without this the fixed cases would not tell truncation from rounding."""
    for sample_rate, seconds in product(SAMPLE_RATES, UNROUNDED):
        assert int(sample_rate * seconds) != round(sample_rate * seconds)


def test_read_full_wav(tmp_path):
    for sample_rate, ch in product(SAMPLE_RATES, CHANNELS):
        wav = np.clip(white_noise(ch, sample_rate), -0.99, 0.99)
        path = tmp_path / "sample_wav.wav"
        save_wav(path, wav, sample_rate)
        read_wav, read_sr = audio_read(path)
        assert read_sr == sample_rate
        assert read_wav.shape == wav.shape
        np.testing.assert_allclose(read_wav, wav, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("read_duration", [random.Random(1).random(), *UNROUNDED])
def test_read_partial_wav(tmp_path, read_duration):
    for sample_rate, ch in product(SAMPLE_RATES, CHANNELS):
        read_frames = int(sample_rate * read_duration)
        wav = np.clip(white_noise(ch, sample_rate), -0.99, 0.99)
        path = tmp_path / "sample_wav.wav"
        save_wav(path, wav, sample_rate)
        read_wav, read_sr = audio_read(path, 0, read_duration)
        assert read_sr == sample_rate
        assert read_wav.shape == (ch, read_frames)
        np.testing.assert_allclose(read_wav, wav[..., :read_frames], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("seek_time", [random.Random(2).random(), *UNROUNDED])
def test_read_seek_time_wav(tmp_path, seek_time):
    for sample_rate, ch in product(SAMPLE_RATES, CHANNELS):
        n_frames = sample_rate
        wav = np.clip(white_noise(ch, n_frames), -0.99, 0.99)
        path = tmp_path / "sample_wav.wav"
        save_wav(path, wav, sample_rate)
        read_wav, read_sr = audio_read(path, seek_time, 1.0)
        seek_frames = int(sample_rate * seek_time)
        assert read_sr == sample_rate
        assert read_wav.shape == (ch, n_frames - seek_frames)
        np.testing.assert_allclose(read_wav, wav[..., seek_frames:], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("seek_time", [random.Random(3).random(), *UNROUNDED])
@pytest.mark.parametrize("read_duration", [1.0, 1.00007])
def test_read_seek_time_wav_padded(tmp_path, seek_time, read_duration):
    for sample_rate, ch in product(SAMPLE_RATES, CHANNELS):
        n_frames = sample_rate
        read_frames = int(sample_rate * read_duration)
        wav = np.clip(white_noise(ch, n_frames), -0.99, 0.99)
        path = tmp_path / "sample_wav.wav"
        save_wav(path, wav, sample_rate)
        seek_frames = int(sample_rate * seek_time)
        expected_frames = n_frames - seek_frames
        read_wav, read_sr = audio_read(path, seek_time, read_duration, pad=True)
        assert read_sr == sample_rate
        assert read_wav.shape == (ch, read_frames)
        np.testing.assert_allclose(read_wav[..., :expected_frames], wav[..., seek_frames:], rtol=1e-3, atol=1e-4)
        assert not read_wav[..., expected_frames:].any()


def test_seek_base(tmp_path):
    """audiocraft's test_avread_seek_base: a segment inside the file has ``int(duration * sr)`` frames."""
    draw = random.Random(4)
    for sample_rate, ch in product(SAMPLE_RATES, CHANNELS):
        wav = white_noise(ch, 2 * sample_rate)
        path = tmp_path / f"reference_a_{sample_rate}_{ch}.wav"
        save_wav(path, wav, sample_rate)
        for _ in range(25):
            seek_time, seek_duration = draw.uniform(0.0, 1.0), draw.uniform(0.001, 1.0)
            read_wav, read_sr = audio_read(path, seek_time, seek_duration)
            first = int(seek_time * sample_rate)
            assert read_sr == sample_rate
            assert read_wav.shape == (ch, int(seek_duration * sample_rate))
            np.testing.assert_array_equal(read_wav, wav[:, first:first + read_wav.shape[1]])


def test_seek_partial(tmp_path):
    """audiocraft's test_avread_seek_partial: a segment reaching past the end stops with the file."""
    draw = random.Random(5)
    for sample_rate, ch in product(SAMPLE_RATES, CHANNELS):
        n_frames = sample_rate
        wav = white_noise(ch, n_frames)
        path = tmp_path / f"reference_b_{sample_rate}_{ch}.wav"
        save_wav(path, wav, sample_rate)
        for _ in range(25):
            seek_time = draw.uniform(0.5, 1.0)
            read_wav, read_sr = audio_read(path, seek_time, 1.0)
            assert read_sr == sample_rate
            assert read_wav.shape == (ch, n_frames - int(seek_time * sample_rate))


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
@pytest.mark.parametrize("seek_time", [1.0, 1.5, 100.0])
def test_seek_at_or_past_the_end_is_empty(tmp_path, suffix, seek_time):
    """audiocraft's test_avread_seek_outofbound, in every format: ``[C, 0]``, or the padded zeros.

    libsndfile refused such a seek with a raw ``LibsndfileError: Internal psf_fseek() failed``."""
    for sample_rate, ch in product(SAMPLE_RATES, CHANNELS):
        path = tmp_path / f"reference_c_{sample_rate}_{ch}{suffix}"
        if suffix == ".wav":
            save_wav(path, white_noise(ch, sample_rate), sample_rate)
        else:
            audio_write(path, white_noise(ch, sample_rate), sample_rate, format=suffix[1:], add_suffix=False)
        read_wav, read_sr = audio_read(path, seek_time, 1.0)
        assert read_sr == sample_rate
        assert read_wav.shape == (ch, 0) and read_wav.dtype == np.float32
        whole, _ = audio_read(path, seek_time)
        assert whole.shape == (ch, 0)
        padded, _ = audio_read(path, seek_time, 0.25, pad=True)
        assert padded.shape == (ch, int(sample_rate * 0.25)) and not padded.any()


def test_seek_edge(tmp_path):
    """audiocraft's test_avread_seek_edge: the last frame, where ``int(((n - 1) / sr) * sr)`` may be ``n - 2``."""
    for sample_rate, ch, frames in product(SAMPLE_RATES, CHANNELS, [1000, 1001, 1002]):
        duration = frames / sample_rate
        wav = white_noise(ch, frames)
        path = tmp_path / f"reference_d_{sample_rate}_{ch}.wav"
        save_wav(path, wav, sample_rate)
        seek_time = (frames - 1) / sample_rate
        seek_frames = int(seek_time * sample_rate)
        read_wav, read_sr = audio_read(path, seek_time, duration)
        assert read_sr == sample_rate
        assert read_wav.shape == (ch, frames - seek_frames)
        np.testing.assert_array_equal(read_wav, wav[:, seek_frames:])


def test_a_tiny_duration_holds_no_frame(tmp_path):
    """``int(sr * duration) == 0``: nothing (audiocraft's soundfile path; its av path would read all)."""
    save_wav(tmp_path / "a.wav", white_noise(1, 8000), 8000)
    assert audio_read(tmp_path / "a.wav", 0.1, 1e-5)[0].shape == (1, 0)
    assert audio_read(tmp_path / "a.wav", 0.1, 1e-5, pad=True)[0].shape == (1, 0)


@pytest.mark.parametrize("strategy", ["peak", "clip", "rms"])
def test_audio_write_wav(tmp_path, strategy):
    """audiocraft's test_audio_write_wav: the shape survives; peak and rms are a rescaling within 16-bit error."""
    for sample_rate, ch, frames in product(SAMPLE_RATES, CHANNELS, [1000, 1001, 1002]):
        for format_ in (["wav", "mp3"] if sample_rate == 8000 and ch == 1 and frames == 1000 else ["wav"]):
            wav = white_noise(ch, frames, seed=frames)
            path = tmp_path / f"pred_{sample_rate}_{ch}"
            written = audio_write(path, wav, sample_rate, format_, strategy=strategy)
            assert written == tmp_path / f"pred_{sample_rate}_{ch}.{format_}"
            read_wav, read_sr = soundfile.read(str(written), dtype="float32", always_2d=True)
            read_wav = read_wav.T
            assert read_sr == sample_rate
            if format_ == "wav":
                assert read_wav.shape == wav.shape
            if format_ == "wav" and strategy in ("peak", "rms"):
                rescaled = read_wav / np.abs(read_wav).max() * np.abs(wav).max()
                atol = (5 if strategy == "peak" else 20) / 2 ** 15
                np.testing.assert_allclose(rescaled, wav, rtol=0, atol=atol)


def test_a_file_damaged_mid_stream_is_a_codecreg_error_naming_it(tmp_path):
    """libsndfile's 'flac decoder lost sync' comes after the header reads fine: not a raw LibsndfileError."""
    path = tmp_path / "whole.flac"
    soundfile.write(str(path), white_noise(2, 3 * 16000).T * 0.1, 16000)
    damaged = tmp_path / "damaged.flac"
    damaged.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(AudioReadError, match=r"damaged\.flac.*lost sync") as caught:
        audio_read(damaged)
    assert isinstance(caught.value, CodecregError)
    assert audio_read(damaged, 0.0, 0.1)[0].shape == (2, 1600)  # the sound part still reads


def test_missing_and_unreadable_files_are_codecreg_errors(tmp_path):
    with pytest.raises(AudioReadError, match="no audio file at .*nothing.wav") as caught:
        audio_read(tmp_path / "nothing.wav")
    assert isinstance(caught.value, FileNotFoundError)  # what callers caught before
    with pytest.raises(AudioReadError, match="is a folder"):
        audio_read(tmp_path)
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(AudioReadError, match="cannot read .*notes.wav"):
        audio_read(tmp_path / "notes.wav")


def test_bad_times_are_refused():
    with pytest.raises(ValueError, match="seek_time must be at least 0"):
        audio_read("x.wav", -1.0)
    with pytest.raises(ValueError, match="duration must be a number of seconds"):
        audio_read("x.wav", 0.0, float("nan"))
