"""audio_write_stream: the file equals audio_write's of the whole signal (same bytes, same samples read back)
for every strategy and both backends; nothing half-written and nothing clobbered on failure; errors up front."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from codecreg import audio_write, audio_write_stream
from codecreg.audio.levels.normalization import STRATEGIES
from writers.helpers import LOSSY_LENGTH_TOLERANCE, files_in, make_signal, read_independently

RATE = 32000
BACKENDS = ("ffmpeg", "soundfile")
#: Block lengths that straddle the meter's 65536-frame chunks and the second pass's reads unevenly.
CUTS = (1, 777, 65535, 65537, 100000, 150001)


def hot_signal(channels: int = 2, seconds: float = 5.3) -> np.ndarray:
    """Peak 1.4, loud and quiet stretches: every strategy changes it, and rms/loudness/clip clip it."""
    wav = make_signal(channels, seconds, RATE, peak=1.4, seed=channels)
    wav[:, wav.shape[1] // 2:] *= 0.2
    return wav


def stream(stem, wav, **options):
    with audio_write_stream(stem, RATE, wav.shape[0], **options) as out:
        for start, stop in zip([0, *CUTS], [*CUTS, wav.shape[1]]):
            out.write(wav[:, start:stop])
    return out.path


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("strategy", ["peak", "rms", "loudness", "clip"])
@pytest.mark.parametrize("normalize", [True, False])
def test_stream_equals_whole_write(tmp_path, backend, strategy, normalize):
    wav = hot_signal()
    options = dict(strategy=strategy, normalize=normalize, backend=backend)
    whole = audio_write(tmp_path / "whole", wav, RATE, **options)
    streamed = stream(tmp_path / "streamed", wav, **options)
    assert streamed == tmp_path / "streamed.wav"
    assert streamed.read_bytes() == whole.read_bytes()
    decoded, rate = read_independently(streamed, written_by=backend)
    expected, _ = read_independently(whole, written_by=backend)
    assert rate == RATE and decoded.shape == wav.shape
    np.testing.assert_array_equal(decoded, expected)
    assert np.abs(decoded - wav).max() > 0.01  # the strategy really changed the signal
    assert files_in(tmp_path) == {"whole.wav", "streamed.wav"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_stream_equals_whole_write_for_none_and_the_compressor(tmp_path, backend):
    quiet = make_signal(1, 3.0, RATE, peak=0.9)
    for name, wav, options in [("none", quiet, dict(strategy="none")),
                               ("compressed", hot_signal(1), dict(strategy="loudness", loudness_compressor=True,
                                                                  loudness_headroom_db=6)),
                               ("flac24", hot_signal(2), dict(format="flac", sample_format="s24"))]:
        whole = audio_write(tmp_path / f"whole_{name}", wav, RATE, backend=backend, **options)
        streamed = stream(tmp_path / f"streamed_{name}", wav, backend=backend, **options)
        assert streamed.read_bytes() == whole.read_bytes(), name


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("format", ["mp3", "ogg"])
def test_lossy_formats_stream(tmp_path, backend, format):
    wav = hot_signal()
    streamed = stream(tmp_path / "streamed", wav, format=format, backend=backend)
    assert streamed.suffix == f".{format}"
    decoded, rate = read_independently(streamed, written_by=backend)
    assert rate == RATE and decoded.shape[0] == 2
    assert abs(decoded.shape[1] - wav.shape[1]) <= LOSSY_LENGTH_TOLERANCE
    assert 0.8 < np.abs(decoded).max() < 1.0  # peak-normalized to -1 dBFS, give or take the codec


def test_blocks_may_be_torch_tensors_and_mono_blocks_one_dimensional(tmp_path):
    wav = make_signal(1, 1.0, RATE)
    whole = audio_write(tmp_path / "whole", wav, RATE)
    with audio_write_stream(tmp_path / "streamed", RATE, 1) as out:
        out.write(torch.from_numpy(wav[:, :1000]).to(torch.float64))
        out.write(wav[0, 1000:20000])
        out.write(np.zeros((1, 0), np.float32))  # an empty block is nothing
        out.write(torch.from_numpy(wav[:, 20000:]))
    assert out.frames == wav.shape[1]
    assert out.path.read_bytes() == whole.read_bytes()


def test_a_writer_without_a_stream_buffers_and_says_so(tmp_path, python_wave_writer, caplog):
    wav = make_signal(2, 1.0, RATE)
    whole = audio_write(tmp_path / "whole", wav, RATE, backend="pywave")
    with caplog.at_level(logging.WARNING, logger="codecreg.audio.writing.writer"):
        streamed = stream(tmp_path / "streamed", wav, backend="pywave")
    assert "cannot stream" in caplog.text and "kept in memory" in caplog.text
    assert streamed.read_bytes() == whole.read_bytes()


# failures: nothing half-written, nothing clobbered ----------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("failure", [RuntimeError("the decoder crashed"), KeyboardInterrupt()])
def test_an_exception_mid_stream_leaves_the_old_file_and_no_temporary(tmp_path, backend, strategy, failure):
    existing = tmp_path / "take.wav"
    existing.write_bytes(b"RIFF the old take")
    wav = make_signal(2, 2.0, RATE, peak=0.9)
    with pytest.raises(type(failure)):
        with audio_write_stream(tmp_path / "take", RATE, 2, strategy=strategy, backend=backend) as out:
            out.write(wav[:, :40000])
            raise failure
    assert existing.read_bytes() == b"RIFF the old take"
    assert files_in(tmp_path) == {"take.wav"}


@pytest.mark.parametrize("strategy", ["peak", "clip"])
def test_folders_made_for_a_failed_stream_are_removed(tmp_path, strategy):
    with pytest.raises(RuntimeError):
        with audio_write_stream(tmp_path / "new" / "deeper" / "take", RATE, 1, strategy=strategy) as out:
            out.write(make_signal(1, 0.5, RATE))
            raise RuntimeError("stop")
    assert files_in(tmp_path) == set()


@pytest.mark.parametrize("strategy", ["peak", "clip", "none"])
def test_a_bad_block_mid_stream_writes_nothing_even_if_caught(tmp_path, strategy):
    wav = make_signal(1, 1.0, RATE, peak=0.5)
    broken = wav.copy()
    broken[0, 123] = np.inf
    with pytest.raises(RuntimeError, match="writing a block failed earlier .*NaN or infinite"):
        with audio_write_stream(tmp_path / "take", RATE, 1, strategy=strategy) as out:
            out.write(wav)
            with pytest.raises(ValueError, match="1 NaN or infinite sample"):
                out.write(broken)
    assert files_in(tmp_path) == set()


def test_none_refuses_samples_beyond_full_scale_mid_stream(tmp_path):
    with pytest.raises(ValueError, match=r"outside \[-1, 1\].*strategy='clip'"):
        with audio_write_stream(tmp_path / "take", RATE, 1, strategy="none") as out:
            out.write(make_signal(1, 1.0, RATE, peak=0.5))
            out.write(make_signal(1, 1.0, RATE, peak=1.5))
    assert files_in(tmp_path) == set()


def test_clipping_is_logged_once_for_the_whole_stream(tmp_path, caplog):
    wav = hot_signal(1)
    with caplog.at_level(logging.WARNING, logger="codecreg.audio.levels.normalization"):
        audio_write(tmp_path / "whole", wav, RATE, strategy="clip")
        stream(tmp_path / "streamed", wav, strategy="clip")
    whole, streamed = [r.getMessage() for r in caplog.records if r.name == "codecreg.audio.levels.normalization"]
    assert streamed == whole.replace("whole", "streamed")


# errors before any work -------------------------------------------------------------------------------

@pytest.mark.parametrize("arguments, error, message", [
    (dict(channels=3, format="mp3"), ValueError, "mp3 holds at most 2 channels"),
    (dict(channels=6, strategy="loudness"), ValueError, "up to 5 channels"),
    (dict(channels=0), ValueError, "channels must be a positive whole number"),
    (dict(channels=2, format="mp4"), ValueError, "unknown audio format 'mp4'"),
    (dict(channels=2, strategy="lufs"), ValueError, "choose one of peak, rms"),
    (dict(channels=2, sample_rate=44100.5), TypeError, "whole number of Hz"),
    (dict(channels=2, format="mp3", sample_rate=37000), ValueError, "mp3 cannot store 37000 Hz"),
    (dict(channels=2, backend="ffmpeg?binary=/no/ffmpeg"), Exception, "does not exist"),
])
def test_bad_options_are_refused_when_the_writer_is_made(tmp_path, arguments, error, message):
    arguments = {"sample_rate": RATE, **arguments}
    with pytest.raises(error, match=message):
        audio_write_stream(tmp_path / "take", arguments.pop("sample_rate"), arguments.pop("channels"), **arguments)
    assert files_in(tmp_path) == set()


def test_an_output_path_that_cannot_be_written_is_refused_when_the_writer_is_made(tmp_path, unwritable_folder):
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(OSError, match="folder"):
        audio_write_stream(tmp_path / "folder", RATE, 1)
    with pytest.raises(OSError, match="no file can be created"):
        audio_write_stream(unwritable_folder / "take", RATE, 1)
    with pytest.raises(OSError, match="does not exist"):
        audio_write_stream(tmp_path / "missing" / "take", RATE, 1, make_parent_dir=False)


def test_blocks_of_the_wrong_shape_or_type_are_refused(tmp_path):
    with pytest.raises(ValueError, match="no samples were given"):
        with audio_write_stream(tmp_path / "take", RATE, 2) as out:
            with pytest.raises(ValueError, match=r"\[2, n\].*got shape \(1, 100\)"):
                out.write(np.zeros((1, 100), np.float32))
            with pytest.raises(ValueError, match=r"block\.T"):
                out.write(np.zeros((100, 2), np.float32))
            with pytest.raises(TypeError, match="floating point"):
                out.write(np.zeros((2, 100), np.int16))
    assert files_in(tmp_path) == set()


def test_a_stream_writer_is_used_once_and_written_inside_its_block(tmp_path):
    writer = audio_write_stream(tmp_path / "take", RATE, 1)
    with pytest.raises(RuntimeError, match="inside `with audio_write_stream"):
        writer.write(np.zeros(10, np.float32))
    with writer as out:
        out.write(make_signal(1, 0.1, RATE))
    with pytest.raises(RuntimeError, match="already used"):
        with writer:
            pass
    assert files_in(tmp_path) == {"take.wav"}


def test_an_encoder_failing_at_the_end_leaves_the_old_file(tmp_path, python_wave_writer):
    existing = tmp_path / "take.wav"
    existing.write_bytes(b"RIFF the old take")
    with pytest.raises(OSError, match="disk full"):
        with audio_write_stream(tmp_path / "take", RATE, 1, backend="pywave?fail_after_bytes=100") as out:
            out.write(make_signal(1, 1.0, RATE))
    assert existing.read_bytes() == b"RIFF the old take"
    assert files_in(tmp_path) == {"take.wav"}
