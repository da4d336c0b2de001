"""read_blocks: the blocks joined equal audio_read + convert_audio bit for bit, for any block length, format,
rate and channel count; segments are exact frames; bad input is refused before any decoding."""

from __future__ import annotations

import os
import subprocess

import numpy as np
import pytest

from codecreg import AudioBlocks, read_blocks
from codecreg.audio.ffmpeg_binary import locate_ffmpeg
from codecreg.audio.reading.whole_file import audio_read, convert_audio
from writers.helpers import make_signal

#: Encoder options of each format, as a bare ffmpeg run writes them (not our writers).
CODECS = {"wav": ["-c:a", "pcm_s16le"], "flac": ["-c:a", "flac"], "ogg": ["-c:a", "libvorbis"],
          "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"], "m4a": ["-c:a", "aac", "-b:a", "96k"]}
DECODERS = {"wav": "libsndfile", "flac": "libsndfile", "ogg": "libsndfile", "mp3": "ffmpeg", "m4a": "ffmpeg"}
SOURCES = {"stereo_44k": (2, 44100), "mono_32k": (1, 32000)}
#: (rate, channels) to read at: unchanged, resampled up and down, mixed to mono, repeated to stereo.
TARGETS = [(None, None), (24000, 1), (48000, 2), (32000, 2), (16000, 1)]
BLOCKS = [0.05, 0.3333, 1.0, 30.0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Each source signal (2.3 s, not a whole number of anything) in each format, encoded by ffmpeg."""
    folder = tmp_path_factory.mktemp("block-reading")
    made = {}
    for name, (channels, rate) in SOURCES.items():
        raw = folder / f"{name}.f32"
        np.ascontiguousarray(make_signal(channels, 2.3, rate, seed=channels).T, dtype="<f4").tofile(raw)
        for format, codec in CODECS.items():
            made[name, format] = folder / f"{name}.{format}"
            subprocess.run([locate_ffmpeg(), "-nostdin", "-v", "error", "-f", "f32le", "-ar", str(rate),
                            "-ac", str(channels), "-i", str(raw), *codec, str(made[name, format])], check=True)
    return made


def joined(blocks: AudioBlocks) -> np.ndarray:
    parts = list(blocks)
    assert parts, "no block at all"
    assert all(part.dtype == np.float32 and part.shape[0] == blocks.channels for part in parts)
    assert all(part.shape[1] == blocks.block_frames for part in parts[:-1])
    assert 0 < parts[-1].shape[1] <= blocks.block_frames
    return np.concatenate(parts, axis=1)


def assert_bits_equal(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype == np.float32
    differing = int(np.count_nonzero(got.view(np.uint32) != expected.view(np.uint32)))
    assert differing == 0, f"{differing} of {got.size} samples differ in their bits"


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("format", list(CODECS))
@pytest.mark.parametrize("rate, channels", TARGETS, ids=lambda value: str(value))
def test_blocks_joined_equal_audio_read_then_convert_audio(files, source, format, rate, channels):
    path = files[source, format]
    whole, source_rate = audio_read(path)
    rate, channels = rate or source_rate, channels or whole.shape[0]
    expected = convert_audio(whole, source_rate, rate, channels)
    assert np.abs(expected).max() > 0.1  # real audio, not silence
    for block_seconds in BLOCKS:
        blocks = read_blocks(path, rate, channels, block_seconds=block_seconds)
        assert blocks.decoder == DECODERS[format]
        assert blocks.block_frames == round(block_seconds * rate)
        assert_bits_equal(joined(blocks), expected)


@pytest.mark.parametrize("format", list(CODECS))
def test_what_is_known_up_front(files, format):
    path = files["stereo_44k", format]
    blocks = read_blocks(path, 16000, 1)
    assert (blocks.path, blocks.source_rate, blocks.source_channels) == (path, 44100, 2)
    decoded_seconds = audio_read(path)[0].shape[1] / 44100
    if DECODERS[format] == "libsndfile":
        assert blocks.duration == decoded_seconds
    else:  # what the container declares: an estimate for mp3 and aac
        assert abs(blocks.duration - decoded_seconds) < 0.1
    segment = read_blocks(path, 16000, 1, start=0.5, end=1.25)
    assert segment.duration == pytest.approx(0.75, abs=1 / 44100)


@pytest.mark.parametrize("format", list(CODECS))
def test_a_segment_is_the_exact_frames_of_the_whole_file(files, format):
    path = files["stereo_44k", format]
    whole, rate = audio_read(path)
    start, end = 0.4321, 1.87
    first, stop = round(start * rate), round(end * rate)
    for block_seconds in (0.1, 10.0):
        part = joined(read_blocks(path, None, None, block_seconds=block_seconds, start=start, end=end))
        assert_bits_equal(part, whole[:, first:stop])
    tail = joined(read_blocks(path, None, None, start=start))
    assert_bits_equal(tail, whole[:, first:])
    head = joined(read_blocks(path, None, None, end=end))
    assert_bits_equal(head, whole[:, :stop])


@pytest.mark.parametrize("format", ["flac", "mp3"])
def test_a_converted_segment_equals_convert_audio_of_audio_read_of_it(files, format):
    path = files["stereo_44k", format]
    segment, rate = audio_read(path, seek_time=0.25, duration=1.5)
    expected = convert_audio(segment, rate, 24000, 1)
    for block_seconds in (0.07, 1.0):
        assert_bits_equal(joined(read_blocks(path, 24000, 1, block_seconds=block_seconds, start=0.25, end=1.75)),
                          expected)


def test_a_block_iterable_can_be_read_twice(files):
    blocks = read_blocks(files["mono_32k", "mp3"], 16000, 2, block_seconds=0.5)
    assert_bits_equal(joined(blocks), joined(blocks))


def test_bad_paths_are_refused_up_front(tmp_path):
    with pytest.raises(FileNotFoundError, match="no audio file at .*nothing.wav"):
        read_blocks(tmp_path / "nothing.wav", 16000, 1)
    with pytest.raises(IsADirectoryError, match="is a folder, not an audio file"):
        read_blocks(tmp_path, 16000, 1)
    text = tmp_path / "notes.wav"
    text.write_text("these are not samples")
    with pytest.raises(ValueError, match="cannot read .*notes.wav.* with libsndfile .* nor with ffmpeg"):
        read_blocks(text, 16000, 1)
    fake_mp3 = tmp_path / "notes.mp3"
    fake_mp3.write_text("these are not samples either")
    with pytest.raises(ValueError, match="cannot read .*notes.mp3.* with ffmpeg"):
        read_blocks(fake_mp3, 16000, 1)


@pytest.mark.parametrize("format", ["wav", "mp3"])
def test_segments_outside_the_file_are_refused_up_front(files, format):
    path = files["mono_32k", format]  # 2.3 s
    cases = [({"start": 2.5}, "start 2.5 s is at or past the end"),
             ({"end": 3.0}, "end 3.0 s is past the end"),
             ({"start": 1.0, "end": 1.0}, r"start \(1.0 s\) must come before end \(1.0 s\)"),
             ({"start": 1.5, "end": 0.5}, "must come before end"),
             ({"start": -1.0}, "start must be a time in seconds, at least 0"),
             ({"end": float("nan")}, "end must be a time in seconds"),
             ({"start": 1.0, "end": 1.00001}, "holds no sample")]
    for segment, message in cases:
        with pytest.raises(ValueError, match=message):
            read_blocks(path, 16000, 1, **segment)


def test_bad_arguments_are_refused_up_front(files):
    path = files["stereo_44k", "wav"]
    with pytest.raises(ValueError, match="sample_rate must be a positive whole number"):
        read_blocks(path, 0, 1)
    with pytest.raises(ValueError, match="channels must be a positive whole number"):
        read_blocks(path, 16000, 1.5)
    with pytest.raises(ValueError, match="block_seconds must be a positive number"):
        read_blocks(path, 16000, 1, block_seconds=0.00001)
    with pytest.raises(ValueError, match="only mono audio is repeated"):
        read_blocks(path, 16000, 3)


def test_without_ffmpeg_mp3_falls_back_to_libsndfile(files, monkeypatch):
    path = files["mono_32k", "mp3"]
    monkeypatch.setenv("CODECREG_FFMPEG", "/no/such/ffmpeg")
    blocks = read_blocks(path, None, None)
    assert blocks.decoder == "libsndfile"
    decoded = joined(blocks)
    assert decoded.shape[0] == 1 and abs(decoded.shape[1] - 2.3 * 32000) <= 2 * 1152
    with pytest.raises(ValueError, match="cannot read .*m4a.* with libsndfile .*there is no ffmpeg to try"):
        read_blocks(files["mono_32k", "m4a"], None, None)


def ffmpeg_children_reading(path) -> list[int]:
    """The processes of this one that run ffmpeg on ``path`` (from /proc; a reaped process is gone)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
            command = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and os.fsencode(str(path)) in command:
            found.append(int(entry))
    return found


def test_stopping_early_kills_the_ffmpeg_decoder(files):
    path = files["stereo_44k", "mp3"]
    blocks = read_blocks(path, 16000, 1, block_seconds=0.1)
    assert ffmpeg_children_reading(path) == []  # the probe's ffmpeg is gone already
    iterator = iter(blocks)
    next(iterator)
    assert len(ffmpeg_children_reading(path)) == 1
    iterator.close()
    assert ffmpeg_children_reading(path) == []
